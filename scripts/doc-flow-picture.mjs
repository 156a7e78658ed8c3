// Writes docs/images/flow-partial.svg (the flow picture of samples/mistakes.fw line 102, a
// partial flow, as `fwlang simulate --svg` draws it) and docs/images/flow-partial.png (that
// SVG rendered by Chromium through the playwright-core of .tools/editors, light theme).
// Run after `npm run build` and `bash .ci/install-editors.sh`: node scripts/doc-flow-picture.mjs
// test/pictures/docs.test.ts fails when the SVG no longer matches what the CLI draws.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLE = 'samples/mistakes.fw';
const LINE = 102;
const OUT = path.join(ROOT, 'docs', 'images', 'flow-partial');

const tmp = mkdtempSync(path.join(tmpdir(), 'fwlang-doc-picture-'));
try {
  const r = spawnSync(process.execPath, ['bin/fwlang.js', 'simulate', SAMPLE, '--svg', tmp], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) throw new Error(`fwlang simulate exited ${r.status}: ${r.stderr}`);
  copyFileSync(path.join(tmp, `${LINE}.svg`), `${OUT}.svg`);
  const tools = process.env.FWLANG_EDITORS_DIR ?? path.join(ROOT, '.tools', 'editors');
  const { chromium } = createRequire(path.join(tools, 'package.json'))('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.FWLANG_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ deviceScaleFactor: 2 });
    const svg = readFileSync(`${OUT}.svg`, 'utf8');
    await page.setContent(`<!DOCTYPE html><html><body style="margin:0; background:#ffffff">${svg}</body></html>`);
    await page.locator('svg').screenshot({ path: `${OUT}.png` });
  } finally {
    await browser.close();
  }
  console.log(`wrote ${path.relative(ROOT, OUT)}.svg and .png`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
