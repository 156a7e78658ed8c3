// Drives a real VS Code (code-server 4.99.4 = VS Code 1.99.3) through
// playwright-core + Debian's Chromium. See test/editor/README.md.
//
//   runExtensionTests({ extensionPath, testsPath, folder })  -> exit code
//   installVsixAndOpen({ vsix, folder })                     -> UI session
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  CHROMIUM,
  CODE_SERVER_ENTRY,
  INSTALL_HINT,
  RESULTS_DIR,
  ensureResultsDir,
  killGroup,
  loadPlaywright,
  makeTempDir,
  missingEditors,
  pollUntil,
  removeDir,
  trackGroup,
  withTimeout,
} from './common.mjs';

/** User settings seeded into every fresh user-data-dir: no welcome page, no
 *  trust prompt, no update/recommendation/telemetry popups stealing focus. */
export const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'workbench.editor.enablePreview': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'git.openRepositoryInParentFolders': 'never',
  'files.hotExit': 'off',
  'chat.commandCenter.enabled': false,
  'editor.codeLens': true,
  'problems.autoReveal': true,
};

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--no-default-browser-check',
];

const log = (...a) => {
  if (!process.env.FWLANG_EDITOR_QUIET) console.log(...a);
};

function assertInstalled() {
  const missing = missingEditors().codeServer;
  if (missing.length) throw new Error(`code-server harness not installed: missing ${missing.join(', ')}; ${INSTALL_HINT}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function isolatedEnv(tmp, extra = {}) {
  const env = { ...process.env };
  // never inherit a surrounding VS Code / Electron session
  for (const k of Object.keys(env)) if (k.startsWith('VSCODE_') || k.startsWith('ELECTRON_')) delete env[k];
  const home = path.join(tmp, 'home');
  Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_STATE_HOME: path.join(home, '.local', 'state'),
    TMPDIR: path.join(tmp, 'tmp'),
    // no marketplace at all (code-server would otherwise query open-vsx.org)
    EXTENSIONS_GALLERY: '{}',
    CS_DISABLE_GETTING_STARTED_OVERRIDE: '1',
    ...extra,
  });
  for (const d of [env.HOME, env.XDG_CONFIG_HOME, env.XDG_DATA_HOME, env.XDG_CACHE_HOME, env.XDG_STATE_HOME, env.TMPDIR]) {
    mkdirSync(d, { recursive: true });
  }
  return env;
}

function tail(file, n = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts code-server isolated in a temp folder on a free loopback port.
 * @param {object} [o]
 * @param {string} [o.folder]      folder opened by default
 * @param {string[]} [o.vsix]      .vsix files installed before start (via --install-extension)
 * @param {object} [o.settings]    merged over DEFAULT_SETTINGS into User/settings.json
 * @param {object} [o.env]         extra env for code-server (and so the extension host)
 * @param {number} [o.startTimeout=30000]
 * @returns {Promise<{port:number, baseUrl:string, tmp:string, userDataDir:string, extensionsDir:string,
 *   logFile:string, env:object, child:import('node:child_process').ChildProcess,
 *   workbenchUrl:(o?:{folder?:string,payload?:Array<[string,string]>})=>string, stop:()=>Promise<void>}>}
 */
export async function startCodeServer(o = {}) {
  assertInstalled();
  const tmp = makeTempDir('cs');
  const userDataDir = path.join(tmp, 'user-data');
  const extensionsDir = path.join(tmp, 'extensions');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...(o.settings || {}) }, null, 2));
  const configFile = path.join(tmp, 'config.yaml');
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  const env = isolatedEnv(tmp, o.env);
  const logFile = path.join(tmp, 'code-server.log');
  const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  try {
    for (const vsix of o.vsix || []) {
      if (!existsSync(vsix)) throw new Error(`vsix not found: ${vsix}`);
      const r = spawnSync(process.execPath, [CODE_SERVER_ENTRY, ...common, '--force', '--install-extension', path.resolve(vsix)], {
        env,
        encoding: 'utf8',
        timeout: 90_000,
        killSignal: 'SIGKILL',
      });
      const out = `${r.stdout || ''}${r.stderr || ''}`;
      writeFileSync(path.join(tmp, 'install-extension.log'), out, { flag: 'a' });
      if (r.status !== 0 || !/successfully installed/i.test(out)) {
        throw new Error(`code-server --install-extension ${vsix} failed (status ${r.status ?? r.signal}):\n${out.trim()}`);
      }
    }

    let lastErr;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const port = await freePort();
      const fd = openSync(logFile, 'a');
      const args = [
        CODE_SERVER_ENTRY,
        ...common,
        '--auth',
        'none',
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
      ];
      if (o.folder) args.push(path.resolve(o.folder));
      const child = spawn(process.execPath, args, { env, cwd: tmp, detached: true, stdio: ['ignore', fd, fd] });
      closeSync(fd);
      trackGroup(child);
      let exited = null;
      child.once('exit', (code, sig) => {
        exited = { code, sig };
      });
      const baseUrl = `http://127.0.0.1:${port}`;
      try {
        await pollUntil(
          async () => {
            if (exited) throw Object.assign(new Error(`code-server exited (${exited.code ?? exited.sig})`), { fatal: true });
            const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
            return res.ok;
          },
          { timeout: o.startTimeout ?? 30_000, interval: 100, what: `code-server /healthz on port ${port}` },
        );
      } catch (e) {
        lastErr = e;
        await killGroup(child);
        const t = tail(logFile);
        if (/EADDRINUSE/.test(t) && attempt < 3) continue; // lost the port race: retry on another
        throw new Error(`${e.message}\n--- code-server log (${logFile}) ---\n${t}`);
      }
      const workbenchUrl = ({ folder = o.folder, payload } = {}) => {
        const q = [];
        if (folder) q.push(`folder=${encodeURIComponent(path.resolve(folder))}`);
        if (payload) q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
        return `${baseUrl}/${q.length ? `?${q.join('&')}` : ''}`;
      };
      return {
        port,
        baseUrl,
        tmp,
        userDataDir,
        extensionsDir,
        logFile,
        env,
        child,
        workbenchUrl,
        logTail: (n) => tail(logFile, n),
        async stop() {
          await killGroup(child);
          removeDir(tmp);
        },
      };
    }
    throw lastErr;
  } catch (e) {
    removeDir(tmp);
    throw e;
  }
}

