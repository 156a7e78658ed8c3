// The flow picture (issue 11), drawn from what the real parser and engine make of small files:
// what each picture says (hops, lines, verdict colours, drops, the port bar, the text
// alternative), then the whole SVG pinned as a file under __snapshots__/ (looked at in
// Chromium once; a change shows as a diff to review).
import { describe, expect, it } from 'vitest';
import { SPEC_EXAMPLE } from '../support/specExample';
import { flowDescription, flowSvg, firewallModes } from '../../server/src/pictures/flow';
import type { FlowJson } from '../../server/src/report/flowReport';
import { all, flowAt, hasClass, parseSvg, texts } from './support';

const snap = (name: string) => `./__snapshots__/${name}.svg`;

/** The hop labels: their two lines, their colour class and their data-line. */
function hopLabels(svg: string) {
  return all(parseSvg(svg))
    .filter((e) => hasClass(e, 'hop-label'))
    .map((g) => ({
      line: g.attrs['data-line'] ?? null,
      words: g.children.map((t) => t.text).join(' / '),
      cls: g.children[0]!.attrs.class,
    }));
}

const titleAndDesc = (svg: string) => {
  const root = parseSvg(svg);
  return { title: root.children.find((e) => e.name === 'title')?.text, desc: root.children.find((e) => e.name === 'desc')?.text };
};

const PARTIAL = `default ephemeral linux
host laptop 198.51.100.10
host winbox 198.51.100.11 ephemeral windows
host web2   192.0.2.12
firewall iana-range stateless protects web2 {
  inbound  allow tcp to web2 port https
  outbound allow tcp from web2 port https to any port 49152-65535
}
flow laptop -> web2 https expect allow
flow winbox -> web2 https expect allow
`;

const NAT = `network internet 0.0.0.0/0
network public   10.0.0.0/24
network private  10.0.1.0/24
host    dbsrv    10.0.1.20 ephemeral linux
host    site     203.0.113.50
nat     natgw    10.0.0.5
firewall public-acl aws-nacl protects public {
  110 inbound  allow tcp from private to internet port https
  140 inbound  allow tcp from internet to public port 1024-65535
  110 outbound allow tcp from public to internet port https
  140 outbound allow tcp from internet to private port 32768-65535
}
firewall db-sg aws-sg protects dbsrv {
  outbound allow tcp from dbsrv to internet port https
}
flow dbsrv -> site https via natgw expect allow
`;

