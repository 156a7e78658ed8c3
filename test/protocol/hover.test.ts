// Hover over the wire (spec §9): a rule, a keyword, a name, a flow — markdown from the server.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { SPEC_EXAMPLE, TestClient } from './client';

let client: TestClient;
const uri = 'file:///protocol/hover.fw';

beforeAll(async () => {
  client = await TestClient.start();
  await client.open(uri, SPEC_EXAMPLE);
  await client.diagnosticsFor(uri);
});

afterAll(async () => {
  await client?.stop();
});

async function hoverAt(needle: string, shift = 0, last = false): Promise<string> {
  const lines = SPEC_EXAMPLE.split('\n');
  const matching = lines.flatMap((l, i) => (l.includes(needle) ? [i] : []));
  const line = (last ? matching[matching.length - 1] : matching[0])!;
  const character = lines[line]!.indexOf(needle) + shift;
  const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character } });
  expect((h?.contents as MarkupContent).kind).toBe('markdown');
  return (h?.contents as MarkupContent).value;
}

describe('hover', () => {
  it('on a stateless request rule: request, perspective, its response and the rule that covers it', async () => {
    const h = await hoverAt('allow tcp from internet to catogram port https                #');
    expect(h).toContain('inbound REQUEST rule');
    expect(h).toContain('`edge` protects 10.0.1.0/24');
    expect(h).toContain('*outbound*');
    expect(h).toContain('✔ rule 110 (line 11) does');
  });

  it('on a stateful rule: the response is allowed by connection tracking', async () => {
    // The last such line is the rule of catogram-sg (the first is edge's rule 120).
    const h = await hoverAt('allow tcp from catogram to updates port https', 0, true);
    expect(h).toContain('of `catogram-sg` (stateful)');
    expect(h).toMatch(/connection tracking/);
  });

  it('on `stateless`, on a name and on a flow', async () => {
    expect(await hoverAt('stateless protects', 2)).toContain('judges every packet alone');
    expect(await hoverAt('updates   203', 2)).toContain('host `updates`** = 203.0.113.50');
    const flow = await hoverAt('flow bob -> catogram https', 1);
    expect(flow).toContain('✔ allowed');
    expect(flow).toContain('response edge        outbound ALLOW by rule 110 (line 11)');
  });

  it("uses the packet's direction words: an outbound request goes out, its response comes back in", async () => {
    const h = await hoverAt('120 outbound allow', 13);
    expect(h).toContain('outbound REQUEST rule');
    expect(h).toContain('It lets the REQUEST of a connection *out*');
    expect(h).toContain('**Its RESPONSE** comes back *in* (*inbound*)');
    expect(h).toContain('✔ rule 130 (line 13) does');
  });

  it('on `ephemeral` in a host clause: whose range it is, resolved', async () => {
    const h = await hoverAt('ephemeral linux', 2);
    expect(h).toContain('the ephemeral range of host `bob` (198.51.100.23) = 32768-60999 (`linux`, 28,232 ports)');
  });
});
