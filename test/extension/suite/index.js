// The extension's tests, run INSIDE a real VS Code extension host with the real `vscode` API
// (code-server via test/extension/runInCodeServer.mjs, or a desktop VS Code via
// test/extension/runTestElectron.mjs). Plain CommonJS, no build step: `run()` resolves when
// every test passed and rejects otherwise (the @vscode/test-electron convention).
//
// The workspace folder must be a copy of samples/ (the runners make one). Expectations come
// from samples/EXPECTED.md; they name diagnostic codes and lines, never message wording.
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const vscode = require('vscode');
const { suite, waitFor } = require(path.join(__dirname, '..', '..', 'editor', 'minitest.cjs'));

const EXTENSION_ID = 'fwlang.fwlang';
const s = suite('fwlang extension (VS Code API)');

// ---------------------------------------------------------------- helpers ---

const folder = () => {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('no workspace folder: open a copy of samples/');
  return f.uri;
};
const sampleUri = (name) => vscode.Uri.joinPath(folder(), ...name.split('/'));

/** The extension's API (activate()'s return value), activating it if needed. */
async function api() {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
  const a = ext.isActive ? ext.exports : await ext.activate();
  await a.ready();
  return a;
}

async function open(nameOrUri) {
  const uri = typeof nameOrUri === 'string' ? sampleUri(nameOrUri) : nameOrUri;
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  assert.equal(doc.languageId, 'fw', `${uri.path} should open as language fw`);
  return { doc, editor, uri };
}

let untitled = 0;
/** A new untitled .fw document holding `content`. Its name is unique: VS Code reuses
 *  `Untitled-N` names, and a just-closed document of the same name can come back. */
async function openText(content) {
  const uri = vscode.Uri.from({ scheme: 'untitled', path: `/fwlang-test-${Date.now()}-${++untitled}.fw` });
  let doc = await vscode.workspace.openTextDocument(uri);
  if (doc.languageId !== 'fw') doc = await vscode.languages.setTextDocumentLanguage(doc, 'fw');
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  assert.ok(await editor.edit((e) => e.insert(new vscode.Position(0, 0), content)), 'could not write the untitled document');
  assert.equal(doc.getText(), content);
  return { doc, editor, uri: doc.uri };
}

/** Closes an untitled document without saving it. */
async function discard(doc) {
  await vscode.window.showTextDocument(doc, { preview: false });
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
}

const codeOf = (d) => (typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code));
const fwDiagnostics = (uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'fwlang');
const SEVERITY = ['error', 'warning', 'info', 'hint'];
const describe = (d) => `L${d.range.start.line + 1} ${codeOf(d)} ${SEVERITY[d.severity]}`;
const describeAll = (ds) => ds.map(describe).sort(byLine).join(', ') || '(none)';
function byLine(a, b) {
  const la = Number(a.match(/^L(\d+)/)?.[1] ?? 0);
  const lb = Number(b.match(/^L(\d+)/)?.[1] ?? 0);
  return la - lb || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * The code lenses of a document, once the server answers with at least `min` of them. Resolved:
 * a request rule's lens comes without its command, which VS Code asks the server for
 * (codeLens/resolve) when it shows the lens, and the command does when given a count.
 */
async function lenses(uri, min = 1, timeout = 20_000) {
  return waitFor(
    async () => {
      const ls = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri, 10_000);
      return ls && ls.length >= min && ls.every((l) => l.command) ? ls : null;
    },
    { timeout, what: `${min}+ code lenses in ${path.basename(uri.path)}` },
  );
}

/** Waits until the server has analysed a document that should have NO diagnostics, then checks
 *  that none arrived. "Analysed": it answered code lenses (same analysis as diagnostics) and
 *  either published (even an empty list) or a short grace period passed. */
async function expectNoDiagnostics(uri) {
  let published = false;
  const sub = vscode.languages.onDidChangeDiagnostics((e) => {
    if (e.uris.some((u) => u.toString() === uri.toString())) published = true;
  });
  try {
    const { doc } = await open(uri);
    const flows = doc
      .getText()
      .split('\n')
      .filter((l) => /^\s*flow\b/.test(l)).length;
    assert.ok(flows > 0, 'every sample has flows');
    await lenses(uri, flows);
    const t0 = Date.now();
    await waitFor(() => fwDiagnostics(uri).length > 0 || published || Date.now() - t0 > 1500, { timeout: 5000, what: 'diagnostics' });
    assert.equal(describeAll(fwDiagnostics(uri)), '(none)', `${path.basename(uri.path)} should have no fwlang diagnostics`);
  } finally {
    sub.dispose();
  }
}

