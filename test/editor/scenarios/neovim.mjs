// The real language server in Neovim 0.7.2: a second client, so the server is shown to follow
// the protocol and not just VS Code's habits. Diagnostics, hover and code lenses on samples.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../common.mjs';
import { hoverText, runNvimLsp } from '../nvim.mjs';

const SERVER = ['node', path.join(REPO_ROOT, 'dist/server.js'), '--stdio'];
const SAMPLES = path.join(REPO_ROOT, 'samples');

/** 0-based position of `needle` (+ shift) in a sample. */
function positionOf(file, needle, shift = 0) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `${needle} not in ${file}`);
  return { line, character: lines[line].indexOf(needle) + shift };
}

export default [
  {
    name: 'neovim: diagnostics, hover and code lenses on samples/mistakes.fw',
    needs: ['nvim'],
    timeout: 60_000,
    async run() {
      const file = path.join(SAMPLES, 'mistakes.fw');
      const r = await runNvimLsp({
        file,
        root: SAMPLES,
        serverCmd: SERVER,
        minDiagnostics: 10,
        hover: positionOf(file, 'allow tcp to web1 port https'),
        // A request rule's lens comes without its command: asked for as a client shows it.
        resolveCodeLens: true,
      });
      assert.equal(r.ok, true);
      assert.equal(r.serverInfo?.name, 'fwlang');
      const codes = new Set(r.diagnostics.map((d) => d.code));
      for (const code of ['missing-response', 'partial-response', 'broad-response', 'shadowed-rule', 'flow-expectation']) {
        assert.ok(codes.has(code), `no ${code} among ${[...codes].join(', ')}`);
      }
      const missing = r.diagnostics.find((d) => d.code === 'missing-response');
      const line = positionOf(file, 'allow tcp to web1 port https').line;
      assert.equal(missing.lnum, line, 'missing-response on the request rule of no-response');
      const hover = hoverText(r.hover);
      assert.match(hover, /inbound REQUEST rule/);
      assert.match(hover, /RESPONSE/);
      assert.match(hover, /none does/);
      const lenses = (r.codeLens ?? []).map((l) => l.command?.title ?? '');
      assert.ok(lenses.filter((t) => t === '▶ Simulate').length >= 5, `lenses: ${lenses.join(' | ')}`);
      assert.ok(lenses.includes('▶ Simulate a request like this'), `lenses: ${lenses.join(' | ')}`);
      assert.ok(!lenses.includes(''), `a lens with no command: ${lenses.join(' | ')}`);
      return `${r.diagnostics.length} diagnostics, ${lenses.length} lenses, ${r.durationMs} ms`;
    },
  },
  {
    name: 'neovim: the spec example is clean and simulates',
    needs: ['nvim'],
    timeout: 60_000,
    async run() {
      const file = path.join(SAMPLES, 'catogram.fw');
      const r = await runNvimLsp({
        file,
        root: SAMPLES,
        serverCmd: SERVER,
        minDiagnostics: 0,
        hover: positionOf(file, '110 outbound'),
        requests: [
          {
            method: 'workspace/executeCommand',
            params: { command: 'fwlang.simulate', arguments: [{ uri: '$uri', line: positionOf(file, 'flow bob -> catogram').line }] },
          },
          { method: 'textDocument/documentSymbol', params: { textDocument: { uri: '$uri' } } },
        ],
      });
      assert.equal(r.ok, true);
      assert.deepEqual(r.diagnostics, []);
      assert.match(hoverText(r.hover), /outbound RESPONSE rule/);
      const [sim, symbols] = r.requests.map((q) => q.result);
      assert.equal(sim.flow.verdict, 'allowed');
      assert.match(sim.title, /^✔ allowed/);
      assert.ok(
        symbols.some((s) => s.name.includes('edge')),
        'outline has the firewall edge',
      );
      return `${r.durationMs} ms`;
    },
  },
];
