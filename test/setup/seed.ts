// The seed of every property test (fast-check) that does not fix its own.
//
// By default fast-check draws a new seed on each run, so a run explores cases no earlier run
// tried; that is how the import properties found the goto bug of 2026-12-02, in a CI run of a
// commit that had not touched the import. `.ci/run` sets FWLANG_SEED so that CI judges a commit
// by its code alone and gives the same answer twice; anyone can set it to replay a failure
// (fast-check prints the seed it failed with) or to try another seed.
import fc from 'fast-check';

const raw = process.env.FWLANG_SEED;
if (raw !== undefined && raw !== '') {
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FWLANG_SEED must be a whole number, not ${JSON.stringify(raw)}`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
}
