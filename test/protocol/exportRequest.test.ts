// `fwlang/export` over the wire (the editor's "Export this firewall…" command): the server exports
// an open document as `fwlang export` does, or says what stops it, line by line as the CLI's stderr.

import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EXPORT_PROBLEMS } from '../../server/src/features/exportDocument';
import { type ExportAnswer, type ExportParams, ExportRequest } from '../../server/src/protocol';
import { ensureBuilt as ensureCliBuilt, runCli } from '../cli/support';
import { ROOT, TestClient, fileUri } from './client';

const SAMPLES = path.join(ROOT, 'samples');
let client: TestClient;

beforeAll(async () => {
  client = await TestClient.start(SAMPLES);
  ensureCliBuilt();
});

afterAll(async () => {
  await client?.stop();
});

/** Opens a sample as the editor would (its text, its file URI: includes resolve beside it). */
async function openSample(name: string): Promise<string> {
  const uri = fileUri(path.join(SAMPLES, name));
  if (!client.docs.has(uri)) {
    await client.open(uri, fs.readFileSync(path.join(SAMPLES, name), 'utf8'));
    await client.diagnosticsFor(uri);
  }
  return uri;
}

const exportOf = (p: ExportParams): Promise<ExportAnswer> => client.connection.sendRequest(ExportRequest, p);

/** `fwlang export ARGS` run in samples/, as a person would type it. */
function cli(args: string[], cwd = SAMPLES) {
  const r = runCli(['export', ...args], cwd);
  return { code: r.status, out: r.stdout, err: r.stderr.split('\n').filter(Boolean) };
}

