const fs = require('fs'), vm = require('vm'), path = require('path'), Module = require('module');
const file = path.resolve(__dirname, '../dist/cli.js');
const cacheFile = file + '.cache';
const src = fs.readFileSync(file, 'utf8');
let cachedData; try { cachedData = fs.readFileSync(cacheFile); } catch {}
const wrapper = Module.wrap(src);
const script = new vm.Script(wrapper, { filename: file, cachedData });
if (process.env.CCDEBUG) console.error('rejected', script.cachedDataRejected, !!cachedData);
const fn = script.runInThisContext();
const m = { exports: {} };
fn.call(m.exports, m.exports, require, m, file, path.dirname(file));
if (process.env.MAKECACHE) process.on('exit', () => fs.writeFileSync(cacheFile, script.createCachedData()));
m.exports.run();
