// Bundles the CLI, the language server and the extension client with esbuild.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const fs = await import('node:fs');
const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  define: { FWLANG_VERSION: JSON.stringify(pkg.version) },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  minify: process.argv.includes('--minify'),
};

/** `elkjs/lib/elk.bundled.js` as `./elk.js`, the file beside the bundle (not bundled). */
const elkBeside = {
  name: 'elk-beside',
  setup(build) {
    build.onResolve({ filter: /^elkjs\/lib\/elk\.bundled\.js$/ }, () => ({ path: './elk.js', external: true }));
  },
};

const builds = [
  // ELK (the topology layout) is three quarters of the code and only `fwlang graph` needs it: the CLI
  // loads it from node_modules on first use (elkjs is a dependency), so `check` starts faster.
  // Its import() of elkjs becomes a require(): bin/fwlang.js runs the bundle as a vm.Script (to use
  // its code cache), where an import() has no loader to go to.
  { entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js', external: ['elkjs'], supported: { 'dynamic-import': false } },
  // The language server loads ELK from a file of its own, dist/elk.js, when it first draws a
  // topology: compiled at start it took ~22 MB of the server's memory (issue 12).
  { entryPoints: ['server/src/main.ts'], outfile: 'dist/server.js', plugins: [elkBeside] },
  { entryPoints: ['node_modules/elkjs/lib/elk.bundled.js'], outfile: 'dist/elk.js' },
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
];

if (process.argv.includes('--bench')) {
  // The benchmark imports the core directly; bundled as ESM for its top-level await.
  builds.length = 0;
  builds.push({
    entryPoints: ['bench/run.ts'],
    outfile: 'dist/bench.mjs',
    format: 'esm',
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
}
const present = builds.filter((b) => fs.existsSync(b.entryPoints[0]));
if (watch) {
  for (const b of present) await (await esbuild.context({ ...common, ...b })).watch();
} else {
  await Promise.all(present.map((b) => esbuild.build({ ...common, ...b })));
  if (present.some((b) => b.outfile === 'dist/cli.js')) await writeCodeCache();
  // package.json's severity settings and the docs index are generated from the table of codes.
  const { staleFiles } = await import('./codes.mjs');
  const stale = await staleFiles(false);
  if (stale.length) console.warn(`warning: ${stale.join(', ')} out of date with server/src/core/codes.ts: run npm run codes`);
}

/**
 * dist/cli.js.cache: V8's code of the CLI bundle, compiled while it checks the samples, so that
 * `fwlang` starts without compiling it (bin/fwlang.js says when it is used).
 */
async function writeCodeCache() {
  const { spawnSync } = await import('node:child_process');
  const samples = fs
    .readdirSync('samples')
    .filter((f) => f.endsWith('.fw'))
    .map((f) => `samples/${f}`);
  fs.rmSync('dist/cli.js.cache', { force: true });
  const r = spawnSync(process.execPath, ['bin/fwlang.js', 'check', ...samples, '--format', 'json'], {
    env: { ...process.env, FWLANG_WRITE_CODE_CACHE: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0 && r.status !== 1) console.warn(`warning: no code cache for the CLI: ${r.stderr.split('\n')[0]}`);
}
