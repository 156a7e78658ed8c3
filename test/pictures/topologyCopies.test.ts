// The topology of a file with copies of a flow (fuzz seed 12012, document 66349: 130 flows,
// most of them copies, each an edge ELK laid out: 1.3 s for the picture). Copies of a flow are
// one edge, whose tooltip says how many flows it stands for.

import { describe, expect, it } from 'vitest';
import { buildModel } from '../../server/src/model/resolve';
import { topologySvg } from '../../server/src/pictures/topology';

const file = (copies: number) =>
  `host alice 198.51.100.7
host web 10.0.1.10
firewall edge stateless protects 10.0.1.0/24 {
  inbound allow tcp to web port https
  outbound allow tcp from web port https to any port 1024-65535
}
${'flow alice -> web https expect allow\n'.repeat(copies)}flow alice -> web ssh
`;

const flowGroups = (svg: string) =>
  [...svg.matchAll(/<g class="flow (\w+)" data-line="(\d+)"><title>([^<]*)<\/title>/g)].map((m) => [m[1], m[2], m[3]]);

describe('topology of copies of a flow', () => {
  it('draws the copies of a flow as one edge and says how many it stands for', async () => {
    const one = flowGroups(await topologySvg(buildModel('/t/x.fw', file(1))));
    const many = flowGroups(await topologySvg(buildModel('/t/x.fw', file(200))));
    expect(one).toEqual([
      ['allowed', '7', 'alice -&gt; web https: allowed (expect allow: met)'],
      ['blocked', '8', 'alice -&gt; web ssh: blocked'],
    ]);
    // The edges to lay out do not grow with the copies.
    expect(many).toEqual([
      ['allowed', '7', 'alice -&gt; web https: allowed (expect allow: met) (written 200 times, drawn once)'],
      ['blocked', '207', 'alice -&gt; web ssh: blocked'],
    ]);
  });
});
