// A suite that must fail: proves the harness reports a failing assertion as a
// non-zero exit code with its message (run by test/editor/run.mjs).
'use strict';
const assert = require('node:assert');
const vscode = require('vscode');
const { suite } = require('../../../minitest.cjs');

const s = suite('editor-harness negative self-test');
s.test('passes', () => assert.ok(vscode.version));
s.test('fails on purpose', () => assert.strictEqual(1 + 1, 3, 'EXPECTED-FAILURE-MARKER'));
module.exports.run = s.run;
