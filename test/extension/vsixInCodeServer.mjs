#!/usr/bin/env node
// What a person sees with the packaged extension: installs fwlang.vsix into a fresh
// code-server (VS Code 1.99.3), opens a copy of samples/ in Chromium and checks the
// highlighting, the "▶ Simulate" lenses, a lens click (status bar + trace in the output
// panel), a hover, the squiggles and the Problems view of mistakes.fw. Screenshots go to
// test-results/editor/fwlang-vsix-*.png.
//
//   npm run package && node test/extension/vsixInCodeServer.mjs [path/to/fwlang.vsix]
import assert from 'node:assert/strict';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installVsixAndOpen, textsOf } from '../editor/codeserver.mjs';
import { makeTempDir, removeDir } from '../editor/common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const vsix = path.resolve(process.argv[2] || path.join(root, 'fwlang.vsix'));
if (!existsSync(vsix)) {
  console.error(`${vsix} not found: run \`npm run package\` first`);
  process.exit(2);
}

const tmp = makeTempDir('vsix-ws');
const folder = path.join(tmp, 'samples');
cpSync(path.join(root, 'samples'), folder, { recursive: true });
// What `iptables-save` prints for a host's own firewall: the import asks for --host.
writeFileSync(
  path.join(folder, 'rules.v4'),
  '*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n' +
    '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n',
);
const steps = [];
const step = async (name, fn) => {
  const t0 = Date.now();
  await fn();
  steps.push(name);
  console.log(`ok   ${name} (${Date.now() - t0} ms)`);
};

