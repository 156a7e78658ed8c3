// The topology picture of every sample (`fwlang graph FILE --svg OUT`, the built CLI) in
// Chromium, with VS Code's light, dark and high-contrast colours set as the --vscode-* variables
// a webview gets: no text overlaps another, no flow's label covers a box, every text lies
// inside the picture, and no text is drawn in the colour of the background. Screenshots go to
// test-results/editor/topology-*.png.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, RESULTS_DIR, ensureResultsDir, makeTempDir, removeDir } from '../common.mjs';
import { launchBrowser } from '../codeserver.mjs';
import { THEMES } from '../themes.mjs';

const SAMPLES = path.join(REPO_ROOT, 'samples');

function graph(sample, out) {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/fwlang.js'), 'graph', sample, '--svg', out], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`fwlang graph ${sample} exited ${r.status}: ${r.stderr}`);
  return readFileSync(out, 'utf8');
}

/** Runs in the page: what is wrong with the picture, as sentences (none when it reads well). */
export function problemsInPage() {
  const svg = document.querySelector('svg');
  const frame = svg.getBoundingClientRect();
  const problems = [];
  const texts = [...svg.querySelectorAll('text')].map((t) => ({ t, r: t.getBoundingClientRect(), s: t.textContent }));
  const overlap = (a, b, slack = 0.5) =>
    a.left < b.right - slack && b.left < a.right - slack && a.top < b.bottom - slack && b.top < a.bottom - slack;
  for (const { r, s } of texts) {
    if (r.width === 0) problems.push(`"${s}" is not drawn`);
    if (r.left < frame.left - 0.5 || r.right > frame.right + 0.5 || r.top < frame.top - 0.5 || r.bottom > frame.bottom + 0.5)
      problems.push(`"${s}" reaches out of the picture`);
  }
  for (let i = 0; i < texts.length; i++)
    for (let j = i + 1; j < texts.length; j++)
      if (overlap(texts[i].r, texts[j].r)) problems.push(`"${texts[i].s}" overlaps "${texts[j].s}"`);
  // A flow's label must not cover an endpoint's or a gateway's box.
  const leaves = [...svg.querySelectorAll('.endpoint, .nat')].map((g) => ({ name: g.dataset.name, r: g.getBoundingClientRect() }));
  for (const label of svg.querySelectorAll('.flow text')) {
    const r = label.getBoundingClientRect();
    for (const leaf of leaves) if (overlap(r, leaf.r)) problems.push(`the label "${label.textContent}" covers the box of ${leaf.name}`);
  }
  // And no text in the colour of the background.
  const bg = getComputedStyle(svg.querySelector('.fw-backdrop')).fill;
  for (const { t, s } of texts) if (getComputedStyle(t).fill === bg) problems.push(`"${s}" has the background's colour ${bg}`);
  return problems;
}

export default [
  {
    name: 'pictures: the topology of every sample in Chromium, light, dark and high contrast: no text overlaps, every label inside',
    needs: ['codeServer'],
    timeout: 240_000,
    async run() {
      const tmp = makeTempDir('topology');
      const { browser, context } = await launchBrowser({ viewport: { width: 1800, height: 1200 } });
      try {
        const page = await context.newPage();
        const samples = readdirSync(SAMPLES).filter((f) => f.endsWith('.fw'));
        assert.ok(samples.length >= 5, `only ${samples.length} samples`);
        const problems = [];
        ensureResultsDir();
        for (const f of samples) {
          const svg = graph(path.join(SAMPLES, f), path.join(tmp, `${f}.svg`));
          for (const [theme, vars] of Object.entries(THEMES)) {
            const style = Object.entries(vars)
              .map(([k, v]) => `${k}: ${v};`)
              .join(' ');
            const bg = vars['--vscode-editor-background'] ?? '#ffffff';
            await page.setContent(`<!DOCTYPE html><html style="${style}"><body style="margin:0; background:${bg}">${svg}</body></html>`);
            for (const p of await page.evaluate(problemsInPage)) problems.push(`${f} (${theme}): ${p}`);
            if (f === 'aws-nat.fw' || theme === 'light')
              await page.locator('svg').screenshot({ path: path.join(RESULTS_DIR, `topology-${f.replace(/\.fw$/, '')}-${theme}.png`) });
          }
        }
        assert.deepEqual(problems, []);
        return `${samples.length} samples × ${Object.keys(THEMES).length} themes, no overlap`;
      } finally {
        await browser.close();
        removeDir(tmp);
      }
    },
  },
];
