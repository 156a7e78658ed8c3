#!/usr/bin/env node
// The pictures beside the editor as a person sees them (issue 11): installs the packaged fwlang.vsix
// into a fresh code-server (VS Code 1.99.3), opens catogram.fw in Chromium, clicks the "Show
// picture" lens of a flow and reads the webview's own document (the inner iframe code-server
// makes for it): an inline <svg> whose <title> says the flow's verdict, drawn with the theme's
// colours. Then: a click on a hop label reveals its rule's line, the cursor on a response rule
// shows the ports picture and on another flow that flow, the hover of a response rule shows the
// ports picture as an image, an edit that changes the verdict redraws,
// a file error gives the reason instead of a picture, and "fwlang: Show Topology" opens the
// topology; in a file that includes another, a hop label and a box of the included firewall open
// that file at their lines. The screenshot with the picture beside the editor is test-results/editor/
// fwlang-webview-webview.png; with FWLANG_UPDATE_IMAGES=1 it also replaces docs/images/webview.png.
//
//   npm run package && node test/extension/webviewInCodeServer.mjs [path/to/fwlang.vsix]
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, mkdirSync } from 'node:fs';
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

const tmp = makeTempDir('webview-ws');
const folder = path.join(tmp, 'samples');
cpSync(path.join(root, 'samples'), folder, { recursive: true });
// A flow through a firewall declared in an included file (include-picture/shared/edge.fw).
cpSync(path.join(root, 'test', 'fixtures', 'include-picture'), path.join(folder, 'include-picture'), { recursive: true });
const steps = [];
const step = async (name, fn) => {
  const t0 = Date.now();
  await fn();
  steps.push(name);
  console.log(`ok   ${name} (${Date.now() - t0} ms)`);
};

/** What the webview of `kind` (flow, ports: the picture panel; topology) shows, read inside its own document. */
async function webviewState(page) {
  const states = [];
  for (const frame of page.frames()) {
    const s = await frame
      .evaluate(() => {
        const picture = document.getElementById('picture');
        if (!picture || !document.body.dataset.state) return null;
        const svg = picture.querySelector('svg');
        const csp = document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '';
        const ok = svg?.querySelector('.fw-ok');
        return {
          state: document.body.dataset.state,
          kind: document.body.dataset.kind,
          caption: document.getElementById('caption')?.textContent ?? '',
          message: document.getElementById('message')?.textContent ?? '',
          title: svg?.querySelector(':scope > title')?.textContent ?? null,
          desc: svg?.querySelector(':scope > desc')?.textContent ?? null,
          csp,
          // the picture's own <style> applied (its nonce passed the CSP): a monospace font,
          // and the theme's green for what is allowed
          font: svg?.querySelector('text') ? getComputedStyle(svg.querySelector('text')).fontFamily : '',
          okFill: ok ? getComputedStyle(ok).fill : '',
          themeGreen: getComputedStyle(document.documentElement).getPropertyValue('--vscode-charts-green').trim(),
          scripts: [...document.scripts].map((s) => s.src),
        };
      })
      .catch(() => null);
    if (s) states.push({ frame, ...s });
  }
  return states;
}

/** Polls until a webview satisfies `test`; returns its state (and the frame). */
async function waitForWebview(page, test, what, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let seen = [];
  while (Date.now() < deadline) {
    seen = await webviewState(page);
    const hit = seen.find(test);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 150));
  }
  const shown = seen.map(({ frame: _f, ...s }) => ({ ...s, csp: undefined, scripts: undefined }));
  throw new Error(`no webview shows ${what} within ${timeout} ms; webviews: ${JSON.stringify(shown)}`);
}

/** `rgb(r, g, b)` of a CSS colour (#rrggbb or rgb()). */
function rgb(c) {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(c);
  return m ? `rgb(${parseInt(m[1], 16)}, ${parseInt(m[2], 16)}, ${parseInt(m[3], 16)})` : c.replace(/\s+/g, ' ');
}

