import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
    expect(h).toMatch(/RESPONSE\*\* travels the other way — \*outbound\* — tcp from `catogram` \(10\.0\.1\.10\) port 443 to `internet` \(0\.0\.0\.0\/0\) ports 1024-65535/);
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
    expect(h).toContain('32768-40000');
    expect(h).toContain('rule 105 (line 5)');
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
    expect(hoverAt(`firewall f stateless protects 10.0.0.0/24 {
  inbound <|>deny tcp from 203.0.113.0/24 to any
}`)).toContain('inbound DENY rule');
    expect(hoverAt(`firewall f stateless protects 10.0.0.0/24 {
  inbound <|>allow tcp from any to 10.0.0.0/24 port 1024-65535
}`)).toContain('both REQUEST and RESPONSE');
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
    expect(hoverAt(`firewall f stateless protects 10.0.0.0/24 {
  inbound allow tcp from any to any port 4<|>43
}`)).toContain('https (tcp)');
    expect(hoverAt(`firewall f stateless protects 10.0.0.0/24 {
  inbound allow tcp from any port 5<|>1000 to any port 443
}`)).toContain('linux (32768-60999)');
  });

  it('shows a flow\'s simulation and trace', () => {
    const h = hoverAt(inCatogram('flow bob -> catogram https', 2));
    expect(h).toContain('✔ allowed');
    expect(h).toContain('request  edge        inbound  ALLOW by rule 100 (line 10)');
    expect(h).toContain('response catogram-sg outbound ALLOW by connection tracking');
    const blocked = hoverAt(inCatogram('flow bob:51000', 2));
    expect(blocked).toContain('✘ blocked at edge (default deny)');
  });
});
