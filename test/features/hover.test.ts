import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportModel } from '../../server/src/convert/export';
import { hover } from '../../server/src/features/hover';
import { cursor, docContext } from '../support/docContext';

function hoverAt(marked: string): string {
  const { text, offset } = cursor(marked);
  const h = hover(docContext(text), offset);
  return h ? (h.contents as { value: string }).value : '';
}

const CATOGRAM = readFileSync(new URL('../../samples/catogram.fw', import.meta.url), 'utf8');

/** The catogram sample with the cursor put at the first occurrence of `needle` (+ shift). */
function inCatogram(needle: string, shift = 0): string {
  const i = CATOGRAM.indexOf(needle);
  if (i < 0) throw new Error(needle);
  return CATOGRAM.slice(0, i + shift) + '<|>' + CATOGRAM.slice(i + shift);
}

describe('hover on a rule (spec §9)', () => {
  it('explains a stateless request rule, its response and the rule that covers it', () => {
    const h = hoverAt(inCatogram('100 inbound'));
    expect(h).toContain('inbound REQUEST rule');
    expect(h).toContain('rule 100 (line 10)');
    expect(h).toContain('`edge` protects 10.0.1.0/24');
    expect(h).toMatch(
      /RESPONSE\*\* goes back \*out\* \(\*outbound\*\): tcp from `catogram` \(10\.0\.1\.10\) port 443 to `internet` \(0\.0\.0\.0\/0\) ports 1024-65535/,
    );
    expect(h).toContain('✔ rule 110 (line 11) does');
  });

  it('says when no rule covers the response', () => {
    const h = hoverAt(`host web 10.0.0.5
firewall f stateless protects 10.0.0.0/24 {
  inbound <|>allow tcp from any to web port 443
}`);
    expect(h).toContain('inbound REQUEST rule');
    expect(h).toContain('✘ none does — the default deny drops it');
  });

  it('names the ports a partial response rule leaves out and the deny that drops them', () => {
    const h = hoverAt(`host web 10.0.0.5
network clients 198.51.100.0/24 ephemeral linux
firewall f stateless protects 10.0.0.0/24 {
  <|>100 inbound allow tcp from clients to web port 443
  105 outbound deny tcp from web to clients port 32768-40000
  110 outbound allow tcp from web port 443 to clients port ephemeral
}`);
    expect(h).toContain('◐ only in part');
    expect(h).toContain('the responses to 198.51.100.0/24 ports 32768-40000 are dropped by rule 105 (line 5)');
  });

  it('says a stateful firewall allows the response by connection tracking', () => {
    const h = hoverAt(inCatogram('allow tcp from internet to catogram port https\n  outbound', 0));
    expect(h).toContain('inbound REQUEST rule');
    expect(h).toContain('`catogram-sg` is **stateful**: connection tracking');
  });

  it('explains a response rule and the request it answers', () => {
    const h = hoverAt(inCatogram('110 outbound'));
    expect(h).toContain('outbound RESPONSE rule');
    expect(h).toContain('It answers the requests of rule 100 (line 10)');
  });

  it('says when a response rule answers no request', () => {
    const h = hoverAt(`firewall f stateless protects 10.0.0.0/24 {
  outbound <|>allow tcp from 10.0.0.5 port 443 to any port 1024-65535
}`);
    expect(h).toContain('outbound RESPONSE rule');
    expect(h).toContain('answers no request rule');
  });

  it('explains a both rule that serves a request as its response, and warns about new connections', () => {
    const h = hoverAt(`host web 10.0.0.5
firewall f stateless protects 10.0.0.0/24 {
  outbound allow tcp from web to 203.0.113.80 port 443
  inbound <|>allow tcp to web port 1024-65535
}`);
    expect(h).toContain('both REQUEST and RESPONSE');
    expect(h).toContain('RESPONSE rule of the rule on line 3');
    expect(h).toContain('NEW connections');
  });

  it('explains deny rules and both rules', () => {
    expect(
      hoverAt(`firewall f stateless protects 10.0.0.0/24 {
  inbound <|>deny tcp from 203.0.113.0/24 to any
}`),
    ).toContain('inbound DENY rule');
    expect(
      hoverAt(`firewall f stateless protects 10.0.0.0/24 {
  inbound <|>allow tcp from any to 10.0.0.0/24 port 1024-65535
}`),
    ).toContain('both REQUEST and RESPONSE');
  });
});