describe('the flow picture', () => {
  it('an allowed flow through a stateless and a stateful firewall: each hop labelled with what decided it, in green', async () => {
    const { json, model } = flowAt(SPEC_EXAMPLE, 22);
    const svg = flowSvg(json, { modes: firewallModes(model) });
    expect(hopLabels(svg)).toEqual([
      { line: '10', words: '✔ ALLOW inbound / rule 100 (line 10)', cls: 'fw-ok' },
      { line: '11', words: '✔ ALLOW outbound / rule 110 (line 11)', cls: 'fw-ok' },
      { line: '18', words: '✔ ALLOW inbound / line 18', cls: 'fw-ok' },
      { line: null, words: '✔ ALLOW outbound / state', cls: 'fw-ok' },
    ]);
    const root = parseSvg(svg);
    // Stateful and stateless drawn differently: the conntrack symbol in the stateful box only
    // (and once in the legend), and the legend says which is which.
    expect(all(root).filter((e) => hasClass(e, 'fw-conntrack'))).toHaveLength(2);
    const t = texts(root);
    expect(t).toEqual(expect.arrayContaining(['edge', 'stateless', 'catogram-sg', 'stateful', 'bob', 'catogram', 'https']));
    expect(t.some((s) => s.startsWith('stateless: '))).toBe(true);
    expect(t.some((s) => s.startsWith('stateful: '))).toBe(true);
    // Nothing is dropped: no cross, every arrow of both ways drawn (3 each).
    expect(all(root).filter((e) => hasClass(e, 'fw-bad-line'))).toHaveLength(0);
    expect(all(root).filter((e) => e.name === 'polygon')).toHaveLength(6 + 2);
    expect(titleAndDesc(svg)).toEqual({
      title: 'bob -> catogram https — allowed',
      desc:
        'The flow bob -> catogram https is allowed (expect allow: met). The request passes edge (inbound, by rule 100 on line 10) ' +
        'and catogram-sg (inbound, by the rule on line 18). The response passes catogram-sg (outbound, by connection tracking) ' +
        'and edge (outbound, by rule 110 on line 11).',
    });
    await expect(svg).toMatchFileSnapshot(snap('flow-allowed'));
  });

  it('without the modes, a firewall that passed a response by state is drawn stateful, one that used a rule stateless', () => {
    const { json, model } = flowAt(SPEC_EXAMPLE, 22);
    expect(flowSvg(json)).toBe(flowSvg(json, { modes: firewallModes(model) }));
  });

  it('a blocked flow: the request stops at the firewall that drops it, with a cross, and there is no response', async () => {
    const { json, model } = flowAt(SPEC_EXAMPLE, 24);
    const svg = flowSvg(json, { modes: firewallModes(model) });
    expect(hopLabels(svg)).toEqual([{ line: null, words: '✘ DENY inbound / default', cls: 'fw-bad' }]);
    const root = parseSvg(svg);
    expect(all(root).filter((e) => e.name === 'path' && hasClass(e, 'fw-bad-line'))).toHaveLength(1); // the cross
    // Only the legend's arrowheads: no arrow reaches a box.
    expect(all(root).filter((e) => e.name === 'polygon')).toHaveLength(2);
    expect(texts(root)).toContain('no response: the request never gets through');
    expect(titleAndDesc(svg).desc).toBe(
      'The flow bob:51000 -> catogram tcp 22 is blocked (expect deny: met). ' +
        'The request is dropped at edge (inbound, by the default deny). There is no response: the request never gets through.',
    );
    await expect(svg).toMatchFileSnapshot(snap('flow-blocked'));
  });

  it('a partial flow: the client port range as a bar, its passing and dropped parts, and the profiles in each', async () => {
    const { json, model } = flowAt(PARTIAL, 9);
    expect(json.verdict).toBe('partial');
    const svg = flowSvg(json, { modes: firewallModes(model) });
    const root = parseSvg(svg);
    const bar = all(root).find((e) => hasClass(e, 'fw-port-bar'))!;
    expect(bar).toBeDefined();
    const rects = all(bar).filter((e) => e.name === 'rect');
    // Dropped 32768-49151 (red), passing 49152-60999 (green), over an axis of the client's ports;
    // the profiles that go on beyond it end in an arrowhead (windows to the right, wide both ways).
    const red = rects.find((r) => hasClass(r, 'fw-bad-fill'))!;
    const green = rects.find((r) => hasClass(r, 'fw-ok-fill'))!;
    expect(Number(red.attrs.x)).toBeLessThan(Number(green.attrs.x));
    expect(Number(red.attrs.x) + Number(red.attrs.width)).toBeCloseTo(Number(green.attrs.x), 0);
    expect(Number(red.attrs.width) / Number(green.attrs.width)).toBeCloseTo((49151 - 32768 + 1) / (60999 - 49152 + 1), 1);
    expect(all(bar).filter((e) => e.name === 'polygon')).toHaveLength(3);
    expect(texts(bar)).toEqual([
      'client ports 32768-60999: the response comes back to them',
      '32768',
      '60999',
      'client',
      '32768-49151 dropped',
      '49152-60999 pass',
      'linux',
      '32768-49151 dropped, 49152-60999 pass',
      'windows, macos, iana',
      '49152-60999 pass',
      'wide',
      '32768-49151 dropped, 49152-60999 pass',
    ]);
    expect(hopLabels(svg)).toEqual([
      { line: '6', words: '✔ ALLOW inbound / line 6', cls: 'fw-ok' },
      { line: null, words: '✘ DENY outbound / default', cls: 'fw-bad' },
    ]);
    expect(titleAndDesc(svg).desc).toContain(
      'The response is dropped at iana-range (outbound, by the default deny) for client ports 32768-49151; ports 49152-60999 pass.',
    );
    await expect(svg).toMatchFileSnapshot(snap('flow-partial'));
    // The Windows client's flow is allowed: no bar.
    const win = flowAt(PARTIAL, 10).json;
    expect(win.verdict).toBe('allowed');
    expect(flowSvg(win)).not.toContain('fw-port-bar');
  });

  it('a flow through a NAT gateway: the gateway between the legs, the address it rewrites to, both legs labelled', async () => {
    const { json, model } = flowAt(NAT, 16);
    expect(json.verdict).toBe('allowed');
    const svg = flowSvg(json, { modes: firewallModes(model) });
    const root = parseSvg(svg);
    expect(all(root).filter((e) => hasClass(e, 'fw-nat-box'))).toHaveLength(2); // the box and the legend's
    expect(texts(root)).toEqual(expect.arrayContaining(['natgw', 'NAT 10.0.0.5', 'NAT: source →', '10.0.0.5:1024']));
    expect(hopLabels(svg).map((h) => h.words)).toEqual([
      '✔ ALLOW outbound (leg 1) / line 14',
      '✔ ALLOW inbound (leg 1) / state',
      '✔ ALLOW inbound (leg 1) / rule 110 (line 8)',
      '✔ ALLOW outbound (leg 1) / rule 140 (line 11)',
      'NAT: source → / 10.0.0.5:1024',
      'NAT: back to / the client',
      '✔ ALLOW outbound (leg 2) / rule 110 (line 10)',
      '✔ ALLOW inbound (leg 2) / rule 140 (line 9)',
    ]);
    await expect(svg).toMatchFileSnapshot(snap('flow-nat'));
  });

  it('a response that answers another request: the path is read from both ways (the request stops early)', () => {
    const json: FlowJson = {
      flow: 'a -> b https',
      line: null,
      verdict: 'partial',
      expect: null,
      met: true,
      request: {
        verdict: 'blocked',
        hops: [{ firewall: 'f1', direction: 'outbound', action: 'deny', by: 'rule', rule: 5, line: 3 }],
      },
      response: {
        verdict: 'allowed',
        allowedClientPorts: '1024-65535',
        blockedClientPorts: '',
        hops: [
          { firewall: 'f2', direction: 'outbound', action: 'allow', by: 'state', rule: null, line: null },
          { firewall: 'f1', direction: 'inbound', action: 'allow', by: 'rule', rule: null, line: 4 },
        ],
      },
    };
    const svg = flowSvg(json);
    const t = texts(parseSvg(svg));
    expect(t.indexOf('f1')).toBeLessThan(t.indexOf('f2'));
    expect(t).toContain('the response shown answers a request that gets through');
    expect(svg).toContain('id="fwlang-flow"');
    expect(flowSvg(json, { idPrefix: 'p2-' })).toContain('id="p2-fwlang-flow"');
    expect(flowDescription(json)).toBe(
      'The flow a -> b https is partial. The request is dropped at f1 (outbound, by rule 5 on line 3). ' +
        'The response passes f2 (outbound, by connection tracking) and f1 (inbound, by the rule on line 4).',
    );
  });

  it('text is escaped: a flow text with < & > stays well-formed XML', () => {
    const { json } = flowAt(SPEC_EXAMPLE, 22);
    const svg = flowSvg({ ...json, flow: 'a<b> & "c" -> d https', note: "it's <odd>" });
    const root = parseSvg(svg);
    expect(texts(root)).toContain("note: it's <odd>");
  });
});

