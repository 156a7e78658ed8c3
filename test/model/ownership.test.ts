// Ownership: which file a firewall, rule, flow or name belongs to, and what lies under an
// offset of a file, for a root file that includes another.

import { describe, expect, it } from 'vitest';
import { firewallsOf, flowsOf, isOwn, nodeAt, referencesOf, ruleAt, rulesOf, symbolsOf, textOf } from '../../server/src/model/ownership';
import { buildModel } from '../../server/src/model/resolve';
import type { FileHost } from '../../server/src/model/types';

const INC = [
  'host db 10.0.2.20',
  'firewall back stateful protects 10.0.2.0/24 {',
  '  inbound allow tcp from any to db port 5432',
  '}',
  '',
].join('\n');
const ROOT = [
  'include "inc.fw"',
  'host web 10.0.1.10',
  'firewall front stateful protects 10.0.1.0/24 {',
  '  inbound allow tcp from any to web port https',
  '}',
  'flow web -> db tcp 5432',
  '',
].join('\n');

const host: FileHost = {
  readFile: (p) => (p === '/w/inc.fw' ? INC : undefined),
  resolve: (_from, rel) => `/w/${rel}`,
};
const model = buildModel('/w/root.fw', ROOT, host);

describe('ownership', () => {
  it('the model mixes both files; the root file’s own things are asked for by file', () => {
    expect(model.firewalls.map((f) => f.name)).toEqual(['back', 'front']);
    expect(firewallsOf(model).map((f) => f.name)).toEqual(['front']);
    expect(firewallsOf(model, '/w/inc.fw').map((f) => f.name)).toEqual(['back']);
    expect(rulesOf(model).map(({ firewall, rule }) => `${firewall.name}:${rule.file}`)).toEqual(['front:/w/root.fw']);
    expect(flowsOf(model).map((f) => f.text)).toEqual(['web -> db tcp 5432']);
    expect(symbolsOf(model).map((s) => s.name)).toEqual(['web', 'front']);
    expect(symbolsOf(model, '/w/inc.fw').map((s) => s.name)).toEqual(['db', 'back']);
    expect(referencesOf(model).every((r) => r.file === '/w/root.fw')).toBe(true);
    expect(textOf(model, '/w/inc.fw')).toBe(INC);
    expect(isOwn(model, {})).toBe(true);
    expect(isOwn(model, { file: '/w/inc.fw' })).toBe(false);
  });

  it('an offset of a file finds that file’s rule, not the rule of the other file at the same offset', () => {
    // Both files have a rule on line 3; the included one starts at an offset inside the root's.
    const rootRule = ROOT.indexOf('  inbound') + 4;
    const incRule = INC.indexOf('  inbound') + 4;
    expect(ruleAt(model, '/w/root.fw', rootRule)?.firewall.name).toBe('front');
    expect(ruleAt(model, '/w/inc.fw', incRule)?.firewall.name).toBe('back');
    expect(ruleAt(model, '/w/root.fw', incRule)?.firewall.name).not.toBe('back');
  });

  it('nodeAt gives the innermost thing: a name, else a rule, a flow, a firewall', () => {
    const at = (needle: string, delta = 0) => nodeAt(model, model.root, ROOT.indexOf(needle) + delta);
    expect(at('web port', 1)).toMatchObject({ kind: 'name', ref: { name: 'web' } });
    expect(at('allow')).toMatchObject({ kind: 'rule', firewall: { name: 'front' } });
    expect(at('-> db')).toMatchObject({ kind: 'flow', flow: { text: 'web -> db tcp 5432' } });
    expect(at('stateful')).toMatchObject({ kind: 'firewall', firewall: { name: 'front' } });
    expect(at('include')).toBeUndefined();
  });
});
