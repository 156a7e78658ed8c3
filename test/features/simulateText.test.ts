// "Simulate a flow" and "simulate a request like this rule" on a file with many flows and
// errors (fuzz seed 12012, document 98925: a 1 MB line of 116,000 rules, 2 to 14 s a typed
// flow). Whether a typed flow is refused was worked out again from every diagnostic and every
// flow's `via` for each flow typed; the file's part is now kept per analysis.

import { describe, expect, it } from 'vitest';
import { simulateText } from '../../server/src/features/simulation';
import { docContext } from '../support/docContext';
import { countSetOps } from '../support/setOps';

const setOps = countSetOps;

const file = (flows: number, broken: boolean) =>
  `host alice 198.51.100.7
host web 10.0.1.10
firewall edge stateless protects 10.0.1.0/24 {
  inbound allow tcp to web port https
  outbound allow tcp from web port https to any port 1024-65535
}
${'flow alice -> web https via edge\n'.repeat(flows)}${broken ? 'flow alice -> nosuch https\nhost\n' : ''}`;

describe('simulateText', () => {
  it("a typed flow's work does not grow with the file's flows", () => {
    const cost = (flows: number, broken: boolean) => {
      const ctx = docContext(file(flows, broken));
      simulateText(ctx, 'alice -> web https');
      return setOps(() => simulateText(ctx, 'alice -> web https via edge'));
    };
    const ok = cost(100, false);
    expect(ok.value).toMatchObject({ title: '• allowed' });
    expect(cost(200, false).n).toBe(ok.n);
    const refused = cost(100, true);
    expect('error' in refused.value && refused.value.error).toMatch(
      /^`alice -> web https via edge` is not simulated: syntax error on line \d+/,
    );
    expect(cost(200, true).n).toBe(refused.n);
  });

  it("a typed flow's own errors and flow-path refuse it, and the file's refuse every one", () => {
    const ctx = docContext(file(3, false));
    expect(simulateText(ctx, 'alice -> web https via nosuch')).toEqual({ error: 'unknown firewall `nosuch`' });
    const notCrossed = simulateText(ctx, 'web -> web https via edge');
    expect('error' in notCrossed && notCrossed.error).toMatch(
      /is not simulated: flow-path error.*`via edge`: both `web` and `web` are inside `edge`/,
    );
    const broken = docContext(file(3, true));
    const r = simulateText(broken, 'alice -> web https');
    expect('error' in r && r.error).toMatch(/is not simulated: syntax error on line 11: expected a host name after `host`/);
  });
});