let ui;
let code = 1;
try {
  await step('install the .vsix and open the workbench', async () => {
    ui = await installVsixAndOpen({ vsix, folder, name: 'fwlang-webview', timeout: 120_000 });
  });
  const { page } = ui;
  const isFlow = (title) => (s) => s.kind === 'flow' && s.title === title;

  let flow;
  await step('catogram.fw: a "Show picture" lens beside the flow\'s "▶ Simulate"; clicking it opens the picture beside', async () => {
    await ui.openFile('catogram.fw');
    await ui.goToLine(22, 1);
    const lens = page.locator('.codelens-decoration a', { hasText: /^Show picture$/ }).first();
    await lens.waitFor({ state: 'visible', timeout: 30_000 });
    await lens.click();
    flow = await waitForWebview(page, isFlow('bob -> catogram https — allowed'), 'the flow picture of bob -> catogram https');
    assert.equal(flow.state, 'picture');
    assert.equal(flow.caption, 'flow bob -> catogram https: ✔ allowed');
    assert.match(flow.desc, /allowed/);
    // a second editor group holds the panel, the .fw editor keeps the focus (preserveFocus)
    await ui.waitForSelector('.tab[aria-label^="Picture · catogram.fw"]', { timeout: 10_000 });
    assert.equal(await page.locator('.editor-group-container').count(), 2);
    assert.match((await textsOf(page, '.editor-group-container.active .tab.active')).join(''), /catogram\.fw/);
  });

  await step("the page is locked down and themed: strict CSP, scripts only from the extension, the theme's colours", async () => {
    // webview.cspSource (here `'self' https://*.vscode-cdn.net`, where VS Code serves the extension's own files) and one nonce
    assert.match(flow.csp, /^default-src 'none'; img-src ([^;]+) data:; style-src \1 'nonce-([A-Za-z0-9]{32})'; script-src 'nonce-\2';$/);
    // (VS Code adds an inline script of its own: acquireVsCodeApi)
    const loaded = flow.scripts.filter((src) => src !== '');
    assert.equal(loaded.length, 1);
    assert.match(loaded[0], /\/extensions\/fwlang\.fwlang-[^/]+\/media\/picture\.js$/);
    assert.match(flow.font, /monospace/);
    assert.ok(flow.themeGreen, 'VS Code defines --vscode-charts-green in the webview');
    assert.equal(flow.okFill, rgb(flow.themeGreen), "allowed is drawn in the theme's green");
  });

  await step('the README picture: the flow beside its file (docs/images/webview.png)', async () => {
    // room for the picture: no side bar
    await page.keyboard.press('Control+B');
    await page.waitForFunction(
      () => !document.querySelector('.part.sidebar:not(.hidden)') || !document.querySelector('.part.sidebar')?.offsetWidth,
      undefined,
      {
        timeout: 10_000,
      },
    );
    // let the lens row and the panel settle: the picture is there, nothing is still loading
    await page.waitForFunction(() => !document.querySelector('.monaco-progress-container.active'), undefined, { timeout: 10_000 });
    const shot = await ui.screenshot('webview');
    // the README's copy is replaced only when asked: a run leaves the tracked files alone
    if (process.env.FWLANG_UPDATE_IMAGES === '1') {
      mkdirSync(path.join(root, 'docs', 'images'), { recursive: true });
      copyFileSync(shot, path.join(root, 'docs', 'images', 'webview.png'));
    }
  });

  await step('clicking a hop label reveals its rule: rule 100 on line 10', async () => {
    await flow.frame.locator('.hop-label[data-line="10"] text').first().click();
    await ui.waitForText('Ln 10,', { selector: '.statusbar', timeout: 15_000 });
    // the cursor on a request rule: the picture stays
    const s = await waitForWebview(page, isFlow('bob -> catogram https — allowed'), 'the same flow picture');
    assert.equal(s.state, 'picture');
  });

  await step("the picture follows the cursor: a response rule shows its firewall's ports, another flow its picture", async () => {
    await ui.goToLine(11, 5);
    const ports = await waitForWebview(page, (s) => s.kind === 'ports', 'the ports picture of edge');
    assert.match(ports.title, /edge/);
    await ui.goToLine(23, 1);
    await waitForWebview(page, isFlow('catogram -> updates https — allowed'), 'the picture of flow catogram -> updates');
  });

  await step("the hover of a response rule shows its firewall's ports picture (a data: image VS Code renders)", async () => {
    await ui.goToLine(11, 18); // `allow` in rule 110, a response rule of the stateless edge
    await ui.showHover({ text: /RESPONSE rule/, timeout: 20_000 });
    const img = await page.waitForFunction(
      () => {
        const el = document.querySelector('.monaco-hover:not(.hidden) img[src^="data:image/svg+xml;base64,"]');
        return el && el.complete && el.naturalWidth > 0 ? { alt: el.alt, width: el.naturalWidth, height: el.naturalHeight } : false;
      },
      undefined,
      { timeout: 20_000 },
    );
    const { alt, width, height } = await img.jsonValue();
    assert.equal(alt, 'ports of edge: what its response rules open');
    assert.ok(width > 200 && height > 50, `the image is drawn: ${width}x${height}`);
    await ui.screenshot('hover-ports');
    await page.keyboard.press('Escape');
  });

  await step('an edit that changes the verdict redraws the picture', async () => {
    await ui.goToLine(22, 22); // `https` in `flow bob -> catogram https expect allow`
    await page.keyboard.press('Shift+End');
    await page.keyboard.type('tcp 22 expect allow');
    // The picture may be redrawn while the text is still being typed (`tcp 22` before ` expect
    // allow`, an unmet-free `•`): wait for the one of the whole edit, the unmet expect's `✘`.
    const redrawn = (s) => isFlow('bob -> catogram tcp 22 — blocked')(s) && /^flow bob -> catogram tcp 22: ✘ blocked/.test(s.caption);
    const s = await waitForWebview(page, redrawn, 'the redrawn picture of the blocked flow, its expect unmet');
    assert.match(s.caption, /^flow bob -> catogram tcp 22: ✘ blocked/);
    await ui.screenshot('webview-after-edit');
  });

  await step('an error in the file: no stale picture, the reason the flow is not simulated', async () => {
    await ui.goToLine(22, 13); // `catogram` in the flow
    await page.keyboard.press('Control+Shift+ArrowRight');
    await page.keyboard.type('nobody');
    const s = await waitForWebview(page, (x) => x.kind === 'flow' && x.state === 'error', 'the reason instead of a picture');
    assert.equal(s.title, null);
    assert.match(s.message, /is not simulated: unknown-name error on line 22/);
    await page.keyboard.press('Control+Z');
    await waitForWebview(page, isFlow('bob -> catogram tcp 22 — blocked'), 'the picture again after undo');
  });

  await step('"fwlang: Show Topology" opens the topology of the file', async () => {
    await ui.runCommand('fwlang: Show Topology');
    const t = await waitForWebview(page, (s) => s.kind === 'topology' && s.state === 'picture', 'the topology');
    assert.equal(t.title, 'Topology of catogram.fw');
    assert.ok((await t.frame.locator('.decl[data-line="9"]').count()) > 0, 'the firewall edge, clickable to line 9');
    await ui.screenshot('topology');
  });

  await step('a firewall of an included file: its hop label and its topology box open that file at their lines', async () => {
    await ui.openFile('include-picture/main.fw');
    await ui.goToLine(11, 1);
    // the topology's tab hides the picture's: its lens brings it back
    await page
      .locator('.codelens-decoration a', { hasText: /^Show picture$/ })
      .first()
      .click();
    const f = await waitForWebview(page, isFlow('bob -> web https — allowed'), 'the flow picture of bob -> web https');
    // line 8 of main.fw is home's rule; the edge's response rule is on line 8 of shared/edge.fw
    await f.frame.locator('.hop-label[data-line="8"][data-file$="edge.fw"] text').first().click();
    await ui.waitForSelector('.tabs-container .tab.active[aria-label^="edge.fw"]', { timeout: 15_000 });
    await ui.waitForText('Ln 8,', { selector: '.statusbar', timeout: 15_000 });

    await page.locator('.tabs-container .tab[aria-label^="main.fw"]').first().click();
    await ui.waitForSelector('.tabs-container .tab.active[aria-label^="main.fw"]', { timeout: 15_000 });
    await ui.runCommand('fwlang: Show Topology');
    const t = await waitForWebview(page, (s) => s.kind === 'topology' && s.title === 'Topology of main.fw', 'the topology of main.fw');
    await t.frame.locator('.decl[data-name="web"][data-file$="edge.fw"] text').first().click();
    await ui.waitForSelector('.tabs-container .tab.active[aria-label^="edge.fw"]', { timeout: 15_000 });
    await ui.waitForText('Ln 4,', { selector: '.statusbar', timeout: 15_000 });
  });

  code = 0;
} catch (e) {
  console.log(`FAIL ${e?.stack || e}`);
  if (ui) await ui.screenshot('failure').catch(() => {});
} finally {
  if (ui) await ui.close();
  removeDir(tmp);
}
console.log(`${steps.length} steps passed${code ? ', 1 failed' : ''}`);
process.exit(code);