describe("direction words are the packet's (spec §9)", () => {
  const rules = (mode: string, body: string) => `host web 10.0.0.5 ephemeral linux
host api 203.0.113.80
firewall f ${mode} protects 10.0.0.0/24 {
${body}
}`;

  for (const mode of ['stateless', 'stateful']) {
    it(`${mode}: an outbound request rule lets the request out and its response comes back in`, () => {
      const h = hoverAt(rules(mode, '  outbound <|>allow tcp from web to api port 443'));
      expect(h).toContain('outbound REQUEST rule');
      expect(h).toContain('It lets the REQUEST of a connection *out*: tcp from `web` (10.0.0.5) to `api` (203.0.113.80) port 443.');
      expect(h).toContain(
        '**Its RESPONSE** comes back *in* (*inbound*): tcp from `api` (203.0.113.80) port 443 to `web` (10.0.0.5) ports 32768-60999',
      );
      expect(h).not.toMatch(/lets (the REQUEST[^*]*\*)?in/);
    });

    it(`${mode}: an inbound request rule lets the request in and its response goes out`, () => {
      const h = hoverAt(rules(mode, '  inbound <|>allow tcp from api to web port 443'));
      expect(h).toContain('It lets the REQUEST of a connection *in*: tcp from `api`');
      expect(h).toContain('**Its RESPONSE** goes back *out* (*outbound*): tcp from `web` (10.0.0.5) port 443 to `api`');
    });

    it(`${mode}: an outbound response rule lets the response out, answering requests that came in`, () => {
      const h = hoverAt(
        rules(mode, '  inbound allow tcp from api to web port 443\n  outbound <|>allow tcp from web port 443 to api port ephemeral'),
      );
      expect(h).toContain('outbound RESPONSE rule');
      expect(h).toContain('It lets the RESPONSE *out*: tcp from `web` (10.0.0.5) port 443 to `api` (203.0.113.80) ports 1024-65535');
      expect(h).toContain('answering requests that came *in* (*inbound*)');
    });

    it(`${mode}: an inbound response rule lets the response in, answering requests that went out`, () => {
      const h = hoverAt(
        rules(mode, '  outbound allow tcp from web to api port 443\n  inbound <|>allow tcp from api port 443 to web port ephemeral'),
      );
      expect(h).toContain('inbound RESPONSE rule');
      expect(h).toContain('It lets the RESPONSE *in*: tcp from `api` (203.0.113.80) port 443 to `web` (10.0.0.5) ports 32768-60999');
      expect(h).toContain('answering requests that went *out* (*outbound*)');
    });
  }

  it('stateless: a both rule that serves a request says its responses come back in (or go back out) through it', () => {
    const inbound = hoverAt(
      rules('stateless', '  outbound allow tcp from web to api port 443\n  inbound <|>allow tcp from api to web port 1024-65535'),
    );
    expect(inbound).toContain('their responses come back *in* through it');
    expect(inbound).toContain('it also lets NEW connections (requests) *in*');
    const outbound = hoverAt(
      rules('stateless', '  inbound allow tcp from api to web port 443\n  outbound <|>allow tcp from web to api port 1024-65535'),
    );
    expect(outbound).toContain('their responses go back *out* through it');
    expect(outbound).toContain('it also lets NEW connections (requests) *out*');
  });

  it('both rules that serve nothing: requests go their way, responses the other', () => {
    const out = hoverAt(rules('stateless', '  outbound <|>allow tcp from web to api'));
    expect(out).toContain('both REQUEST and RESPONSE');
    expect(out).toContain('it lets NEW connections (requests) *out* as well as responses');
    expect(out).toContain('**Its RESPONSE** comes back *in* (*inbound*)');
    const inn = hoverAt(rules('stateful', '  inbound <|>allow udp from api to web'));
    expect(inn).toContain('it lets NEW connections (requests) *in* as well as responses');
    expect(inn).toContain('**Its RESPONSE** goes back *out* (*outbound*)');
    expect(inn).toContain('connection tracking links each response to its request');
  });

  it('a return-traffic both rule that answers nothing is not explained as a request', () => {
    const h = hoverAt(rules('stateless', '  inbound <|>allow tcp to web port 1024-65535'));
    expect(h).toContain('both REQUEST and RESPONSE');
    expect(h).toContain('it answers no request rule of `f`: no rule lets *out* requests whose responses it would carry');
    expect(h).toContain('let NEW connections (requests) *in* to ports 1024-65535 of `web` (10.0.0.5)');
    expect(h).not.toContain('Its RESPONSE');
  });

  it('a general both rule that serves a request is still checked as a request (spec §7)', () => {
    const h = hoverAt(`firewall acl stateless protects 10.0.0.0/24 {
  100 inbound allow tcp from 162.243.144.192 to any port 3306
  100 outbound <|>allow all
}`);
    expect(h).toContain('RESPONSE rule of rule 100 (line 2)');
    expect(h).toContain('**Its RESPONSE** comes back *in* (*inbound*): all from any address to any address');
    expect(h).toContain('◐ only in part');
  });

  it('a rule reported redundant is said to be so, not to answer nothing (spec §8.1 rule 2)', () => {
    const text = `host web 10.0.1.10
network internet 0.0.0.0/0
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp to web port https
  110 outbound allow tcp from web port 443 to internet port ephemeral
  120 outbound allow tcp from 10.0.1.0/25 port 443 to internet port ephemeral
}`;
    const h = hoverAt(text.replace('110 outbound allow', '110 outbound <|>allow'));
    expect(h).toContain('It lets the RESPONSE *out*');
    expect(h).toContain('fwlang reports it **redundant**');
    expect(h).not.toContain('answers no request');
    expect(hoverAt(text.replace('120 outbound allow', '120 outbound <|>allow'))).toContain('It answers the requests of rule 100 (line 4)');
  });

  it('deny rules: what may not come in or go out', () => {
    expect(hoverAt(rules('stateless', '  inbound <|>deny tcp from api to web'))).toContain('such packets may not come *in*');
    expect(hoverAt(rules('stateless', '  outbound <|>deny tcp from web to api'))).toContain('such packets may not go *out*');
  });
});

