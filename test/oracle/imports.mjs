// The import round trip (the other direction): random rule sets written in
// kernel syntax, loaded, read back, imported with `fwlang import`, and
// fwlang's verdicts compared with the kernel's. Not written yet: this part
// fails (never a pass) until it is.

export async function runImports() {
  console.log('FAIL import round trip: not written yet (run with --only export)');
  return new Map([['import nftables', { passed: 0, failed: 1 }]]);
}