/**
 * Launches Debian's Chromium through playwright-core (never downloads a browser).
 * Requests to anything but loopback are aborted, so nothing leaves the machine.
 */
export async function launchBrowser({ viewport = { width: 1400, height: 900 } } = {}) {
  const { chromium } = loadPlaywright();
  // Chromium's crash handler writes under $HOME/.config/chromium even with a
  // temporary profile: give it a HOME of its own, removed on close.
  const home = makeTempDir('chromium');
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache') };
  let browser;
  try {
    browser = await withTimeout(
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, env, timeout: 60_000 }),
      70_000,
      'launching chromium',
    );
  } catch (e) {
    removeDir(home);
    throw e;
  }
  const close = browser.close.bind(browser);
  browser.close = async (...a) => {
    try {
      return await close(...a);
    } finally {
      removeDir(home);
    }
  };
  browser.once('disconnected', () => removeDir(home));
  const context = await browser.newContext({ viewport });
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (/^(https?|wss?):\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/)/.test(u) || !/^(https?|wss?):/.test(u)) return route.continue();
    return route.abort('blockedbyclient');
  });
  return { browser, context };
}

/** Console lines worth showing live (the rest go to the log file only). */
function interestingConsole(type, text) {
  return (
    /\[Extension Host\]|\[exthost\]|extension test|EDITORTEST/i.test(text) ||
    (type === 'error' &&
      /Extension Host|extension|activate|assert/i.test(text) &&
      !/gallery|marketplace|ERR_BLOCKED_BY_CLIENT|Failed to load resource/i.test(text))
  );
}

function attachConsole(page, sink, { echo = true, prefix = '  [browser]' } = {}) {
  page.on('console', (msg) => {
    // the workbench styles its log lines with %c + CSS: drop that
    const text = msg
      .text()
      .replace(/%c/g, '')
      .replace(/\s*color:\s*#[0-9a-fA-F]{3,8};?/g, '')
      .replace(/\s+/, ' ')
      .trim();
    const line = `[${msg.type()}] ${text}`;
    sink.push(line);
    if (echo && (process.env.FWLANG_EDITOR_VERBOSE || interestingConsole(msg.type(), text))) {
      log(`${prefix} ${line}`.replace(/\n+/g, `\n${' '.repeat(prefix.length + 1)}`));
    }
  });
  page.on('pageerror', (err) => {
    const line = `[pageerror] ${err.stack || err.message}`;
    sink.push(line);
    if (echo && process.env.FWLANG_EDITOR_VERBOSE) log(`${prefix} ${line}`);
  });
}

function safeName(s) {
  return String(s)
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 80);
}

