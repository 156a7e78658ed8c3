#!/usr/bin/env node
// The `fwlang` command line; the code is bundled into dist/cli.js by `npm run build`.
require('../dist/cli.js').run();
