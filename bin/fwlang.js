#!/usr/bin/env node
// The `fwlang` command line; the code is bundled into dist/cli.js by `npm run build`.
//
// `npm run build` also leaves V8's compiled code of the bundle in dist/cli.js.cache
// (writeCodeCache in scripts/build.mjs): started with it, Node does not compile the bundle
// again (20–60 ms of the 0.6 s `fwlang check` takes on 10,000 rules). The cache starts with the SHA-1 of the
// bundle it was made from and is only used with that bundle; without it, or when this Node.js
// rejects it, the bundle is compiled as usual.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'dist', 'cli.js');
const cacheFile = `${file}.cache`;
const HASH_BYTES = 20;

function load() {
  const write = process.env.FWLANG_WRITE_CODE_CACHE === '1';
  let cache;
  if (!write) {
    try {
      cache = fs.readFileSync(cacheFile);
    } catch {
      return require(file);
    }
  }
  const crypto = require('node:crypto');
  const vm = require('node:vm');
  const Module = require('node:module');
  const source = fs.readFileSync(file, 'utf8');
  const hash = crypto.createHash('sha1').update(source).digest();
  if (cache && (cache.length <= HASH_BYTES || !cache.subarray(0, HASH_BYTES).equals(hash))) return require(file);
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData: cache?.subarray(HASH_BYTES) });
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  script.runInThisContext().call(m.exports, m.exports, Module.createRequire(file), m, file, path.dirname(file));
  m.loaded = true;
  if (write) process.on('exit', () => fs.writeFileSync(cacheFile, Buffer.concat([hash, script.createCachedData()])));
  return m.exports;
}

load().run();