describe('the stateless habit in a stateful firewall (spec §8 stateful-response)', () => {
  it('a both rule to high ports is explained as not needed for responses and open to new connections', () => {
    const h = hoverAt(`host web 10.0.1.10
firewall sg stateful protects web {
  outbound allow tcp from web to any port 443
  inbound <|>allow tcp to web port 1024-65535
}`);
    expect(h).toContain('both REQUEST and RESPONSE');
    expect(h).toContain('stateless habit');
    expect(h).toContain(
      'connection tracking already lets the responses of the requests it allowed come back *in* — this rule is not needed for them (the responses of the rule on line 3 pass without it)',
    );
    expect(h).toContain('let NEW connections (requests) *in* to all 64,512 ports (1024-65535) of `web` (10.0.1.10)');
    expect(h).not.toContain('works as the RESPONSE rule');
  });

  it('a general both rule in a stateful firewall (a port below 1024) is a request, not the habit', () => {
    const h = hoverAt(`firewall sg stateful protects 10.0.1.0/24 {
  inbound <|>allow tcp to 10.0.1.10 port [22, 1024-65535]
}`);
    expect(h).not.toContain('stateless habit');
    expect(h).toContain('connection tracking links each response to its request');
  });

  it('also when it serves no request, and outbound', () => {
    const h = hoverAt(`firewall sg stateful protects 10.0.1.0/24 {
  outbound <|>allow udp to any port 32768-60999
}`);
    expect(h).toContain('stateless habit');
    expect(h).toContain('this rule is not needed for them.');
    expect(h).toContain('let NEW connections (requests) *out* to all 28,232 ports (32768-60999) of any address');
  });
});

