// `fwlang/import` over the wire (the editor's "Import Rules…" command): the server reads the
// chosen AWS CLI JSON from disk and answers the .fw text `fwlang import` writes.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportRequest } from '../../server/src/protocol';
import { runMain } from '../cli/support';
import { TestClient } from './client';

const AWS = path.resolve(__dirname, '..', 'fixtures', 'aws');
let client: TestClient;

beforeAll(async () => {
  client = await TestClient.start();
});

afterAll(async () => {
  await client?.stop();
});

describe('fwlang/import', () => {
  it('answers the .fw of AWS CLI JSON files, and what it could not express', async () => {
    const paths = ['network-acls.json', 'subnets.json', 'security-groups.json', 'network-interfaces.json'].map((f) => path.join(AWS, f));
    const answer = await client.connection.sendRequest(ImportRequest, { paths });
    expect('text' in answer).toBe(true);
    if (!('text' in answer)) return;
    expect(answer.text).toMatch(/^firewall \S+ aws-nacl protects /m);
    expect(answer.text).toMatch(/^firewall \S+ aws-sg protects /m);
    expect(answer.unexpressed.length).toBeGreaterThan(0);
    expect(answer.text).toContain('# not expressed:');
    // The same text as the command line's `fwlang import` of the same files.
    const cli = runMain(['import', ...paths]);
    expect(cli.code).toBe(1);
    expect(cli.out.trimEnd()).toBe(answer.text.trimEnd());
  });

  it('says why when a file is not JSON or cannot be read', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwlang-import-'));
    const bad = path.join(dir, 'notes.json');
    fs.writeFileSync(bad, 'not json');
    try {
      expect(await client.connection.sendRequest(ImportRequest, { paths: [bad] })).toEqual({
        error: 'notes.json is not JSON: import reads the JSON of the AWS CLI or of terraform show -json',
      });
      expect(await client.connection.sendRequest(ImportRequest, { paths: [path.join(dir, 'missing.json')] })).toEqual({
        error: 'cannot read missing.json: ENOENT',
      });
      expect(await client.connection.sendRequest(ImportRequest, { paths: [] })).toEqual({
        error: 'choose one or more JSON files to import',
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
