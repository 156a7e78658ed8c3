// Spec §6 path inference, checked against a plain reading of the spec written in this test:
// the firewalls whose inside holds the client and that the request leaves (outbound), smallest
// inside first, then those whose inside holds the server and that it enters (inbound), largest
// inside first, ties in file order. The engine decides once per group of firewalls with the same
// inside (engine/simulate.ts inferFirewalls); the random files here repeat insides, mix kinds and
// sizes, and give ACLs several subnets, so that groups tie, interleave and differ by kind.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crossesSome } from '../../server/src/engine/firewall';
import { requestBoxes, simulateFlow } from '../../server/src/engine/simulate';
import { buildModel } from '../../server/src/model/resolve';
import type { Firewall, Flow, Model } from '../../server/src/model/types';

const INSIDES = ['big', 'mid', 'small', 'web', 'other', 'mid, other', 'small, web', '10.0.0.0/8'];
const KINDS = ['stateless', 'stateful', 'aws-nacl', 'aws-sg'];
const ENDS = ['alice', 'web', 'db', 'far', 'mid', 'small'];

const arbFile = fc.record({
  firewalls: fc.array(fc.record({ inside: fc.constantFrom(...INSIDES), kind: fc.constantFrom(...KINDS) }), {
    minLength: 1,
    maxLength: 14,
  }),
  flows: fc.array(fc.record({ client: fc.constantFrom(...ENDS), server: fc.constantFrom(...ENDS) }), {
    minLength: 1,
    maxLength: 5,
  }),
});

function fileText(f: typeof arbFile extends fc.Arbitrary<infer T> ? T : never): string {
  const head = `network big 10.0.0.0/16
network mid 10.0.1.0/24
network small 10.0.1.0/28
network other 10.0.2.0/24
host alice 10.0.1.5
host web 10.0.1.20
host db 10.0.2.9
host far 192.0.2.7
`;
  const fws = f.firewalls.map(
    (fw, i) => `firewall f${i} ${fw.kind} protects ${fw.inside} {\n  inbound allow tcp from any to any port 443\n}\n`,
  );
  const flows = f.flows.filter((x) => x.client !== x.server).map((x) => `flow ${x.client} -> ${x.server} https\n`);
  return head + fws.join('') + flows.join('');
}

/** §6 as written: each firewall asked on its own, then sorted by inside size and file order. */
function specPath(m: Model, flow: Flow): Firewall[] {
  const request = requestBoxes(flow);
  const crosses = (fw: Firewall, d: 'inbound' | 'outbound') => request.some((b) => crossesSome(fw, d, b));
  const client = m.firewalls.filter((fw) => fw.inside.intersects(flow.client.addresses) && crosses(fw, 'outbound'));
  const server = m.firewalls.filter((fw) => !client.includes(fw) && fw.inside.intersects(flow.server.addresses) && crosses(fw, 'inbound'));
  const size = (fw: Firewall) => fw.inside.size();
  const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  client.sort((a, b) => cmp(size(a), size(b)) || a.order - b.order);
  server.sort((a, b) => cmp(size(b), size(a)) || a.order - b.order);
  return [...client, ...server];
}

describe('§6 path inference', () => {
  it('is the spec order, firewall by firewall, whatever the insides the firewalls share', () => {
    fc.assert(
      fc.property(arbFile, (f) => {
        const m = buildModel('/paths/test.fw', fileText(f));
        expect(m.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        for (const flow of m.flows) {
          const names = (p: Firewall[]) => p.map((fw) => fw.name);
          expect(names(simulateFlow(m, flow).path)).toEqual(names(specPath(m, flow)));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('ties between groups of one size go by file order, not group by group', () => {
    // A security group and an ACL on one network are two groups (kind matters to §5.1) of one
    // size: in turns in the file, they are in turns on the path.
    const m = buildModel(
      '/paths/tie.fw',
      `network mid 10.0.1.0/24
network other 10.0.2.0/24
host alice 10.0.1.5
host far 192.0.2.7
firewall a stateless protects mid {\n}
firewall s1 aws-sg protects mid {\n}
firewall c stateless protects mid, other {\n}
firewall d stateless protects mid {\n}
firewall s2 aws-sg protects mid {\n}
flow far -> alice https
flow alice -> far https
`,
    );
    const [toAlice, fromAlice] = m.flows.map((f) => simulateFlow(m, f).path.map((fw) => fw.name));
    expect(toAlice).toEqual(['c', 'a', 's1', 'd', 's2']);
    expect(fromAlice).toEqual(['a', 's1', 'd', 's2', 'c']);
  });
});
