// Engine regressions found by checking the samples (samples/*.fw, samples/EXPECTED.md)
// against the contract (/work/shared/spec/language.md, cli.md). Each test uses the real
// parser, resolver and simulator, and fails until the engine is fixed.
import { describe, expect, it } from 'vitest';
import { simulateFlow } from '../../server/src/engine/simulate';
import { buildModel } from '../../server/src/model/resolve';

function simulateOnly(text: string) {
  const model = buildModel('/virtual/regression.fw', text);
  expect(model.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const [flow] = model.flows;
  if (!flow || model.flows.length !== 1) throw new Error('expected exactly one resolved flow');
  return simulateFlow(model, flow);
}

describe('engine regressions', () => {
  // cli.md: "`flow` is the flow as written, without the keyword and the `expect` clause,
  // with runs of white space made one space." language.md §2: "an IPv6 client with a port
  // is written `[2001:db8::5]:51000`". samples/ipv6-dns.fw L48 comes out of
  // `simulate --json` as "2001:db8:100::25]:53000 -> resolver6 dns-tcp": the opening
  // bracket is lost (flowText in server/src/model/resolve.ts starts the text at the
  // client's span, which begins after the `[`).
  it('keeps the brackets of an IPv6 client with a port in the flow text', () => {
    const r = simulateOnly(`
host resolver6 2001:db8:53::53
firewall acl stateless protects resolver6 {
  inbound  allow tcp to resolver6 port 53
  outbound allow tcp from resolver6 port 53 to any port ephemeral
}
flow [2001:db8:100::25]:53000 -> resolver6 tcp 53 expect allow
`);
    expect(r.verdict).toBe('allowed');
    expect(r.flow.text).toBe('[2001:db8:100::25]:53000 -> resolver6 tcp 53');
  });

  // language.md §6: "A flow whose path is empty is `allowed` with a note that no firewall
  // is crossed." (samples/office.fw L43, desk-17 -> fileserver smb.) simulateFlow returns
  // no note, so the `simulate --json` result carries none either (its `note` field is only
  // set when the client and server share no address family); only the text renderer
  // prints "no firewall is crossed", inferred from the empty hop list.
  it('notes that no firewall is crossed when the path is empty', () => {
    const r = simulateOnly(`
network lan 10.40.0.0/24
host desk 10.40.0.17
host fileserver 10.40.0.5
firewall gw stateful protects lan {
  outbound allow all
}
flow desk -> fileserver tcp 445 expect allow
`);
    expect(r.path).toEqual([]);
    expect(r.verdict).toBe('allowed');
    expect(r.note).toMatch(/no firewall/i);
  });
});
