// An unknown name written many times (a fuzzed megabyte line `protects web, web, …`, fuzz seed
// 1143 case 60364): each use gets its diagnostic and its "did you mean", and the closest name
// is looked for once per name while no name is added (resolve.ts namesNow), not once per use.
import { describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ n: 0 }));
vi.mock('../../server/src/model/suggest', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../server/src/model/suggest')>();
  return {
    closestName: (name: string, candidates: Iterable<string>) => {
      calls.n++;
      return real.closestName(name, candidates);
    },
  };
});

import { check } from '../../server/src/analysis/analyze';

describe('an unknown name used many times', () => {
  it('gets a diagnostic and a suggestion at every use, the suggestion looked for once', () => {
    const uses = 2000;
    const text = `host wbe 10.0.1.10\nfirewall fw stateless protects ${Array<string>(uses).fill('web').join(', ')} {\n  inbound allow tcp to wbe port 443\n}\nflow 198.51.100.1 -> wbe https\n`;
    calls.n = 0;
    const unknown = check('/u.fw', text).diagnostics.filter((d) => d.code === 'unknown-name');
    expect(unknown).toHaveLength(uses);
    for (const d of unknown) {
      expect(d.message).toBe('unknown host or network `web` — did you mean `wbe`?');
      expect(d.fixes?.map((f) => [f.title, f.edits[0]!.newText, text.slice(f.edits[0]!.span.start, f.edits[0]!.span.end)])).toEqual([
        ['Change to `wbe`', 'wbe', 'web'],
      ]);
    }
    expect(calls.n).toBe(1);
  });

  it('the same word unknown as an endpoint and as a service gets the suggestion of each kind', () => {
    const text =
      'host sshd 10.0.0.5\nfirewall a stateless protects 10.0.0.0/24 {\n  inbound allow tcp from sshh to any port sshh\n  inbound allow tcp from sshh to any port sshh\n}\n';
    calls.n = 0;
    const unknown = check('/v.fw', text).diagnostics.filter((d) => d.code === 'unknown-name');
    expect(unknown.map((d) => d.message)).toEqual([
      'unknown host or network `sshh` — did you mean `sshd`?',
      'unknown service `sshh` — did you mean `ssh`?',
      'unknown host or network `sshh` — did you mean `sshd`?',
      'unknown service `sshh` — did you mean `ssh`?',
    ]);
    expect(calls.n).toBe(2);
  });
});