describe('rule kinds follow the analysis (spec §7: response-like against the ranges in use)', () => {
  it('an RTP range is a request: its responses must be served, and its range is not response-like', () => {
    const text = `host pbx 10.0.0.9
firewall f stateless protects 10.0.0.0/24 {
  110 inbound <|>allow udp to pbx port 10000-20000
}`;
    const h = hoverAt(text);
    expect(h).toContain('inbound REQUEST rule');
    expect(h).toContain('It lets the REQUEST of a connection *in*');
    expect(h).toContain('✘ none does — the default deny drops it');
    const range = hoverAt(text.replace('<|>', '').replace('10000-20000', '100<|>00-20000'));
    expect(range).toContain('**ports 10000-20000** (10,001 ports) — not response-like');
  });

  it('a service name is never response-like, however wide', () => {
    const h = hoverAt(`service rtp udp 16384-65535
firewall f stateless protects 10.0.0.0/24 {
  inbound <|>allow udp to 10.0.0.9 port rtp
}`);
    expect(h).toContain('inbound REQUEST rule');
  });

  it('a range holding half of a declared profile is response-like; the hover names the range', () => {
    const h = hoverAt(`ephemeral phones 40000-49999
firewall f stateless protects 10.0.0.0/24 {
  inbound allow udp from any port 5060 to 10.0.0.9 port 450<|>00-49999
}`);
    expect(h).toContain('**ports 45000-49999** (5,000 ports) — response-like: it holds at least half of the `phones` range (40000-49999)');
    expect(
      hoverAt(`firewall f stateless protects 10.0.0.0/24 {
  inbound allow tcp from any port 443 to any port 32768-<|>49151
}`),
    ).toContain('response-like: it holds at least half of the `linux` range (32768-60999)');
  });
});

describe('`ephemeral` wherever it is written (spec §9)', () => {
  const FILE = `default <|>ephemeral linux
ephemeral rtpclients 40000-50000
host web 10.0.0.5 ephemeral windows
host db 10.0.0.6
host pbx 10.0.0.7 ephemeral rtpclients
network lan 10.0.1.0/24 ephemeral 20000-29999
firewall f stateless protects 10.0.0.0/16 {
  inbound allow tcp from 203.0.113.0/24 to web port 443
  outbound allow tcp from web port 443 to 203.0.113.0/24 port ephemeral
}
`;
  const at = (needle: string, shift = 0, nth = 0): string => {
    const text = FILE.replace('<|>', '');
    let i = -1;
    for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
    if (i < 0) throw new Error(needle);
    return hoverAt(text.slice(0, i + shift) + '<|>' + text.slice(i + shift));
  };

  it('in a host clause: whose range it is, resolved, and what the default would be', () => {
    const h = at('ephemeral windows', 3);
    expect(h).toContain('the ephemeral range of host `web` (10.0.0.5) = 49152-65535 (`windows`, 16,384 ports)');
    expect(h).toContain("`port ephemeral` on `web`'s side of a rule means these ports");
    expect(h).toContain("Without this clause it would take the file's default, 32768-60999 from `default ephemeral linux`");
  });

  it('in a network clause with a literal range, on the word and on the range', () => {
    for (const h of [at('ephemeral 20000', 1), at('20000-29999', 7)]) {
      expect(h).toContain('the ephemeral range of network `lan` (10.0.1.0/24) = 20000-29999 (10,000 ports)');
    }
  });

  it('in `default ephemeral`: the range and the endpoints that take it', () => {
    for (const h of [at('ephemeral linux', 4), at('default', 2)]) {
      expect(h).toContain('**`default ephemeral`** = 32768-60999 (28,232 ports), from `default ephemeral linux`');
      expect(h).toContain('without an `ephemeral` clause of its own (`db`)');
    }
    const twice = hoverAt('default ephemeral linux\ndefault <|>ephemeral windows\n');
    expect(twice).toContain('ignored: the file sets it twice, and the first one (line 1) is used: 32768-60999');
  });

  it('in an `ephemeral NAME LOW-HIGH` declaration: the profile, its range and who uses it', () => {
    for (const h of [at('ephemeral rtpclients', 2), at('40000-50000', 3)]) {
      expect(h).toContain('**`ephemeral rtpclients`** declares an ephemeral profile = 40000-50000 (10,001 ports)');
      expect(h).toContain('Used by `pbx`.');
    }
    expect(hoverAt('<|>ephemeral spare 30000-40000\n')).toContain('No endpoint uses it yet');
  });

  it('in a rule: whose range `port ephemeral` is, also for a literal prefix (the file default)', () => {
    const h = at('port ephemeral', 7);
    expect(h).toContain(
      "**`ephemeral`** here = 32768-60999 — the ephemeral range of `203.0.113.0/24`, the `to` side of this rule: the file's default, 32768-60999 from `default ephemeral linux`",
    );
    expect(
      hoverAt(
        'host w 10.0.0.5 ephemeral windows\nfirewall f stateless protects 10.0.0.0/24 {\n  inbound allow tcp from any port 443 to w port ephe<|>meral\n}',
      ),
    ).toContain('= 49152-65535 — the ephemeral range of `w`, the `to` side of this rule (windows)');
  });

  it('not in a comment', () => {
    expect(hoverAt('host web 10.0.0.5 # no <|>ephemeral clause\n')).toBe('');
  });
});

