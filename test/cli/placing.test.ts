// The command line places each error it prints on its line with one line index per file, not
// one per error: `fwlang simulate` of a 1.5 MB fuzzed file with 17,000 errors made a line index
// of the whole file per error and ran for minutes. `export` (the rules it cannot write),
// `graph` (the errors that refuse a picture) and `check --fix` (its log of fixes) print as
// many; each is run here on 50 and on 400, counting the line indexes made.
import * as path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { LineIndex } from '../../server/src/core/text';
import { main } from '../../server/src/cli/main';
import { removeTempFiles, tempFiles } from './support';

afterAll(removeTempFiles);

/** Line indexes made by `fwlang ARGS` on a file made of `text`, its stderr swallowed. */
async function indexesMade(
  name: string,
  text: string,
  args: (file: string) => string[],
): Promise<{ made: number; code: number; out: string }> {
  const dir = tempFiles({ [name]: text });
  const file = path.join(dir, name);
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const out: string[] = [];
  const before = LineIndex.made;
  try {
    const code = await main(args(file), (s) => out.push(s));
    return { made: LineIndex.made - before, code, out: out.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

describe('the command line places many errors with one line index per file', () => {
  it('export: a network ACL rule with a source port, n times', async () => {
    const acl = (n: number) =>
      'firewall acl aws-nacl protects 10.0.0.0/24 {\n' +
      Array.from({ length: n }, (_, i) => `  ${i + 1} inbound allow tcp from any port 443\n`).join('') +
      '}\n';
    const run = (n: number) => indexesMade(`acl-${n}.fw`, acl(n), (f) => ['export', f, '--to', 'terraform']);
    const small = await run(50);
    expect(small.code).toBe(1);
    expect((await run(400)).made).toBe(small.made);
  });

  it('graph: unknown names in rules, n times', async () => {
    const unknown = (n: number) =>
      'firewall fw stateful protects 10.0.0.0/8 {\n' +
      Array.from({ length: n }, (_, i) => `  inbound allow tcp from u${i} to 10.0.0.1 port 443\n`).join('') +
      '}\n';
    const run = (n: number) => indexesMade(`g-${n}.fw`, unknown(n), (f) => ['graph', f, '--svg', `${f}.svg`]);
    const small = await run(50);
    expect(small.code).toBe(1);
    expect((await run(400)).made).toBe(small.made);
  });

  it('check --fix: a log line per fix', async () => {
    // Requests of a stateless firewall without their responses: a response rule added for each.
    const requests = (n: number) =>
      'host web 10.0.1.10\nfirewall fw stateless protects web {\n' +
      Array.from({ length: n }, (_, i) => `  inbound allow tcp to web port ${8000 + i}\n`).join('') +
      '}\n';
    const run = (n: number) => indexesMade(`fix-${n}.fw`, requests(n), (f) => ['check', f, '--fix']);
    const small = await run(50);
    expect(small.out).toMatch(/; 50 fixed$/);
    expect((await run(400)).made).toBe(small.made);
  });
});
