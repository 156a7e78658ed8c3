// The flow picture of every flow of every sample (`fwlang simulate FILE --svg DIR`, the built
// CLI) and the ports picture of every stateless firewall of every sample, in Chromium, with
// VS Code's light, dark and high-contrast colours set as the --vscode-* variables a webview
// gets: no text overlaps another, every text lies inside the picture's viewBox, no text
// crosses the edge of a box, none is drawn in the background's colour. The check is shown to
// catch a broken layout (every hop label moved to one height). Screenshots of a few go to
// test-results/editor/flow-*.png and ports-*.png.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_ROOT, RESULTS_DIR, ensureResultsDir, makeTempDir, removeDir } from '../common.mjs';
import { launchBrowser } from '../codeserver.mjs';
import { THEMES } from '../themes.mjs';

const SAMPLES = path.join(REPO_ROOT, 'samples');

/** `fwlang simulate SAMPLE --svg DIR`: the pictures it wrote, by file name. */
function flowPictures(sample, dir) {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/fwlang.js'), 'simulate', sample, '--svg', dir], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  // 1: a flow not as expected (samples/mistakes.fw means it); 2 would be a refusal.
  if (r.status !== 0 && r.status !== 1) throw new Error(`fwlang simulate ${sample} exited ${r.status}: ${r.stderr}`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.svg'))
    .map((f) => ({ name: f, svg: readFileSync(path.join(dir, f), 'utf8') }));
}

/** The ports pictures of the stateless firewalls of a sample, through the sources bundled by esbuild. */
async function portsPictures(tmp) {
  const esbuild = createRequire(path.join(REPO_ROOT, 'package.json'))('esbuild');
  const out = path.join(tmp, 'pictures.cjs');
  await esbuild.build({
    stdin: {
      contents: [
        "export { buildModel } from './server/src/model/resolve';",
        "export { nodeFileHost } from './server/src/node/fileHost';",
        "export { portsSvg } from './server/src/pictures/ports';",
      ].join('\n'),
      resolveDir: REPO_ROOT,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: out,
    logLevel: 'error',
  });
  const { buildModel, nodeFileHost, portsSvg } = createRequire(out)(out);
  return (sample) => {
    const model = buildModel(sample, readFileSync(sample, 'utf8'), nodeFileHost());
    return model.firewalls.filter((f) => f.mode === 'stateless').map((f) => ({ name: `${f.name}`, svg: portsSvg(model, f) }));
  };
}

/** Runs in the page: what is wrong with the picture, as sentences (none when it reads well). */
export function problemsInPage() {
  const svg = document.querySelector('svg');
  const vb = svg.viewBox.baseVal;
  const problems = [];
  const texts = [...svg.querySelectorAll('text')].map((t) => ({ t, r: t.getBoundingClientRect(), b: t.getBBox(), s: t.textContent }));
  const overlap = (a, b, slack = 0.5) =>
    a.left < b.right - slack && b.left < a.right - slack && a.top < b.bottom - slack && b.top < a.bottom - slack;
  const inside = (a, b, slack = 0.5) =>
    a.left >= b.left - slack && a.right <= b.right + slack && a.top >= b.top - slack && a.bottom <= b.bottom + slack;
  for (const { b, r, s } of texts) {
    if (r.width === 0) problems.push(`"${s}" is not drawn`);
    if (b.x < vb.x - 0.5 || b.y < vb.y - 0.5 || b.x + b.width > vb.x + vb.width + 0.5 || b.y + b.height > vb.y + vb.height + 0.5)
      problems.push(`"${s}" reaches out of the viewBox`);
  }
  for (let i = 0; i < texts.length; i++)
    for (let j = i + 1; j < texts.length; j++)
      if (overlap(texts[i].r, texts[j].r)) problems.push(`"${texts[i].s}" overlaps "${texts[j].s}"`);
  // A text is inside a box or clear of it, never across its edge.
  for (const box of svg.querySelectorAll('rect.fw-box, rect.fw-end-box, rect.fw-nat-box')) {
    const br = box.getBoundingClientRect();
    for (const { r, s } of texts) if (overlap(r, br) && !inside(r, br)) problems.push(`"${s}" crosses the edge of a box`);
  }
  // No text in the colour of the background.
  const probe = document.createElement('div');
  probe.style.color = 'var(--vscode-editor-background, #ffffff)';
  document.body.appendChild(probe);
  const bg = getComputedStyle(probe).color;
  probe.remove();
  for (const { t, s } of texts) if (getComputedStyle(t).fill === bg) problems.push(`"${s}" has the background's colour ${bg}`);
  return problems;
}

/** Runs in the page: every hop label's two lines moved to one height, as a broken layout would. */
function breakLayout() {
  const labels = [...document.querySelectorAll('svg .hop-label')];
  labels.forEach((g, i) => g.querySelectorAll('text').forEach((t) => t.setAttribute('y', String(40 + (i % 2)))));
  return labels.length;
}

const page = (vars, svg) => {
  const style = Object.entries(vars)
    .map(([k, v]) => `${k}: ${v};`)
    .join(' ');
  const bg = vars['--vscode-editor-background'] ?? '#ffffff';
  return `<!DOCTYPE html><html style="${style}"><body style="margin:0; background:${bg}">${svg}</body></html>`;
};

export default [
  {
    name: 'pictures: every flow and ports picture of the samples in Chromium, light, dark and high contrast: no text overlaps, all inside',
    needs: ['codeServer'],
    timeout: 300_000,
    async run() {
      const tmp = makeTempDir('flow-pictures');
      const { browser, context } = await launchBrowser({ viewport: { width: 1800, height: 1200 } });
      try {
        const tab = await context.newPage();
        const samples = readdirSync(SAMPLES).filter((f) => f.endsWith('.fw'));
        assert.ok(samples.length >= 5, `only ${samples.length} samples`);
        const ports = await portsPictures(tmp);
        const problems = [];
        let flows = 0;
        let portPictures = 0;
        ensureResultsDir();
        for (const f of samples) {
          const base = f.replace(/\.fw$/, '');
          const dir = path.join(tmp, base);
          const pictures = [
            ...flowPictures(path.join(SAMPLES, f), dir).map((p) => ({ ...p, kind: 'flow' })),
            ...ports(path.join(SAMPLES, f)).map((p) => ({ ...p, kind: 'ports' })),
          ];
          flows += pictures.filter((p) => p.kind === 'flow').length;
          portPictures += pictures.filter((p) => p.kind === 'ports').length;
          for (const p of pictures) {
            for (const [theme, vars] of Object.entries(THEMES)) {
              await tab.setContent(page(vars, p.svg));
              for (const x of await tab.evaluate(problemsInPage)) problems.push(`${f} ${p.kind} ${p.name} (${theme}): ${x}`);
              const shot =
                (base === 'mistakes' && p.kind === 'flow' && p.name === '102.svg') ||
                (base === 'aws-nat' && p.kind === 'flow' && p.name === '66.svg') ||
                (base === 'mistakes' && p.kind === 'ports' && p.name === 'wide-open');
              if (shot) {
                const name = `${p.kind}-${base}-${p.name.replace(/\.svg$/, '')}-${theme}.png`;
                await tab.locator('svg').screenshot({ path: path.join(RESULTS_DIR, name) });
              }
            }
          }
        }
        assert.ok(flows >= 30, `only ${flows} flow pictures`);
        assert.ok(portPictures >= 8, `only ${portPictures} ports pictures`);
        assert.deepEqual(problems, []);

        // The check sees a broken layout: every hop label at one height.
        const svg = readFileSync(path.join(tmp, 'aws-nat', '66.svg'), 'utf8');
        await tab.setContent(page({}, svg));
        assert.deepEqual(await tab.evaluate(problemsInPage), []);
        assert.ok((await tab.evaluate(breakLayout)) >= 8);
        const broken = await tab.evaluate(problemsInPage);
        assert.ok(
          broken.some((p) => / overlaps /.test(p)),
          `the broken layout went unnoticed: ${broken.join('; ')}`,
        );
        return `${flows} flow and ${portPictures} ports pictures × ${Object.keys(THEMES).length} themes, no overlap; a broken layout: ${broken.length} problems`;
      } finally {
        await browser.close();
        removeDir(tmp);
      }
    },
  },
];
