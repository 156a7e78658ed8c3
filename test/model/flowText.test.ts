// resolveFlowText (`simulate --flow`, the editor's "simulate a flow" and "simulate a request
// like this rule"): a typed flow resolves as if written at the end of the file. It is resolved
// against the file's model, not by parsing and resolving the whole file again (fuzz seed 12012,
// documents 44628 and 98925: 1 MB files, each typed flow parsed them again, up to 14 s).

import { describe, expect, it } from 'vitest';
import { formatAddrSet } from '../../server/src/core/address';
import { simulateFlow } from '../../server/src/engine/simulate';
import { buildModel, resolveFlowText } from '../../server/src/model/resolve';
import type { FileHost, Model } from '../../server/src/model/types';
import { countSetOps } from '../support/setOps';

const setOps = countSetOps;

const inventory = 'host alice 198.51.100.7\nnat natgw 10.0.0.5\n';
function host(files: Record<string, string>): FileHost {
  return { readFile: (p) => files[p], resolve: (_from, rel) => `/t/${rel}` };
}

const file = (copies: number) =>
  `include "inventory.fw"
host web 10.0.1.10
network inside 10.0.0.0/16
${'firewall edge stateless protects inside {\n  inbound allow tcp to web port https\n  outbound allow tcp from web port https to any port 1024-65535\n}\n'.repeat(copies)}
flow alice -> web https
`;

/** The same flow resolved by building the whole text again (a model resolveFlowText did not build). */
function rebuilt(model: Model, flow: string, h: FileHost) {
  return resolveFlowText({ ...model }, flow, h);
}

describe('resolveFlowText', () => {
  it("a typed flow's work does not grow with the file", () => {
    const h = host({ '/t/inventory.fw': inventory });
    const cost = (copies: number) => {
      const model = buildModel('/t/main.fw', file(copies), h);
      const r = setOps(() => resolveFlowText(model, 'alice -> web https', h));
      expect(r.value.flow?.text).toBe('alice -> web https');
      expect(r.value.model.firewalls).toHaveLength(copies);
      return r.n;
    };
    expect(cost(400)).toBe(cost(50));
  });

  it('resolves as building the file with the flow appended does', () => {
    const h = host({ '/t/inventory.fw': inventory });
    const model = buildModel('/t/main.fw', file(2), h);
    for (const typed of [
      'alice -> web https expect allow',
      'alice:40000 -> web tcp 443',
      'alice -> web https via edge',
      'web -> alice https via natgw',
      'alice -> nosuch https',
      'alice -> web https via alice',
      'alice -> -> web',
      'inside -> web udp 53 # a comment',
      '',
    ]) {
      const fast = resolveFlowText(model, typed, h);
      const full = rebuilt(model, typed, h);
      expect(fast.model.firewalls).toBe(model.firewalls);
      expect(full.model.firewalls).not.toBe(model.firewalls);
      expect(fast.diagnostics.map((d) => [d.code, d.message, d.span])).toEqual(full.diagnostics.map((d) => [d.code, d.message, d.span]));
      expect(!!fast.flow).toBe(!!full.flow);
      if (!fast.flow || !full.flow) continue;
      const shape = (r: typeof fast) => {
        const f = r.flow!;
        const s = simulateFlow(r.model, f);
        return {
          text: f.text,
          span: f.node.span,
          client: formatAddrSet(f.client.addresses),
          server: formatAddrSet(f.server.addresses),
          ports: [f.clientPorts.toString(), f.serverPorts.toString(), f.proto],
          via: f.via?.map((fw) => fw.name),
          nat: f.nat?.name,
          expect: f.expect,
          verdict: [s.verdict, s.met, s.path.map((fw) => fw.name), s.request.hops.map((x) => x.action)],
        };
      };
      expect(shape(fast)).toEqual(shape(full));
      expect(fast.model.diagnostics.filter((d) => d.span.start >= model.text.length)).toHaveLength(
        full.model.diagnostics.filter((d) => d.span.start >= model.text.length).length,
      );
    }
  });

  it('includes that read differently now are read again', () => {
    const files = { '/t/inventory.fw': inventory };
    const h = host(files);
    const model = buildModel('/t/main.fw', file(1), h);
    files['/t/inventory.fw'] = 'host alice 203.0.113.9\nnat natgw 10.0.0.5\n';
    const r = resolveFlowText(model, 'alice -> web https', h);
    expect(formatAddrSet(r.flow!.client.addresses)).toBe('203.0.113.9');
    expect(r.model.firewalls).not.toBe(model.firewalls);
  });

  it('an include that still cannot be read keeps the fast path; one readable now is read', () => {
    const files: Record<string, string> = {};
    const h = host(files);
    const text = `include "inventory.fw"\nhost web 10.0.1.10\n${'firewall edge stateless protects web {\n}\n'.repeat(20)}`;
    const model = buildModel('/t/main.fw', text, h);
    expect(model.diagnostics.map((d) => d.code)).toContain('include-error');
    const missing = resolveFlowText(model, 'web -> web https', h);
    expect(missing.model.firewalls).toBe(model.firewalls);
    expect(missing.added).toBeDefined();
    expect(missing.flow?.text).toBe(rebuilt(model, 'web -> web https', h).flow?.text);
    expect(resolveFlowText(model, 'alice -> web https', h).diagnostics.map((d) => d.message)).toEqual(['unknown host or network `alice`']);
    files['/t/inventory.fw'] = inventory;
    const found = resolveFlowText(model, 'alice -> web https', h);
    expect(found.model.firewalls).not.toBe(model.firewalls);
    expect(formatAddrSet(found.flow!.client.addresses)).toBe('198.51.100.7');
  });

  it('another ephemeral setting than the model was built with resolves the file again', () => {
    const h = host({ '/t/inventory.fw': inventory });
    const model = buildModel('/t/main.fw', file(1), h);
    const r = resolveFlowText(model, 'alice -> web https', h, { defaultEphemeral: 'linux' });
    expect(r.flow?.clientPorts.toString()).toBe('32768-60999');
    expect(resolveFlowText(model, 'alice -> web https', h).flow?.clientPorts.toString()).toBe('1024-65535');
  });
});