const MANY = `network office 198.51.100.0/30
host web 10.0.2.20
host bob 198.51.100.23
host lonely 192.0.2.1
host other 192.0.2.2
firewall sg stateful protects web {
  inbound allow tcp from 198.51.100.0/31 to web port 443
  inbound allow tcp to web port 80
}
firewall edge stateless protects 10.0.2.0/24 {
  100 inbound  allow tcp to web port [80, 443]
  110 outbound allow tcp from web port 80 to any port [32768-40000, 40100-40200, 40300-40400, 50000-51000, 52000-52001, 60000]
  120 outbound allow tcp from web port 443 to any port ephemeral
}
flow office -> web https
flow bob -> web http expect allow
flow lonely -> other https
`;

describe('the flow picture, what has no place in the row', () => {
  it('client addresses that fare differently: lines under the row and sentences in the description', () => {
    const svg = flowSvg(flowAt(MANY, 15).json);
    const t = texts(parseSvg(svg));
    expect(t).toEqual(expect.arrayContaining(['client addresses passing: 198.51.100.0/31', 'client addresses dropped: 198.51.100.2/31']));
    expect(titleAndDesc(svg).desc).toMatch(
      /Client addresses passing: 198\.51\.100\.0\/31\. Client addresses dropped: 198\.51\.100\.2\/31\.$/,
    );
  });

  it('many passing and dropped parts: no label per part, two lines of ports cut short, the profiles counted', () => {
    const { json } = flowAt(MANY, 16);
    expect(json.verdict).toBe('partial');
    const root = parseSvg(flowSvg(json));
    const bar = all(root).find((e) => hasClass(e, 'fw-port-bar'))!;
    expect(all(bar).filter((e) => hasClass(e, 'fw-ok-fill') || hasClass(e, 'fw-bad-fill')).length).toBeGreaterThan(6);
    const t = texts(bar);
    expect(t).toContain('pass: 32768-40000,40100-40200,40300-40400,50000-51000,52000-52001,60000');
    expect(t.find((s) => s.startsWith('dropped: '))).toMatch(/^dropped: 1024-32767,40001-40099,.* and \d+ more ranges$/);
    expect(t).toContain('19793 ports dropped, 8439 ports pass'); // linux: 32768-60999
    expect(t.some((s) => / (dropped|pass)$/.test(s) && s.includes('-') && !s.includes(':'))).toBe(false);
  });

  it('no firewall crossed: client and server only, arrows both ways, the note in words', () => {
    const svg = flowSvg(flowAt(MANY, 17).json);
    const root = parseSvg(svg);
    expect(all(root).filter((e) => hasClass(e, 'hop-label'))).toEqual([]);
    expect(texts(root)).toContain('note: no firewall is crossed between the client and the server');
    expect(titleAndDesc(svg).desc).toBe(
      'The flow lonely -> other https is allowed. Note: no firewall is crossed between the client and the server.',
    );
  });
});