/**
 * Runs an extension-tests suite (the @vscode/test-electron kind: a module
 * exporting `run()` that rejects on failure) in the real extension host of
 * code-server, the way `--extensionDevelopmentPath/--extensionTestsPath` do.
 * @param {object} o
 * @param {string} o.extensionPath  folder holding the extension's package.json
 * @param {string} o.testsPath      the suite module (CommonJS), or a folder with index.js
 * @param {string} [o.folder]       workspace folder to open
 * @param {number} [o.timeout=180000] whole run, including start-up
 * @param {string} [o.name]         label for logs in test-results/editor/
 * @param {object} [o.settings] [o.env]  passed to startCodeServer
 * @param {boolean} [o.echo=true]   print the suite's console lines live (all lines always go to test-results/editor/NAME/)
 * @returns {Promise<number>} the suite's exit code (0 = all passed)
 */
export async function runExtensionTests(o) {
  const r = await runExtensionTestsDetailed(o);
  return r.exitCode;
}

/** Same as runExtensionTests, resolving with { exitCode, results, console: string[], durationMs, outDir }.
 *  `results` is what test/editor/minitest.cjs wrote ({ passed, failed, tests:[{name,ok,ms,error}] }) or null. */
export async function runExtensionTestsDetailed({ extensionPath, testsPath, folder, timeout = 180_000, name, settings, env, echo = true }) {
  if (!extensionPath || !testsPath) throw new Error('runExtensionTests: extensionPath and testsPath are required');
  extensionPath = path.resolve(extensionPath);
  testsPath = path.resolve(testsPath);
  if (!existsSync(path.join(extensionPath, 'package.json'))) throw new Error(`no package.json in ${extensionPath}`);
  if (!existsSync(testsPath)) throw new Error(`tests not found: ${testsPath}`);
  if (statSync(testsPath).isDirectory() && !existsSync(path.join(testsPath, 'index.js'))) {
    throw new Error(`${testsPath} is a folder without index.js`);
  }
  const label = safeName(name || path.basename(testsPath));
  const outDir = ensureResultsDir(label);
  const t0 = Date.now();
  const lines = [];
  const resultsFile = path.join(outDir, 'results.json');
  rmSync(resultsFile, { force: true });
  const server = await startCodeServer({ folder, settings, env: { FWLANG_EDITOR_RESULTS: resultsFile, ...env } });
  let browser;
  try {
    const remote = (p) => `vscode-remote://remote${encodeURI(p)}`;
    const url = server.workbenchUrl({
      folder,
      payload: [
        ['extensionDevelopmentPath', remote(extensionPath)],
        ['extensionTestsPath', remote(testsPath)],
      ],
    });
    ({ browser } = await launchBrowser());
    const context = browser.contexts()[0];
    const page = await context.newPage();
    attachConsole(page, lines, { echo });
    let resolveExit;
    const exited = new Promise((r) => {
      resolveExit = r;
    });
    await page.exposeFunction('codeAutomationExit', (code, logs) => {
      if (Array.isArray(logs)) {
        for (const l of logs) {
          try {
            const f = path.join(outDir, 'workbench-logs', safeName(l.relativePath || 'log'));
            mkdirSync(path.dirname(f), { recursive: true });
            writeFileSync(f, String(l.contents ?? ''));
          } catch {
            /* logs are a bonus */
          }
        }
      }
      resolveExit(Number(code));
    });
    const serverDied = new Promise((_, rej) =>
      server.child.once('exit', (c, s) => rej(new Error(`code-server exited early (${c ?? s})\n${server.logTail()}`))),
    );
    const remaining = () => Math.max(1000, timeout - (Date.now() - t0));
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: remaining() });
    const exitCode = await withTimeout(Promise.race([exited, serverDied]), remaining(), `extension tests ${label} (no codeAutomationExit)`);
    let results = null;
    try {
      results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    } catch {
      /* suite did not use minitest */
    }
    return { exitCode, results, console: lines, durationMs: Date.now() - t0, outDir };
  } catch (e) {
    e.message += `\n--- last browser console lines ---\n${lines.slice(-30).join('\n')}\n--- code-server log ---\n${server.logTail(20)}`;
    throw e;
  } finally {
    writeFileSync(path.join(outDir, 'browser-console.log'), lines.join('\n'));
    try {
      writeFileSync(path.join(outDir, 'code-server.log'), readFileSync(server.logFile));
    } catch {
      /* none */
    }
    if (browser) await withTimeout(browser.close(), 15_000, 'closing chromium').catch(() => {});
    await server.stop();
  }
}