describe('hover on words', () => {
  it('explains inbound/outbound from the protects side', () => {
    const h = hoverAt(inCatogram('outbound allow tcp from catogram port https', 2));
    expect(h).toContain('**outbound** — from `edge`');
    expect(h).toContain('packets leaving 10.0.1.0/24');
  });

  it('explains stateless and stateful', () => {
    expect(hoverAt(inCatogram('stateless protects', 3))).toContain('judges every packet alone');
    expect(hoverAt(inCatogram('stateful protects', 3))).toContain('links each response to its request');
  });

  it('resolves `port ephemeral` to the range of the endpoint on that side', () => {
    const h = hoverAt(inCatogram('ephemeral # its response', 2));
    expect(h).toContain('1024-65535');
    expect(h).toContain('`internet`');
  });

  it('resolves names and ports', () => {
    expect(hoverAt(inCatogram('bob       198', 1))).toContain('host `bob`** = 198.51.100.23');
    expect(hoverAt(inCatogram('bob       198', 1))).toContain('32768-60999');
    expect(hoverAt(inCatogram('linux', 1))).toContain('32768-60999');
    expect(
      hoverAt(`firewall f stateless protects 10.0.0.0/24 {
  inbound allow tcp from any to any port 4<|>43
}`),
    ).toContain('https (tcp)');
    expect(
      hoverAt(`firewall f stateless protects 10.0.0.0/24 {
  inbound allow tcp from any port 5<|>1000 to any port 443
}`),
    ).toContain('linux (32768-60999)');
  });

  it("shows a flow's simulation and trace", () => {
    const h = hoverAt(inCatogram('flow bob -> catogram https', 2));
    expect(h).toContain('✔ allowed');
    expect(h).toContain('request  edge        inbound  ALLOW by rule 100 (line 10)');
    expect(h).toContain('response catogram-sg outbound ALLOW by connection tracking');
    const blocked = hoverAt(inCatogram('flow bob:51000', 2));
    expect(blocked).toContain('✔ blocked at edge (default deny)'); // the mark says the expect is met (cli.md)
  });

  it('gives no verdict for a refused flow: it says which error, on which line (§8.1 rule 5)', () => {
    // An error in a firewall refuses every flow of the file, though this one resolves.
    const h = hoverAt(`host web 10.0.1.10
host bob 198.51.100.23
firewall fw statefull protects web {
  inbound allow tcp to web port 443
}
<|>flow bob -> web https expect allow
`);
    expect(h).toContain('Not simulated');
    expect(h).toContain('`bob -> web https` is not simulated: syntax error on line 3: ');
    expect(h).not.toMatch(/allowed|blocked|Simulation:|[✔✘•]/);
  });

  it('gives no verdict for a flow whose `via` names a firewall it does not cross (flow-path)', () => {
    const h = hoverAt(`host web 10.0.1.10
host bob 198.51.100.23
host db 10.0.2.5
firewall web-sg stateful protects web {
  inbound allow tcp from any to web port 443
}
firewall db-sg stateful protects db {
  inbound allow tcp from web to db port 5432
}
<|>flow bob -> web https via db-sg expect allow
`);
    expect(h).toContain('`bob -> web https via db-sg` is not simulated: flow-path error on line 10: ');
    expect(h).not.toMatch(/allowed|blocked|Simulation:|[✔✘•]/);
  });

  it('says why a flow with an error of its own is not simulated', () => {
    const h = hoverAt(`host bob 198.51.100.23
<|>flow bob -> nobody https
`);
    expect(h).toContain('`bob -> nobody https` is not simulated: unknown-name error on line 2: ');
  });
});