function lineOf(doc, re, n = 0) {
  const hits = [];
  for (let i = 0; i < doc.lineCount; i++) if (re.test(doc.lineAt(i).text)) hits.push(i);
  assert.ok(hits[n] !== undefined, `no line matching ${re} in ${path.basename(doc.uri.path)}`);
  return hits[n];
}

async function closeAll() {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Changes a user setting for the length of `fn`, then puts back what was there (a desktop
 *  "Extension Tests" launch may share the developer's user settings). */
async function withSetting(key, fn) {
  const config = () => vscode.workspace.getConfiguration('fwlang');
  const before = config().inspect(key)?.globalValue;
  const set = (value) => config().update(key, value, vscode.ConfigurationTarget.Global);
  try {
    await fn(set);
  } finally {
    await set(before);
  }
}

// From samples/EXPECTED.md, "mistakes.fw / Diagnostics (17)": 1-based line, code, severity.
const MISTAKES = [
  [30, 'missing-response', 'warning'],
  [38, 'partial-response', 'warning'],
  [39, 'broad-response', 'warning'],
  [48, 'broad-response', 'warning'],
  [48, 'broad-response', 'warning'],
  [56, 'partial-response', 'warning'],
  [67, 'shadowed-rule', 'warning'],
  [76, 'redundant-rule', 'hint'],
  [78, 'stateful-response', 'hint'],
  [86, 'unused-suppression', 'hint'],
  [89, 'orphan-response', 'info'],
  [98, 'broad-response', 'warning'],
  [101, 'flow-expectation', 'error'],
  [102, 'flow-expectation', 'error'],
  [105, 'flow-expectation', 'error'],
  [107, 'flow-expectation', 'error'],
  [109, 'flow-expectation', 'error'],
].map(([line, code, sev]) => `L${line} ${code} ${sev}`);

/** Multiset difference a - b of strings. */
function minus(a, b) {
  const rest = [...b];
  return a.filter((x) => {
    const i = rest.indexOf(x);
    if (i < 0) return true;
    rest.splice(i, 1);
    return false;
  });
}

// ------------------------------------------------------------------ tests ---

s.test('runs in VS Code 1.99 on a folder of samples', () => {
  assert.ok(vscode.version.startsWith('1.'), vscode.version);
  assert.equal(vscode.workspace.workspaceFolders?.length, 1);
  return vscode.workspace.fs.stat(sampleUri('catogram.fw'));
});

s.test('activates quickly and starts the language server', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} not found`);
  let ms = null;
  if (!ext.isActive) {
    const t0 = performance.now();
    await ext.activate();
    ms = performance.now() - t0;
    console.log(`EDITORTEST activation of ${EXTENSION_ID} (module load + activate()): ${ms.toFixed(1)} ms`);
  }
  const t1 = performance.now();
  await ext.exports.ready();
  console.log(`EDITORTEST language server ready ${(performance.now() - t1).toFixed(0)} ms after activation`);
  if (ms !== null) assert.ok(ms < 1500, `activation took ${ms.toFixed(0)} ms (target < 300 ms)`);
  assert.equal(typeof ext.exports.lastTrace, 'function');
});

s.test('registers its commands', async () => {
  const all = await vscode.commands.getCommands(true);
  for (const c of [
    'fwlang.simulateFlowAtCursor',
    'fwlang.simulateFlowInput',
    'fwlang.showTrace',
    'fwlang.restartServer',
    'fwlang.importRules',
    'fwlang.exportFirewall',
    'fwlang.showPicture',
    'fwlang.showTopology',
    // the server's own, registered by the language client:
    'fwlang.simulate',
    'fwlang.simulateRule',
    'fwlang.simulateText',
  ]) {
    assert.ok(all.includes(c), `command ${c} is not registered`);
  }
});

for (const name of ['catogram.fw', 'aws-vpc.fw', 'linux-host.fw', 'side-by-side.fw', 'ipv6-dns.fw', 'office.fw']) {
  s.test(
    `${name}: no diagnostics (samples/EXPECTED.md)`,
    async () => {
      await api();
      await expectNoDiagnostics(sampleUri(name));
    },
    { timeout: 30_000 },
  );
}

s.test('common/inventory.fw: no diagnostics', async () => {
  await api();
  const uri = sampleUri('common/inventory.fw');
  await open(uri);
  // declarations only, no lens to wait on: wait for a publish, the outline, or 3 s
  let published = false;
  const sub = vscode.languages.onDidChangeDiagnostics((e) => {
    if (e.uris.some((u) => u.toString() === uri.toString())) published = true;
  });
  const t0 = Date.now();
  try {
    await waitFor(
      async () => {
        if (fwDiagnostics(uri).length > 0 || published || Date.now() - t0 > 3000) return true;
        const symbols = await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', uri);
        return symbols && symbols.length > 0;
      },
      { timeout: 6000, interval: 200 },
    );
  } finally {
    sub.dispose();
  }
  assert.equal(describeAll(fwDiagnostics(uri)), '(none)');
});

s.test(
  'mistakes.fw: missing-, partial- and broad-response warnings on their lines',
  async () => {
    await api();
    const { uri } = await open('mistakes.fw');
    const wanted = MISTAKES.filter((x) => /(missing|partial|broad)-response/.test(x));
    try {
      await waitFor(() => minus(wanted, fwDiagnostics(uri).map(describe)).length === 0, { timeout: 20_000, what: 'the response warnings' });
    } catch (e) {
      assert.fail(`missing ${minus(wanted, fwDiagnostics(uri).map(describe)).join(', ')}; got ${describeAll(fwDiagnostics(uri))}`);
    }
    const d30 = fwDiagnostics(uri).find((d) => d.range.start.line === 29 && codeOf(d) === 'missing-response');
    assert.ok(d30.message.length > 10, 'a message that says something');
    assert.ok(d30.code.target, 'the code links to its documentation page');
  },
  { timeout: 30_000 },
);

s.test(
  'mistakes.fw: exactly the 17 diagnostics of samples/EXPECTED.md',
  async () => {
    await api();
    const { uri } = await open('mistakes.fw');
    await lenses(uri, 14);
    const got = () => fwDiagnostics(uri).map(describe);
    try {
      await waitFor(() => minus(MISTAKES, got()).length === 0 && minus(got(), MISTAKES).length === 0, { timeout: 10_000 });
    } catch {
      assert.fail(
        `missing: ${minus(MISTAKES, got()).sort(byLine).join(', ') || '-'}; unexpected: ${minus(got(), MISTAKES).sort(byLine).join(', ') || '-'}`,
      );
    }
    // spec §8: these two are "hint, unnecessary" (faded out in the editor)
    const unnecessary = fwDiagnostics(uri)
      .filter((d) => d.tags?.includes(vscode.DiagnosticTag.Unnecessary))
      .map(describe);
    assert.deepEqual(minus(['L76 redundant-rule hint', 'L78 stateful-response hint'], unnecessary), []);
  },
  { timeout: 30_000 },
);

s.test('hover on a rule explains request and response', async () => {
  await api();
  const { doc, uri } = await open('catogram.fw');
  await lenses(uri);
  const line = lineOf(doc, /^\s*100\s+inbound\s+allow/);
  const text = doc.lineAt(line).text;
  // the action word first; then the number, direction and protocol of the same rule
  const positions = ['allow', '100', 'inbound', 'tcp'].map((w) => new vscode.Position(line, text.indexOf(w) + 1));
  const seen = [];
  for (const pos of positions) {
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, pos);
    const md = (hovers || [])
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : c.value))
      .join('\n');
    seen.push(`@${pos.character}: ${md.slice(0, 120).replace(/\n/g, ' ')}`);
    if (/request/i.test(md) && /response/i.test(md)) return;
  }
  assert.fail(`no hover on rule 100 (line ${line + 1}) mentions both "request" and "response": ${seen.join(' | ') || 'no hover'}`);
});

s.test('code lenses: "▶ Simulate" above each flow', async () => {
  await api();
  await closeAll();
  const { doc, uri } = await open('catogram.fw');
  const flowLines = [];
  for (let i = 0; i < doc.lineCount; i++) if (/^\s*flow\b/.test(doc.lineAt(i).text)) flowLines.push(i);
  assert.equal(flowLines.length, 3);
  const ls = await lenses(uri, 3);
  for (const l of flowLines) {
    const here = ls.filter((x) => x.range.start.line === l);
    assert.ok(
      here.some((x) => x.command.title.includes('▶ Simulate')),
      `no "▶ Simulate" lens on line ${l + 1}: ${here.map((x) => x.command.title).join(' | ') || 'no lens there'}`,
    );
    assert.ok(
      here.some((x) => x.command.command === 'fwlang.simulate'),
      `the lens on line ${l + 1} runs fwlang.simulate`,
    );
  }
  // A request rule's lens, resolved by VS Code through the server as the flows' are.
  const rule = lineOf(doc, /^\s*120 outbound allow tcp from catogram to updates/);
  const ruleLens = ls.find((x) => x.range.start.line === rule);
  assert.ok(ruleLens, `no lens on rule 120 (line ${rule + 1})`);
  assert.equal(ruleLens.command.title, '▶ Simulate a request like this');
  assert.equal(ruleLens.command.command, 'fwlang.simulateRule');
  assert.deepEqual(ruleLens.command.arguments, [{ uri: uri.toString(), line: rule }]);
});

s.test('running the lens of `flow bob -> catogram https` gives ✔ and a trace', async () => {
  const a = await api();
  const { doc, uri } = await open('catogram.fw');
  const line = lineOf(doc, /^\s*flow bob -> catogram https/);
  const lens = (await lenses(uri, 3)).find((x) => x.range.start.line === line && x.command.command === 'fwlang.simulate');
  assert.ok(lens, 'no simulate lens on the flow');
  const result = await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments || []));
  assert.ok(result && !result.error, `simulation failed: ${JSON.stringify(result)}`);
  assert.ok(result.title.startsWith('✔'), `title: ${result.title}`);
  assert.equal(result.flow.verdict, 'allowed');
  assert.match(result.trace, /edge/, 'the trace names the firewalls it crosses');
  // the server's notification reached the client (it is what fills the output channel)
  const t = await waitFor(
    () => {
      const last = a.lastTrace();
      return last && last.uri === uri.toString() && last.flow && /bob -> catogram https/.test(last.flow.flow) ? last : null;
    },
    { what: 'the fwlang/simulationTrace notification' },
  );
  assert.equal(t.title, result.title);
  // the lens now shows the verdict
  await waitFor(
    async () => {
      const ls = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri, 10_000);
      return ls.some((x) => x.range.start.line === line && x.command?.title.startsWith('✔'));
    },
    { what: 'the lens title with the verdict' },
  );
});

s.test('the "Show picture" lens opens the flow picture beside the editor; it follows the cursor to another flow', async () => {
  const a = await api();
  const { doc, editor, uri } = await open('catogram.fw');
  const line = lineOf(doc, /^\s*flow bob -> catogram https/);
  const lens = (await lenses(uri, 3)).find((x) => x.range.start.line === line && x.command.command === 'fwlang.showPicture');
  assert.ok(lens, 'no "Show picture" lens on the flow');
  assert.equal(lens.command.title, 'Show picture');
  const shown = await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments || []));
  const titleOf = (m) => m?.svg?.match(/<title[^>]*>([^<]*)<\/title>/)?.[1];
  assert.equal(titleOf(shown), 'bob -&gt; catogram https — allowed', JSON.stringify(shown));
  assert.equal(shown.kind, 'flow');
  // the panel is beside, the .fw editor keeps the focus
  const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => ({ label: t.label, column: g.viewColumn })));
  const panel = await waitFor(() => tabs().find((t) => t.label === 'Picture · catogram.fw'), {
    what: `a picture tab (tabs: ${JSON.stringify(tabs())})`,
  });
  assert.notEqual(panel.column, editor.viewColumn);
  assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString());
  try {
    const other = lineOf(doc, /^\s*flow catogram -> updates https/);
    editor.selection = new vscode.Selection(other, 3, other, 3);
    await waitFor(() => titleOf(a.picture()) === 'catogram -&gt; updates https — allowed', {
      what: 'the picture of the flow under the cursor',
    });
    // a comment line: the picture stays
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(titleOf(a.picture()), 'catogram -&gt; updates https — allowed');
  } finally {
    await vscode.commands.executeCommand('workbench.action.closeEditorsInOtherGroups');
  }
  await waitFor(() => a.picture() === undefined, { what: 'the panel closed' });
});

s.test('the picture keeps its flow when lines are added above it, and redraws after the edit', async () => {
  const a = await api();
  const fs = require('node:fs');
  const text = fs.readFileSync(sampleUri('catogram.fw').fsPath, 'utf8');
  const { doc, editor } = await openText(text);
  try {
    const line = lineOf(doc, /^\s*flow bob -> catogram https/);
    const shown = await vscode.commands.executeCommand('fwlang.showPicture', { uri: doc.uri.toString(), line });
    assert.equal(shown?.line, line, JSON.stringify(shown));
    // two lines above it, and rule 110 denied: the same flow, now blocked, two lines down
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), '# one\n# two\n'));
    const rule = lineOf(doc, /^\s*110 outbound allow/);
    const at = doc.lineAt(rule).text.indexOf('allow');
    await editor.edit((e) => e.replace(new vscode.Range(rule, at, rule, at + 'allow'.length), 'deny'));
    const m = await waitFor(() => (/— blocked</.test(a.picture()?.svg ?? '') ? a.picture() : null), {
      what: 'the picture redrawn after the edit',
    });
    assert.equal(m.line, line + 2);
    assert.match(m.svg, /<title[^>]*>bob -&gt; catogram https — blocked<\/title>/);
  } finally {
    await vscode.commands.executeCommand('workbench.action.closeEditorsInOtherGroups');
    await discard(doc);
  }
});

s.test('fwlang.simulateFlowAtCursor runs the flow under the cursor', async () => {
  await api();
  const { doc, editor } = await open('catogram.fw');
  const line = lineOf(doc, /^\s*flow bob:51000 -> catogram tcp 22/);
  editor.selection = new vscode.Selection(line, 12, line, 12);
  const r = await vscode.commands.executeCommand('fwlang.simulateFlowAtCursor');
  assert.ok(r && !r.error, JSON.stringify(r));
  assert.ok(r.title.startsWith('✔ blocked'), `title: ${r.title}`); // met its expect deny
  assert.equal(r.flow.verdict, 'blocked');
  // on a request rule: a request like it (rule 100: internet -> catogram https)
  const rule = lineOf(doc, /^\s*100\s+inbound/);
  editor.selection = new vscode.Selection(rule, 20, rule, 20);
  const byRule = await vscode.commands.executeCommand('fwlang.simulateFlowAtCursor');
  // a flow made from a rule has no expect: the mark says so (cli.md: • no expect)
  assert.ok(byRule && byRule.title && byRule.title.startsWith('• allowed'), JSON.stringify(byRule));
  assert.match(byRule.flow.flow, /catogram/);
  // on a line with no flow, the server says so (and the client shows a warning)
  editor.selection = new vscode.Selection(0, 0, 0, 0);
  const none = await vscode.commands.executeCommand('fwlang.simulateFlowAtCursor');
  assert.ok(none && typeof none.error === 'string', JSON.stringify(none));
});

s.test('fwlang.simulateFlowInput simulates a typed flow with the names of the file', async () => {
  await api();
  await open('catogram.fw');
  const ok = await vscode.commands.executeCommand('fwlang.simulateFlowInput', 'bob -> catogram https');
  assert.ok(ok && ok.title && ok.title.startsWith('• allowed'), JSON.stringify(ok)); // typed: no expect
  const withKeyword = await vscode.commands.executeCommand('fwlang.simulateFlowInput', 'flow catogram -> updates https');
  assert.ok(withKeyword && withKeyword.title && withKeyword.title.startsWith('• allowed'), JSON.stringify(withKeyword));
  const bad = await vscode.commands.executeCommand('fwlang.simulateFlowInput', 'nobody -> catogram https');
  assert.ok(bad && typeof bad.error === 'string', JSON.stringify(bad));
});

s.test('fwlang.importRules turns AWS CLI JSON into a new .fw document', async () => {
  await api();
  const fs = require('node:fs');
  const os = require('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwlang-import-'));
  const acls = path.join(dir, 'acls.json');
  // `aws ec2 describe-network-acls`: one ACL, one allow entry each way and AWS's final denies.
  const entry = (n, egress, action, cidr, from, to) => ({
    RuleNumber: n,
    Egress: egress,
    Protocol: n === 32767 ? '-1' : '6',
    RuleAction: action,
    CidrBlock: cidr,
    ...(n === 32767 ? {} : { PortRange: { From: from, To: to } }),
  });
  fs.writeFileSync(
    acls,
    JSON.stringify({
      NetworkAcls: [
        {
          NetworkAclId: 'acl-0a1b2c3d',
          VpcId: 'vpc-1',
          IsDefault: false,
          Associations: [{ NetworkAclAssociationId: 'aclassoc-1', NetworkAclId: 'acl-0a1b2c3d', SubnetId: 'subnet-1' }],
          Entries: [
            entry(100, false, 'allow', '0.0.0.0/0', 443, 443),
            entry(32767, false, 'deny', '0.0.0.0/0'),
            entry(100, true, 'allow', '0.0.0.0/0', 1024, 65535),
            entry(32767, true, 'deny', '0.0.0.0/0'),
          ],
          Tags: [{ Key: 'Name', Value: 'public-acl' }],
        },
      ],
    }),
  );
  fs.writeFileSync(
    path.join(dir, 'subnets.json'),
    JSON.stringify({ Subnets: [{ SubnetId: 'subnet-1', VpcId: 'vpc-1', CidrBlock: '10.0.0.0/24' }] }),
  );
  try {
    const r = await vscode.commands.executeCommand('fwlang.importRules', [acls, path.join(dir, 'subnets.json')]);
    assert.ok(r && typeof r.text === 'string', JSON.stringify(r));
    assert.match(r.text, /^network subnet-1 10\.0\.0\.0\/24$/m);
    assert.match(r.text, /^firewall public-acl aws-nacl protects subnet-1 default deny \{$/m);
    assert.match(r.text, /^ {2}100 outbound allow tcp to 0\.0\.0\.0\/0 port 1024-65535$/m);
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc, 'the imported rules are shown');
    assert.equal(doc.languageId, 'fw');
    assert.equal(doc.getText(), r.text);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs a command that asks with quick picks, accepting the selected item of each until it ends
 *  (Enter in the quick pick, as a person would). */
async function runAccepting(command, ...args) {
  let done = false;
  const running = Promise.resolve(vscode.commands.executeCommand(command, ...args)).finally(() => (done = true));
  await waitFor(
    async () => {
      if (!done) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return done;
    },
    { timeout: 20_000, interval: 250, what: `${command} to end` },
  );
  return running;
}

s.test(
  'Export this Firewall… from the palette: the firewall under the cursor, nftables, in a new document',
  async () => {
    await api();
    await closeAll();
    const { doc, editor } = await open('catogram.fw');
    // the cursor in firewall edge's rules; the first target offered is nftables (a router)
    const line = lineOf(doc, /^\s*100\s+inbound/);
    editor.selection = new vscode.Selection(line, 4, line, 4);
    await lenses(doc.uri); // the server has the document: its outline names the firewalls
    const r = await runAccepting('fwlang.exportFirewall');
    assert.ok(r && typeof r.text === 'string', JSON.stringify(r));
    assert.equal(r.documents.length, 1);
    const shown = vscode.window.activeTextEditor?.document;
    assert.ok(shown, 'the export is shown');
    assert.equal(shown.uri.toString(), r.documents[0]);
    assert.equal(shown.uri.scheme, 'untitled');
    assert.match(shown.getText(), /^table inet fwlang \{$/m);
    assert.match(shown.getText(), /^ {2}chain edge \{$/m);
    assert.doesNotMatch(shown.getText(), /catogram_sg/, 'only the firewall under the cursor');
    assert.equal(shown.getText(), r.text);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  },
  { timeout: 40_000 },
);

s.test('Export this Firewall…: a code action on the firewall line; iptables with IPv6 opens two documents', async () => {
  await api();
  await closeAll();
  const { doc, uri } = await open('ipv6-dns.fw');
  const line = lineOf(doc, /^firewall dns-acl\b/);
  await lenses(uri);
  const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, new vscode.Range(line, 10, line, 10));
  const action = (actions || []).find((a) => a.command && a.command.command === 'fwlang.exportFirewall');
  assert.ok(action, `no export action: ${(actions || []).map((a) => a.title).join(' | ') || 'no actions'}`);
  assert.equal(action.title, 'Export firewall dns-acl…');
  assert.deepEqual(action.command.arguments, [{ uri: uri.toString(), firewall: 'dns-acl' }]);
  // the action's own arguments, and the target given: no question asked
  const r = await vscode.commands.executeCommand('fwlang.exportFirewall', { ...action.command.arguments[0], target: 'iptables' });
  assert.ok(r && typeof r.v6 === 'string', JSON.stringify(r));
  assert.equal(r.documents.length, 2);
  const opened = r.documents.map((u) => vscode.workspace.textDocuments.find((d) => d.uri.toString() === u));
  assert.match(opened[0].getText(), /iptables-restore input \(IPv4\)/);
  assert.match(opened[1].getText(), /^-A .*2001:db8/m);
  assert.equal(opened[1].getText(), r.v6);
  for (const d of opened) await discard(d);
});

s.test('Export this Firewall…: a file with errors opens nothing and names the errors', async () => {
  await api();
  await closeAll();
  const { doc, editor } = await openText(
    'firewall f stateless protects 10.0.0.0/24 {\n  inbound allow tcp from nobody to any port 443\n}\n',
  );
  await waitFor(() => fwDiagnostics(doc.uri).some((d) => codeOf(d) === 'unknown-name'), { timeout: 15_000, what: 'unknown-name' });
  editor.selection = new vscode.Selection(1, 3, 1, 3);
  const before = vscode.workspace.textDocuments.length;
  const r = await vscode.commands.executeCommand('fwlang.exportFirewall', { target: 'nftables' });
  assert.ok(r && typeof r.error === 'string', JSON.stringify(r));
  assert.match(r.error, /has 1 error: fix it to export/);
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0], /:2:26: error unknown-name: .*nobody/);
  assert.deepEqual(r.documents, []);
  assert.equal(vscode.workspace.textDocuments.length, before, 'nothing opened');
  assert.equal(vscode.window.activeTextEditor?.document, doc);
  await discard(doc);
});

s.test('fwlang.importRules: iptables-save of a host, with the --host the input box would ask for', async () => {
  await api();
  await closeAll();
  const fs = require('node:fs');
  const os = require('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwlang-import-'));
  const save = path.join(dir, 'rules.v4');
  fs.writeFileSync(
    save,
    [
      '*filter',
      ':INPUT DROP [0:0]',
      ':FORWARD ACCEPT [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
      'COMMIT',
      '',
    ].join('\n'),
  );
  try {
    // (the input box itself is typed into by test/extension/vsixInCodeServer.mjs)
    const r = await vscode.commands.executeCommand('fwlang.importRules', { paths: [save], host: ['10.0.0.5'] });
    assert.ok(r && typeof r.text === 'string', JSON.stringify(r));
    assert.match(r.text, /^host \S+ 10\.0\.0\.5\b/m);
    assert.match(r.text, /^ {2}inbound allow tcp to any port 22$/m);
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc, 'the imported rules are shown');
    assert.equal(doc.languageId, 'fw');
    assert.equal(doc.getText(), r.text);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

s.test('fwlang.showTrace shows the output channel', async () => {
  await vscode.commands.executeCommand('fwlang.showTrace');
});

s.test('quick fix: host bits of a prefix (10.0.1.5/24 -> 10.0.1.0/24)', async () => {
  await api();
  const { doc, uri } = await openText('network n 10.0.1.5/24\n');
  const diag = await waitFor(() => fwDiagnostics(uri).find((d) => codeOf(d) === 'invalid-address'), {
    timeout: 15_000,
    what: 'an invalid-address diagnostic',
  });
  const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, diag.range);
  const fix =
    (actions || []).find(
      (x) => x.edit && /10\.0\.1\.0\/24/.test(JSON.stringify(x.edit.entries().map(([, es]) => es.map((e) => e.newText)))),
    ) || (actions || []).find((x) => x.edit && x.kind && x.kind.value.startsWith('quickfix'));
  assert.ok(fix, `no quick fix with an edit: ${(actions || []).map((x) => x.title).join(' | ') || 'no actions'}`);
  assert.ok(await vscode.workspace.applyEdit(fix.edit), 'applyEdit failed');
  assert.equal(doc.getText(), 'network n 10.0.1.0/24\n');
  await waitFor(() => !fwDiagnostics(uri).some((d) => codeOf(d) === 'invalid-address'), { what: 'the diagnostic to go away' });
  await discard(doc);
});

s.test('setting fwlang.severity changes and hides a diagnostic', async () => {
  await api();
  const { uri } = await open('mistakes.fw');
  const at30 = () => fwDiagnostics(uri).find((d) => d.range.start.line === 29 && codeOf(d) === 'missing-response');
  await waitFor(at30, { what: 'missing-response on L30' });
  const before = at30().severity;
  await withSetting('severity', async (set) => {
    await set({ 'missing-response': 'error' });
    await waitFor(() => at30()?.severity === vscode.DiagnosticSeverity.Error, { what: 'missing-response as an error' });
    await set({ 'missing-response': 'off' });
    await waitFor(() => !at30() && fwDiagnostics(uri).length > 0, { what: 'missing-response switched off' });
  });
  await waitFor(() => at30()?.severity === before, { what: 'missing-response back as before' });
});

s.test("setting fwlang.defaultEphemeral changes the clients' ports", async () => {
  await api();
  // The response rule opens Linux's range only: enough when clients default to linux, partial for wide.
  const { doc, uri } = await openText(
    [
      'host web 192.0.2.10',
      'firewall f stateless protects web {',
      '  inbound  allow tcp to web port https',
      '  outbound allow tcp from web port https to any port 32768-60999',
      '}',
      '',
    ].join('\n'),
  );
  const partial = () => fwDiagnostics(uri).some((d) => codeOf(d) === 'partial-response');
  await withSetting('defaultEphemeral', async (set) => {
    await set('wide');
    await waitFor(partial, { timeout: 15_000, what: 'partial-response with clients on wide (1024-65535)' });
    await set('linux');
    await waitFor(() => !partial(), { what: 'no partial-response with defaultEphemeral = linux' });
    await set('32768-40000');
    await waitFor(() => !partial(), { what: 'no partial-response with defaultEphemeral = 32768-40000' });
    await set('');
    await waitFor(partial, { what: 'partial-response again with the language default (wide)' });
  });
  await discard(doc);
});

s.test('language configuration: Toggle Line Comment uses #', async () => {
  const { doc, editor } = await openText('host a 192.0.2.1\n');
  editor.selection = new vscode.Selection(0, 0, 0, 0);
  await vscode.commands.executeCommand('editor.action.commentLine');
  assert.equal(doc.lineAt(0).text, '# host a 192.0.2.1');
  await discard(doc);
});

s.test('snippets: `flow` and `firewall` are offered', async () => {
  const { doc } = await openText('fl');
  const pos = doc.lineAt(0).range.end;
  const list = await waitFor(
    async () => {
      const l = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, pos);
      return l && l.items.some((i) => i.kind === vscode.CompletionItemKind.Snippet) ? l : null;
    },
    { timeout: 10_000, what: 'snippet completions' },
  );
  const snippets = list.items
    .filter((i) => i.kind === vscode.CompletionItemKind.Snippet)
    .map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
  assert.ok(snippets.includes('flow'), `snippets: ${snippets.join(', ')}`);
  await discard(doc);
});

s.test(
  'fwlang.restartServer restarts, and the server answers again',
  async () => {
    const a = await api();
    await vscode.commands.executeCommand('fwlang.restartServer');
    await a.ready();
    const { uri } = await open('mistakes.fw');
    await lenses(uri, 14);
    await waitFor(() => fwDiagnostics(uri).some((d) => codeOf(d) === 'missing-response'), {
      timeout: 15_000,
      what: 'diagnostics after the restart',
    });
    const r = await vscode.commands.executeCommand('fwlang.simulateFlowInput', 'laptop -> web3 https');
    assert.ok(r && r.title && r.title.startsWith('• allowed'), JSON.stringify(r));
    await closeAll();
  },
  { timeout: 40_000 },
);

module.exports = { run: s.run };
