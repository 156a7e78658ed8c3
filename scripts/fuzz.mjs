// `npm run test:fuzz`: bundles the fuzzer (test/fuzz/main.ts) and runs it with these arguments.
//   node scripts/fuzz.mjs [--docs N] [--sequences N] [--incremental N] [--imports N] [--seed S] [--jobs J] [--budget MS] [--only SUITE] [--replay FILE]
// The language server it talks to is dist/server.js, built first when older than the sources.
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';

const root = new URL('..', import.meta.url);
const out = new URL('.tmp/fuzz/fuzz.mjs', root);
await esbuild.build({
  entryPoints: [new URL('test/fuzz/main.ts', root).pathname],
  outfile: out.pathname,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  logLevel: 'warning',
  // CommonJS names for the bundled test helpers; the bundle sits two folders down, as they do.
  banner: {
    js: [
      "import { createRequire } from 'node:module';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      'const require = createRequire(import.meta.url);',
      'const __filename = __fileURLToPath(import.meta.url);',
      "const __dirname = __fileURLToPath(new URL('.', import.meta.url));",
    ].join(' '),
  },
});
const r = spawnSync(process.execPath, ['--enable-source-maps', out.pathname, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