describe('hover on a firewall name: the first lines of its nftables form', () => {
  const SMALL = `host web 10.0.0.5
firewall <|>edge stateless protects 10.0.0.0/24 {
  inbound allow tcp from any to web port 443
  outbound allow tcp from web port 443 to any port ephemeral
}
flow 203.0.113.9 -> web tcp 443 via edge expect allow
`;

  it('shows them in an nft block, below what the firewall is, with the command that writes them all', () => {
    expect(hoverAt(SMALL)).toBe(
      [
        '**firewall `edge`** — stateless, protects 10.0.0.0/24, default deny, 2 rules',
        '',
        '**stateless**: like an AWS network ACL or a router ACL — it judges every packet alone. Each allowed request needs a ' +
          "second rule for its response, going back to the client's ephemeral port.",
        '',
        '---',
        '',
        '**nftables** (the forward hook of a router):',
        '',
        '```nft',
        'chain edge_inbound {',
        '  ip daddr 10.0.0.5 tcp dport 443 accept comment "line 3"',
        '  drop comment "default deny"',
        '}',
        'chain edge_outbound {',
        '  ip saddr 10.0.0.5 tcp sport 443 tcp dport 1024-65535 accept comment "line 4"',
        '  drop comment "default deny"',
        '}',
        '```',
        '',
        '`fwlang export test.fw --to nftables --firewall edge` writes the whole of it.',
      ].join('\n'),
    );
  });

  it('the lines are those `fwlang export --to nftables` writes, in its table', () => {
    const { text } = cursor(SMALL);
    const out = exportModel(docContext(text).analysis.model, 'nftables', { only: ['edge'] });
    if (!('text' in out)) throw new Error(JSON.stringify(out));
    const block = /```nft\n([\s\S]*?)\n```/.exec(hoverAt(SMALL))![1]!;
    expect(out.text).toContain(block.replace(/^/gm, '  '));
  });

  it('says there is none when the file has errors', () => {
    const h = hoverAt(`firewall <|>edge stateless protects 10.0.0.0/24 {
  inbound allow tcp from nobody to any port 443
}`);
    expect(h.startsWith('**firewall `edge`** — stateless')).toBe(true);
    expect(h.endsWith('\n\n---\n\nno nftables preview: the file has errors')).toBe(true);
    expect(h).not.toContain('```nft');
  });

  it('only on the declaration: a firewall named in a flow shows what it is, not its nftables', () => {
    const h = hoverAt(SMALL.replace('<|>edge', 'edge').replace('via edge', 'via <|>edge'));
    expect(h).toContain('**firewall `edge`** — stateless');
    expect(h).not.toContain('nftables');
  });
});