describe('fwlang/export', () => {
  it('answers one firewall as nftables, the same text as `fwlang export --firewall`', async () => {
    const uri = await openSample('catogram.fw');
    const answer = await exportOf({ uri, firewall: 'edge', target: 'nftables' });
    if (!('text' in answer)) throw new Error(JSON.stringify(answer));
    expect(answer.text).toMatch(/^table inet fwlang \{$/m);
    expect(answer.text).toContain('  chain edge {\n    type filter hook forward priority filter; policy accept;');
    expect(answer.text).not.toContain('catogram_sg');
    expect(answer.v6).toBeUndefined();
    const c = cli(['catogram.fw', '--to', 'nftables', '--firewall', 'edge']);
    expect(c.code).toBe(0);
    expect(answer.text).toBe(c.out);
  });

  it('every firewall of the file, on the host (--on-host), as the CLI writes it', async () => {
    const uri = await openSample('linux-host.fw');
    const answer = await exportOf({ uri, target: 'nftables', onHost: true });
    if (!('text' in answer)) throw new Error(JSON.stringify(answer));
    expect(answer.text).toContain('chain srv_nft_input {');
    expect(answer.text).toContain('chain srv_notrack_output {');
    expect(answer.text).toBe(cli(['linux-host.fw', '--to', 'nftables', '--on-host']).out);
  });

  it('iptables: the IPv6 rules as a second text (ip6tables-restore input)', async () => {
    const uri = await openSample('ipv6-dns.fw');
    const answer = await exportOf({ uri, target: 'iptables' });
    if (!('text' in answer)) throw new Error(JSON.stringify(answer));
    expect(answer.v6).toMatch(/^\*filter$/m);
    expect(answer.v6).toMatch(/2001:db8/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwlang-export-'));
    try {
      expect(cli(['ipv6-dns.fw', '--to', 'iptables', '-o', path.join(dir, 'rules')]).code).toBe(0);
      expect(answer.text).toBe(fs.readFileSync(path.join(dir, 'rules.v4'), 'utf8'));
      expect(answer.v6).toBe(fs.readFileSync(path.join(dir, 'rules.v6'), 'utf8'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('CloudFormation and Terraform of the AWS NAT sample', async () => {
    const uri = await openSample('aws-nat.fw');
    const cfn = await exportOf({ uri, target: 'cloudformation' });
    if (!('text' in cfn)) throw new Error(JSON.stringify(cfn));
    expect(JSON.parse(cfn.text).Resources.PublicAcl.Type).toBe('AWS::EC2::NetworkAcl');
    const tf = await exportOf({ uri, target: 'terraform', firewall: 'web-sg' });
    if (!('text' in tf)) throw new Error(JSON.stringify(tf));
    expect(tf.text).toContain('resource "aws_security_group" "web-sg" {');
    expect(tf.text).not.toContain('"aws_network_acl"');
    expect(tf.text).toBe(cli(['aws-nat.fw', '--to', 'terraform', '--firewall', 'web-sg']).out);
  });

  it('a file with errors: nothing exported, every error named as the CLI names it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwlang-export-'));
    const broken = path.join(dir, 'broken-for-export.fw');
    const text = `host web 10.0.0.5
firewall edge stateless protects 10.0.0.0/24 {
  inbound allow tcp from nobody to web port 443
  outbound allow tcp from web port 443 to nowhere port ephemeral
}
`;
    const uri = fileUri(broken);
    await client.open(uri, text);
    await client.diagnosticsFor(uri);
    const answer = await exportOf({ uri, firewall: 'edge', target: 'nftables' });
    expect(answer).toEqual({
      error: 'broken-for-export.fw has 2 errors: fix them to export',
      problems: [
        expect.stringMatching(/^broken-for-export\.fw:3:26: error unknown-name: .*nobody/),
        expect.stringMatching(/^broken-for-export\.fw:4:43: error unknown-name: .*nowhere/),
      ],
    });
    // The same lines as `fwlang export` prints on stderr for the file on disk.
    fs.writeFileSync(broken, text);
    try {
      const c = cli(['broken-for-export.fw', '--to', 'nftables'], dir);
      expect(c.code).toBe(1);
      expect(c.out).toBe('');
      if ('problems' in answer) expect(c.err).toEqual(answer.problems);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a file with more errors than the answer names: the first 1,000, then how many more', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwlang-export-'));
    const many = path.join(dir, 'many-errors.fw');
    const names = Array.from({ length: 1005 }, (_, i) => `nobody${i}`).join(', ');
    const text = `host web 10.0.0.5\nfirewall edge stateless protects web, ${names} {\n}\n`;
    const uri = fileUri(many);
    await client.open(uri, text);
    await client.diagnosticsFor(uri);
    const answer = await exportOf({ uri, target: 'nftables' });
    if (!('problems' in answer)) throw new Error(JSON.stringify(answer));
    expect(answer.error).toBe('many-errors.fw has 1005 errors: fix them to export');
    expect(answer.problems).toHaveLength(MAX_EXPORT_PROBLEMS + 1);
    expect(answer.problems.at(-1)).toBe('… and 5 more, not listed here: `fwlang export` lists them all');
    // The lines it names are the CLI's first ones, which go on to name every error.
    fs.writeFileSync(many, text);
    try {
      const c = cli(['many-errors.fw', '--to', 'nftables'], dir);
      expect(c.err).toHaveLength(1005);
      expect(answer.problems.slice(0, MAX_EXPORT_PROBLEMS)).toEqual(c.err.slice(0, MAX_EXPORT_PROBLEMS));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('what the target cannot express: each rule named, nothing exported', async () => {
    const uri = await openSample('catogram.fw');
    const answer = await exportOf({ uri, target: 'cloudformation' });
    if (!('problems' in answer)) throw new Error(JSON.stringify(answer));
    expect(answer.error).toBe('catogram.fw cannot be exported to CloudFormation');
    expect(answer.problems).toEqual(cli(['catogram.fw', '--to', 'cloudformation']).err);
    expect(answer.problems[0]).toMatch(/^catogram\.fw:\d+:\d+: error platform-unsupported: `edge` is a stateless firewall/);
  });

  it('says what is wrong with the request itself', async () => {
    const uri = await openSample('catogram.fw');
    expect(await exportOf({ uri, firewall: 'nope', target: 'nftables' })).toEqual({
      error: 'catogram.fw has no firewall nope',
      problems: [],
    });
    expect(await exportOf({ uri, target: 'pf' as never })).toEqual({
      error: 'cannot export to pf: use nftables, iptables, cloudformation, terraform',
      problems: [],
    });
    expect(await exportOf({ uri, target: 'terraform', onHost: true })).toEqual({
      error: "a host's own firewall is for nftables or iptables, not Terraform",
      problems: [],
    });
    expect(await exportOf({ uri: 'file:///not/open.fw', target: 'nftables' })).toEqual({
      error: 'the document is not open',
      problems: [],
    });
  });
});
