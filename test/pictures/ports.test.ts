// The ports picture of a stateless firewall (issue 11): what each rule that opens ports toward
// clients opens, against what the clients of the requests it answers need; the service ports
// and the ephemeral ranges in use. Checked against the analysis (broad-response names the same
// ports on the same lines in every sample), then pinned as an SVG file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { buildModel } from '../../server/src/model/resolve';
import { nodeFileHost } from '../../server/src/node/fileHost';
import { modelLines } from '../../server/src/report/flowReport';
import { portsSvg } from '../../server/src/pictures/ports';
import { all, hasClass, modelOf, parseSvg, texts } from './support';

const FILE = `default ephemeral linux
host web2 192.0.2.12
host web3 192.0.2.13
host web6 192.0.2.16
firewall iana-range stateless protects web2 {
  inbound  allow tcp to web2 port https
  outbound allow tcp from web2 port https to any port 49152-65535
}
firewall wide-open stateless protects web3 {
  inbound  allow tcp to web3 port [ssh, https]
  outbound allow tcp from web3 port [ssh, https] to any port 0-65535
}
firewall exact stateless protects web2 {
  inbound  allow tcp to web2 port http
  outbound allow tcp from web2 port http to any port ephemeral
}
firewall sg stateful protects web6 {
  inbound allow tcp to web6 port https
}
`;

/** Each rule row of the picture: its line and the words beside its bar. */
function rows(svg: string) {
  return all(parseSvg(svg))
    .filter((e) => hasClass(e, 'fw-response-rule'))
    .map((g) => ({ line: Number(g.attrs['data-line']), words: texts(g).slice(1) }));
}

describe('the ports picture', () => {
  const model = modelOf(FILE);
  const fw = (name: string) => model.firewalls.find((f) => f.name === name)!;

  it('partial: the response rule opens 49152-65535, the Linux clients it answers need 32768-60999', async () => {
    const svg = portsSvg(model, fw('iana-range'));
    expect(rows(svg)).toEqual([
      {
        line: 7,
        words: ["too broad: opens 61000-65535, no client's", 'partial: misses 32768-49151 of linux', 'answers line 6: clients linux'],
      },
    ]);
    const root = parseSvg(svg);
    expect(root.children.find((e) => e.name === 'title')?.text).toBe('Ports of iana-range: what it opens toward clients');
    expect(root.children.find((e) => e.name === 'desc')?.text).toContain(
      'The rule on line 7 opens ports 49152-65535 toward clients, 61000-65535 that no client it answers uses, and misses 32768-49151 that its clients use.',
    );
    // The service port 443 marked; the ranges in use as bands.
    expect(texts(root)).toEqual(expect.arrayContaining(['443', 'linux', 'windows, macos, iana', 'wide']));
    await expect(svg).toMatchFileSnapshot('./__snapshots__/ports-iana-range.svg');
  });

  it('too broad: 0-65535 opens the well-known ports and ports no client picks; 22 and 443 marked', async () => {
    const svg = portsSvg(model, fw('wide-open'));
    expect(rows(svg)).toEqual([
      {
        line: 11,
        words: [
          'too broad: opens 0-1023 (well-known)',
          "too broad: opens 1024-32767,61000-65535, no client's",
          'answers line 10: clients linux',
        ],
      },
    ]);
    const root = parseSvg(svg);
    const bar = all(root).find((e) => hasClass(e, 'fw-response-rule'))!;
    expect(all(bar).filter((e) => hasClass(e, 'fw-bad-fill'))).toHaveLength(1); // 0-1023
    expect(all(bar).filter((e) => hasClass(e, 'fw-orange-fill'))).toHaveLength(2); // 1024-32767, 61000-65535
    expect(texts(root)).toEqual(expect.arrayContaining(['22', '443']));
    await expect(svg).toMatchFileSnapshot('./__snapshots__/ports-wide-open.svg');
  });

  it('a response rule that opens what its clients need, and a stateful firewall with none', () => {
    expect(rows(portsSvg(model, fw('exact')))).toEqual([
      { line: 15, words: ['opens 32768-60999: what its clients need', 'answers line 14: clients linux'] },
    ]);
    const sg = portsSvg(model, fw('sg'));
    expect(rows(sg)).toEqual([]);
    expect(texts(parseSvg(sg))).toContain('none of its rules opens ports toward clients');
  });

  it('agrees with broad-response on every sample: the same lines, the same ports below 1024 and outside the clients’ ranges', () => {
    const dir = path.join(__dirname, '..', '..', 'samples');
    const fromPictures: string[] = [];
    const fromAnalysis: string[] = [];
    for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.fw'))) {
      const file = path.join(dir, name);
      const m = buildModel(file, fs.readFileSync(file, 'utf8'), nodeFileHost());
      for (const f of m.firewalls.filter((x) => x.mode === 'stateless')) {
        for (const r of rows(portsSvg(m, f))) {
          for (const w of r.words) {
            const low = /^too broad: opens (\S+) \(well-known\)$/.exec(w);
            const unused = /^too broad: opens (\S+), no client's$/.exec(w);
            if (low) fromPictures.push(`${name}:${r.line} below 1024 ${low[1]}`);
            if (unused) fromPictures.push(`${name}:${r.line} unused ${unused[1]}`);
          }
        }
      }
      const lines = modelLines(m);
      for (const d of analyze(m).diagnostics.filter((x) => x.code === 'broad-response')) {
        const at = `${name}:${lines.line(m.root, d.span.start)}`;
        const low = /lets packets reach ports (\S+) of .* below 1024/.exec(d.message);
        const unused = /opens ports (\S+) of .* that no client of the requests it serves uses/.exec(d.message);
        if (low) fromAnalysis.push(`${at} below 1024 ${low[1]}`);
        if (unused) fromAnalysis.push(`${at} unused ${unused[1]}`);
      }
    }
    expect(fromAnalysis.length).toBeGreaterThan(0);
    expect(fromPictures.sort()).toEqual(fromAnalysis.sort());
  });

  it('draws the first 40 response rules and names the first 6 request lines each, counting the rest', () => {
    // A paste of thousands of each drew a row per rule naming every request it answers: a
    // 72 MB hover (fuzz document 12128 of seed 1138).
    const many = (responses: number, requests: number) =>
      `default ephemeral linux\nhost web 192.0.2.12\nfirewall big stateless protects web {\n` +
      Array.from({ length: requests }, () => '  inbound allow tcp to web port https\n').join('') +
      Array.from({ length: responses }, () => '  outbound allow tcp from web port https to any port ephemeral\n').join('') +
      '}\n';
    const picture = (responses: number, requests: number) => {
      const m = modelOf(many(responses, requests));
      return portsSvg(m, m.firewalls[0]!);
    };
    const svg = picture(100, 50);
    const drawn = rows(svg);
    expect(drawn).toHaveLength(40);
    expect(drawn[0]).toEqual({
      line: 54,
      words: ['opens 32768-60999: what its clients need', 'answers lines 4, 5, 6, 7, 8, 9 and 44 more: clients linux'],
    });
    expect(drawn[39]!.line).toBe(93);
    expect(texts(parseSvg(svg))).toContain('and 60 more response rules (lines 94–153), not drawn');
    // Its size no longer grows with the rules.
    expect(picture(1000, 1000).length).toBeLessThan(2 * svg.length);
  });
});