// ---------------------------------------------------------------- UI mode ---

/**
 * Installs a packaged .vsix into a fresh code-server, opens the workbench on
 * `folder` in Chromium and returns a session to drive it like a person.
 * Always call session.close() (in a finally).
 * @param {object} o
 * @param {string|string[]} [o.vsix]  one or more .vsix files
 * @param {string} o.folder           workspace folder
 * @param {object} [o.settings] [o.env]
 * @param {string} [o.name]           label for screenshots/logs
 * @param {number} [o.timeout=90000]  start-up budget (server + workbench ready)
 */
export async function installVsixAndOpen({ vsix, folder, settings, env, name = 'ui', timeout = 90_000 } = {}) {
  const t0 = Date.now();
  const label = safeName(name);
  const outDir = ensureResultsDir(label);
  const lines = [];
  const server = await startCodeServer({ folder, settings, env, vsix: vsix ? [].concat(vsix) : [] });
  let browser;
  const close = async () => {
    try {
      writeFileSync(path.join(outDir, 'browser-console.log'), lines.join('\n'));
    } catch {
      /* */
    }
    try {
      writeFileSync(path.join(outDir, 'code-server.log'), readFileSync(server.logFile));
    } catch {
      /* */
    }
    if (browser) await withTimeout(browser.close(), 15_000, 'closing chromium').catch(() => {});
    await server.stop();
  };
  try {
    ({ browser } = await launchBrowser());
    const page = await browser.contexts()[0].newPage();
    attachConsole(page, lines, { echo: !!process.env.FWLANG_EDITOR_VERBOSE });
    await page.goto(server.workbenchUrl({ folder }), { waitUntil: 'domcontentloaded', timeout });
    const remaining = () => Math.max(1000, timeout - (Date.now() - t0));
    await page.waitForSelector('.monaco-workbench', { timeout: remaining() });
    if (folder) {
      // the explorer lists the folder once the remote file system is connected
      await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: remaining() });
    }
    const session = {
      page,
      browser,
      server,
      outDir,
      console: lines,
      openFile: (file, opts) => openFile(page, file, opts),
      waitForSelector: (sel, opts) => waitForSelector(page, sel, opts),
      waitForText: (text, opts) => waitForText(page, text, opts),
      screenshot: (shot) => screenshot(page, `${label}-${shot}`),
      runCommand: (title, opts) => runCommand(page, title, opts),
      goToLine: (line, col, opts) => goToLine(page, line, col, opts),
      showHover: (opts) => showHover(page, opts),
      clickCodeLens: (text, opts) => clickCodeLens(page, text, opts),
      problemsText: (opts) => problemsText(page, opts),
      notificationText: (text, opts) => waitForText(page, text, { selector: '.notifications-toasts, .notifications-center', ...opts }),
      close,
    };
    return session;
  } catch (e) {
    if (browser) {
      try {
        await screenshot(browser.contexts()[0]?.pages()[0], `${label}-startup-failure`);
      } catch {
        /* */
      }
    }
    await close();
    e.message += `\n--- code-server log ---\n${server.logTail(20)}`;
    throw e;
  }
}

/** Waits (polling, bounded) for a selector; state 'visible' by default. Returns the element handle. */
export async function waitForSelector(page, selector, { timeout = 20_000, state = 'visible' } = {}) {
  return page.waitForSelector(selector, { timeout, state });
}

/**
 * Waits until `text` (string or RegExp) appears in the innerText of an element
 * matching `selector` (default: the whole workbench). Returns the text found.
 */
export async function waitForText(page, text, { selector = '.monaco-workbench', timeout = 20_000 } = {}) {
  const isRe = text instanceof RegExp;
  const handle = await page.waitForFunction(
    ({ selector, src, flags, isRe }) => {
      const els = document.querySelectorAll(selector);
      for (const el of els) {
        const t = el.innerText || el.textContent || '';
        if (isRe ? new RegExp(src, flags).test(t) : t.includes(src)) return t;
      }
      return false;
    },
    { selector, src: isRe ? text.source : text, flags: isRe ? text.flags : '', isRe },
    { timeout, polling: 100 },
  );
  return handle.jsonValue();
}