let ui;
let code = 1;
try {
  await step('install the .vsix and open the workbench', async () => {
    ui = await installVsixAndOpen({ vsix, folder, name: 'fwlang-vsix', timeout: 120_000 });
  });
  const { page } = ui;

  await step('catogram.fw: keywords are coloured apart from names', async () => {
    await ui.openFile('catogram.fw');
    // Each token is a span with a colour class (mtkN): `stateless` must not look like a name.
    const classOf = async (word) =>
      page
        .locator('.view-line span span', { hasText: new RegExp(`^${word}$`) })
        .first()
        .getAttribute('class');
    await ui.waitForText('stateless', { selector: '.view-lines' });
    const kw = await classOf('stateless');
    const fw = await classOf('firewall');
    const name = await classOf('internet');
    assert.ok(kw && fw && name, `token classes: ${kw} ${fw} ${name}`);
    assert.notEqual(kw, name, 'stateless is coloured like a plain name');
    assert.notEqual(fw, name, 'firewall is coloured like a plain name');
  });

  // the lens of a flow reads exactly "▶ Simulate" (request rules have "▶ Simulate a request like this")
  const flowLens = () => page.locator('.codelens-decoration a', { hasText: /^▶ Simulate$/ }).first();
  await step('catogram.fw: "▶ Simulate" lenses above the flows', async () => {
    await ui.waitForText('▶ Simulate', { selector: '.codelens-decoration', timeout: 30_000 });
    // a request rule's lens, which comes without its command: shown once VS Code resolved it
    await ui.waitForText('▶ Simulate a request like this', { selector: '.codelens-decoration', timeout: 20_000 });
    await ui.goToLine(24, 1);
    await flowLens().waitFor({ state: 'visible', timeout: 20_000 });
  });

  await step('clicking the lens of a flow shows the verdict and the trace', async () => {
    await flowLens().click();
    await ui.waitForText(/fwlang: flow bob -> catogram https: ✔ allowed/, { selector: '.statusbar', timeout: 20_000 });
    await ui.waitForText(/✔ allowed · ▶ Simulate again/, { selector: '.codelens-decoration', timeout: 20_000 });
    // the output channel "fwlang" is shown, with the trace of the run
    await ui.waitForText(/edge/, { selector: '.output-view, .panel', timeout: 20_000 });
    await ui.screenshot('catogram-after-lens');
  });

  await step('hover on a rule', async () => {
    await ui.goToLine(10, 16);
    const h = await ui.showHover({ timeout: 20_000 });
    assert.match(h, /request/i);
    assert.match(h, /response/i);
    await ui.screenshot('catogram-hover');
  });
  await step('hover on a firewall name: the first lines of its nftables form', async () => {
    await ui.goToLine(9, 11); // `edge` in `firewall edge stateless …`
    const h = await ui.showHover({ text: /fwlang export catogram\.fw --to nftables --firewall edge/, timeout: 20_000 });
    assert.match(h, /chain edge_inbound \{/);
  });

  await step('"fwlang: Export this Firewall…" from the palette: pick nftables, a new editor holds table inet fwlang', async () => {
    await ui.goToLine(10, 5); // in edge's rules
    await ui.runCommand('fwlang: Export this Firewall…');
    // the targets; the first (nftables, a router's forward hook) is selected
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'nftables on this host' })
      .first()
      .waitFor({ state: 'visible', timeout: 20_000 });
    await page.keyboard.press('Enter');
    // (the editor renders spaces as no-break spaces: \s matches both)
    await ui.waitForText(/table\s+inet\s+fwlang\s+\{/, { selector: '.editor-group-container.active .view-lines', timeout: 20_000 });
    await ui.waitForText(/chain\s+edge\s+\{/, { selector: '.editor-group-container.active .view-lines', timeout: 20_000 });
    await ui.screenshot('export-nftables');
  });

  await step('"fwlang: Import Rules…" of iptables-save asks for the host in an input box, then opens the .fw', async () => {
    await ui.runCommand('fwlang: Import Rules from AWS, Terraform, iptables or nftables…');
    // code-server's file dialog is a quick input that takes a path
    const input = page.locator('.quick-input-widget input.input');
    await page.locator('.quick-input-title', { hasText: 'Import firewall rules' }).waitFor({ state: 'visible', timeout: 20_000 });
    // The dialog lists the folder's files as it reads them; on a busy machine the first filter
    // can run before the listing arrives and show nothing: type the path again until it is there.
    // the row of rules.v4 focused (Enter accepts the focused row, which on a busy machine may still be another)
    const row = page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'rules.v4' }).first();
    // (Filling the whole path at once: the dialog completes names as they are typed.)
    const file = path.join(folder, 'rules.v4');
    for (let attempt = 1; ; attempt++) {
      await input.fill('');
      await input.fill(file);
      try {
        await row.waitFor({ state: 'visible', timeout: 7_000 });
        if ((await input.inputValue()) === file) break;
        throw new Error(`the dialog holds ${await input.inputValue()}, not ${file}`);
      } catch (e) {
        if (attempt === 4) throw e;
      }
    }
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-title', { hasText: '(--host)' }).waitFor({ state: 'visible', timeout: 20_000 });
    await input.fill('10.0.0.5');
    await page.keyboard.press('Enter');
    const lines = '.editor-group-container.active .view-lines';
    await ui.waitForText(/host\s+\S+\s+10\.0\.0\.5/, { selector: lines, timeout: 20_000 });
    await ui.waitForText(/inbound\s+allow\s+tcp\s+to\s+any\s+port\s+22/, { selector: lines, timeout: 20_000 });
    await ui.screenshot('import-iptables');
  });

  await step('mistakes.fw: squiggles and the Problems view', async () => {
    await ui.openFile('mistakes.fw');
    await ui.goToLine(40, 1);
    await ui.waitForSelector('.squiggly-warning', { timeout: 30_000 });
    await ui.problemsText({ text: 'flow-expectation', timeout: 30_000 });
    // the list is virtual (only visible rows are in the DOM): filter it to the warnings we want
    const filter = page.getByPlaceholder(/^Filter \(e\.g\./).first();
    for (const code of ['missing-response', 'partial-response', 'broad-response']) {
      await filter.fill(code);
      await ui.waitForText(code, { selector: '.markers-panel .monaco-list-row', timeout: 15_000 });
    }
    await ui.screenshot('mistakes-problems');
    await filter.fill('');
  });

  // The README's picture: squiggles, a lens with its verdict and a hover's request/response text.
  await step('mistakes.fw: a partial flow simulated, a hover on a broad rule (the README picture)', async () => {
    await ui.goToLine(102, 1);
    await ui.runCommand('fwlang: Simulate the Flow or Rule at the Cursor');
    await ui.waitForText(/✘ partial: client ports 32768-49151 dropped/, { selector: '.codelens-decoration', timeout: 20_000 });
    await ui.goToLine(98, 12);
    const h = await ui.showHover({ text: /both REQUEST and RESPONSE/, timeout: 20_000 });
    assert.match(h, /RESPONSE rule of the rule on line 97/);
    assert.match(h, /NEW connections/);
    // Let the hover's fade-in finish so the picture is sharp.
    await page.waitForFunction(
      () => {
        const el = document.querySelector('.monaco-hover:not(.hidden)');
        return !!el && getComputedStyle(el).opacity === '1' && el.getAnimations().every((a) => a.playState !== 'running');
      },
      undefined,
      { timeout: 10_000 },
    );
    await ui.screenshot('readme');
  });

  code = 0;
} catch (e) {
  console.log(`FAIL ${e?.stack || e}`);
  if (ui) {
    await ui.screenshot('failure').catch(() => {});
    console.log((await textsOf(ui.page, '.statusbar').catch(() => [])).join(' | '));
  }
} finally {
  if (ui) await ui.close();
  removeDir(tmp);
}
console.log(`${steps.length} steps passed${code ? ', 1 failed' : ''}`);
process.exit(code);
