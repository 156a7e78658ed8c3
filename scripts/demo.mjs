// `npm run demo`: the main job on the samples — check every sample, then simulate each
// sample's flows, request and response, hop by hop. samples/mistakes.fw fails on purpose.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const run = (args) => {
  console.log(`\n$ npx fwlang ${args.join(' ')}`);
  const r = spawnSync(process.execPath, ['bin/fwlang.js', ...args], { stdio: 'inherit' });
  return r.status;
};

run(['check', 'samples']);
const results = [];
for (const f of readdirSync('samples')
  .filter((n) => n.endsWith('.fw'))
  .sort()) {
  results.push([f, run(['simulate', `samples/${f}`])]);
}
console.log('\nsimulate exit codes (0 = every flow as expected, 1 = some flow not):');
for (const [f, code] of results)
  console.log(`  samples/${f}: ${code}${f === 'mistakes.fw' ? '  (the classic mistakes: their responses are dropped)' : ''}`);
const unexpected = results.filter(([f, code]) => (f === 'mistakes.fw' ? code !== 1 : code !== 0));
process.exit(unexpected.length ? 1 : 0);
