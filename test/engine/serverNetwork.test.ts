// §6: when the server is a network and the verdict differs between its addresses, the
// result says for which.
import { describe, expect, it } from 'vitest';
import { simulateFlow } from '../../server/src/engine/simulate';
import { buildModel } from '../../server/src/model/resolve';

describe('a network as the server', () => {
  it('names the server addresses whose connections pass and those that are dropped', () => {
    const model = buildModel(
      '/engine/server-net.fw',
      `network web 10.0.1.0/24
firewall f stateless protects 10.0.1.0/24 {
  inbound allow tcp to 10.0.1.0/25 port 443
  outbound allow tcp from 10.0.1.0/24 port 443 to any port ephemeral
}
flow 198.51.100.7 -> web https expect allow
`,
    );
    const r = simulateFlow(model, model.flows[0]!);
    expect(r.verdict).toBe('partial');
    expect(r.note).toBe('connections to 10.0.1.0/25 pass; to 10.0.1.128/25 none pass');
  });

  it('says nothing when every server address fares the same', () => {
    const model = buildModel(
      '/engine/server-net.fw',
      `network web 10.0.1.0/24
firewall f stateless protects 10.0.1.0/24 {
  inbound allow tcp to web port 443
  outbound allow tcp from web port 443 to any port ephemeral
}
flow 198.51.100.7 -> web https expect allow
`,
    );
    const r = simulateFlow(model, model.flows[0]!);
    expect(r.verdict).toBe('allowed');
    expect(r.note).toBeUndefined();
  });
});