/** Texts of all elements matching a selector, right now. */
export async function textsOf(page, selector) {
  return page.$$eval(selector, (els) => els.map((e) => e.innerText || e.textContent || ''));
}

/** Saves a PNG into test-results/editor/ and returns its path. */
export async function screenshot(page, name) {
  ensureResultsDir();
  const file = path.join(RESULTS_DIR, `${safeName(name)}.png`);
  await page.screenshot({ path: file, timeout: 15_000 });
  return file;
}

const QUICK_INPUT = '.quick-input-widget input.input';

async function openQuickInput(page, key, timeout) {
  // The workbench may not own the keyboard yet right after load: retry the
  // shortcut a few times until the quick-input box shows up.
  await pollUntil(
    async () => {
      await page
        .locator('.monaco-workbench')
        .first()
        .focus()
        .catch(() => {});
      await page.keyboard.press(key);
      return page.waitForSelector(QUICK_INPUT, { state: 'visible', timeout: 2000 }).then(
        () => true,
        () => false,
      );
    },
    { timeout, interval: 200, what: `quick input after ${key}` },
  );
}

/**
 * Opens a workspace file like a person: Ctrl+P, type the name, pick the row,
 * wait until its editor tab is the active one.
 * @param {string} file  file name or workspace-relative path
 */
export async function openFile(page, file, { timeout = 30_000 } = {}) {
  const t0 = Date.now();
  const remaining = () => Math.max(1000, timeout - (Date.now() - t0));
  const base = path.basename(file);
  await openQuickInput(page, 'Control+P', remaining());
  await page.fill(QUICK_INPUT, file);
  // wait for the file search to list it, then pick that row
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: base }).first();
  await row.waitFor({ state: 'visible', timeout: remaining() });
  await page.keyboard.press('Enter');
  await page.waitForSelector(
    `.tabs-container .tab.active[aria-label^="${base}"], .tabs-container .tab.active[data-resource-name="${base}"]`,
    { timeout: remaining() },
  );
  await page.waitForSelector('.editor-group-container.active .monaco-editor .view-lines', { timeout: remaining() });
}

/** Runs a command from the palette by its title (F1, type, Enter). */
export async function runCommand(page, title, { timeout = 20_000 } = {}) {
  const t0 = Date.now();
  const remaining = () => Math.max(1000, timeout - (Date.now() - t0));
  await openQuickInput(page, 'F1', remaining());
  await page.fill(QUICK_INPUT, `>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ state: 'visible', timeout: remaining() });
  await page.keyboard.press('Enter');
}

/** Moves the cursor to 1-based line/column with Go to Line (Ctrl+G). */
export async function goToLine(page, line, col = 1, { timeout = 15_000 } = {}) {
  await openQuickInput(page, 'Control+G', timeout);
  await page.fill(QUICK_INPUT, `:${line}:${col}`);
  await page.keyboard.press('Enter');
  await waitForText(page, `Ln ${line}, Col ${col}`, { selector: '.statusbar', timeout });
}

/** Shows the hover at the cursor ("Show or Focus Hover") and returns its text. */
export async function showHover(page, { timeout = 15_000, text } = {}) {
  await runCommand(page, 'Show or Focus Hover', { timeout });
  const sel = '.monaco-hover:not(.hidden) .hover-contents';
  await page.waitForSelector(sel, { timeout });
  if (text) return waitForText(page, text, { selector: sel, timeout });
  return (await textsOf(page, sel)).join('\n');
}

/** Clicks the code lens whose text contains `text` (string) in the active editor. */
export async function clickCodeLens(page, text, { timeout = 15_000 } = {}) {
  const lens = page.locator('.codelens-decoration a', { hasText: text }).first();
  await lens.waitFor({ state: 'visible', timeout });
  await lens.click({ timeout });
}

/** Opens the Problems panel and returns its text once it contains `text` (if given). */
export async function problemsText(page, { timeout = 15_000, text } = {}) {
  await runCommand(page, 'Problems: Focus on Problems View', { timeout });
  await page.waitForSelector('.markers-panel', { timeout });
  if (text) return waitForText(page, text, { selector: '.markers-panel', timeout });
  return (await textsOf(page, '.markers-panel')).join('\n');
}
