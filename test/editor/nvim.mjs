// Drives Neovim (Debian's 0.7.2) headless as a second, independent LSP client.
//
//   const r = await runNvimLsp({ file, serverCmd: ['node', SERVER_JS, '--stdio'],
//                                hover: { line: 1, character: 2 } });
//   r.diagnostics, r.hover, r.codeLens, ...
//
// Positions are LSP positions (0-based line and UTF-16 character).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { INSTALL_HINT, NVIM, killGroup, makeTempDir, missingEditors, removeDir, trackGroup } from './common.mjs';

// The Lua side. It runs in a VimEnter autocmd because the -u file runs before
// the buffer of FILE is loaded. Everything it learns goes into `out`, written
// as JSON to cfg.out; it exits with qa! (ok) or cq! (harness error).
const INIT_LUA = String.raw`
local CFG_PATH = [==[__CFG__]==]
local cfg = vim.fn.json_decode(table.concat(vim.fn.readfile(CFG_PATH), '\n'))
local out = { ok = false, published = {}, diagnostics = {}, messages = {}, requests = {} }
local uv = vim.loop
local t_start = uv.hrtime()
local function ms() return math.floor((uv.hrtime() - t_start) / 1e6) end

local function finish(ok)
  out.ok = ok
  out.ms = ms()
  local okj, s = pcall(vim.fn.json_encode, out)
  if not okj then
    s = vim.fn.json_encode({ ok = false, error = 'json_encode failed: ' .. tostring(s) })
    ok = false
  end
  vim.fn.writefile({ s }, cfg.out)
  vim.cmd(ok and 'qa!' or 'cq!')
end

local function subst(v, uri)
  if type(v) == 'string' then return (v == '$uri') and uri or v end
  if type(v) ~= 'table' or v == vim.NIL then return v end
  local r = {}
  for k, x in pairs(v) do r[k] = subst(x, uri) end
  return r
end

local function main()
  local bufnr = vim.api.nvim_get_current_buf()
  if cfg.filetype and cfg.filetype ~= '' then vim.bo[bufnr].filetype = cfg.filetype end
  local uri = vim.uri_from_bufnr(bufnr)
  out.uri = uri
  local inited, exited = false, nil
  local default_pd = vim.lsp.handlers['textDocument/publishDiagnostics']
  local function record_msg(kind)
    return function(_, result) table.insert(out.messages, { kind = kind, type = result and result.type, message = result and result.message }) end
  end
  local client_id = vim.lsp.start_client({
    name = 'editor-harness',
    cmd = cfg.cmd,
    cmd_cwd = cfg.root,
    root_dir = cfg.root,
    workspace_folders = { { uri = vim.uri_from_fname(cfg.root), name = vim.fn.fnamemodify(cfg.root, ':t') } },
    init_options = cfg.initializationOptions,
    settings = cfg.settings or vim.empty_dict(),
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        table.insert(out.published, { ms = ms(), uri = result and result.uri, diagnostics = result and result.diagnostics })
        return default_pd(err, result, ctx, config)
      end,
      ['window/showMessage'] = record_msg('showMessage'),
      ['window/logMessage'] = record_msg('logMessage'),
    },
    on_init = function(client, result)
      inited = true
      out.serverInfo = result and result.serverInfo
      out.capabilities = result and result.capabilities
    end,
    on_exit = function(code, signal) exited = { code = code, signal = signal } end,
  })
  if not client_id then error('vim.lsp.start_client returned nil (cmd not executable?)') end
  vim.lsp.buf_attach_client(bufnr, client_id)

  vim.wait(cfg.timeout, function() return inited or exited ~= nil end, 10)
  out.initialized = inited
  if not inited then
    out.error = exited and ('server exited before initialize: code ' .. tostring(exited.code)) or 'server did not initialize in time'
    return false
  end
  out.initMs = ms()

  if cfg.waitForDiagnostics then
    local function mine()
      local last = nil
      for _, p in ipairs(out.published) do if p.uri == uri then last = p end end
      return last
    end
    local got = vim.wait(cfg.diagnosticsTimeout, function()
      local p = mine()
      if not p then return false end
      if cfg.minDiagnostics <= 0 then return true end
      return #vim.diagnostic.get(bufnr) >= cfg.minDiagnostics
    end, 10)
    out.diagnosticsTimedOut = not got
    out.diagnosticsMs = ms()
  end
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = d.user_data and d.user_data.lsp or {}
    table.insert(out.diagnostics, {
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, message = d.message, source = d.source, code = lsp.code,
    })
  end

  local client = vim.lsp.get_client_by_id(client_id)
  local function request(method, params)
    local res, err = client.request_sync(method, params, cfg.requestTimeout, bufnr)
    if not res then return { error = err or 'no response' } end
    if res.err then return { error = res.err } end
    return { result = res.result == nil and vim.NIL or res.result }
  end

  if cfg.hover then
    local r = request('textDocument/hover', { textDocument = { uri = uri }, position = cfg.hover })
    out.hover = r.result or vim.NIL
    out.hoverError = r.error
  end
  if cfg.codeLens then
    local r = request('textDocument/codeLens', { textDocument = { uri = uri } })
    out.codeLensError = r.error
    local lenses = r.result
    if cfg.resolveCodeLens and type(lenses) == 'table' then
      for i, lens in ipairs(lenses) do
        if lens.command == nil then
          local rr = request('codeLens/resolve', lens)
          if rr.result and rr.result ~= vim.NIL then lenses[i] = rr.result end
        end
      end
    end
    out.codeLens = lenses or vim.NIL
  end
  for i, q in ipairs(cfg.requests or {}) do
    local r = request(q.method, subst(q.params or vim.empty_dict(), uri))
    out.requests[i] = { method = q.method, result = r.result, error = r.error }
  end
  vim.lsp.stop_client(client_id)
  return true
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    local ok, res = xpcall(main, debug.traceback)
    if not ok then out.error = tostring(res) end
    finish(ok and res == true)
  end,
})
`;

/**
 * Opens `file` in headless Neovim, starts the LSP server `serverCmd` for it and
 * collects what a Neovim user would get.
 * @param {object} o
 * @param {string} o.file                 the document to open
 * @param {string[]} o.serverCmd          e.g. ['node', '/abs/dist/server.js', '--stdio']
 * @param {string} [o.root]               workspace root (default: the file's folder)
 * @param {string} [o.filetype]           buffer filetype = LSP languageId (default: the file extension, e.g. 'fw')
 * @param {{line:number, character:number}} [o.hover]  request textDocument/hover there (0-based)
 * @param {boolean} [o.codeLens=true]     request textDocument/codeLens
 * @param {boolean} [o.resolveCodeLens=false] codeLens/resolve lenses that come without a command
 * @param {boolean} [o.waitForDiagnostics=true] wait for publishDiagnostics for the file
 * @param {number} [o.minDiagnostics=1]   ... until at least this many (0: the first publish is enough)
 * @param {Array<{method:string, params?:object}>} [o.requests] extra requests; the string '$uri' in params becomes the file's URI
 * @param {object} [o.settings] [o.initializationOptions]
 * @param {number} [o.timeout=30000]      whole run; the nvim process group is killed after it
 * @returns {Promise<object>} { ok, uri, initialized, serverInfo, capabilities, published:[{ms,uri,diagnostics}],
 *   diagnostics:[{lnum,col,end_lnum,end_col,severity,message,source,code}], diagnosticsTimedOut,
 *   hover, codeLens, requests:[{method,result,error}], messages, ms, initMs, diagnosticsMs }
 */
export async function runNvimLsp(o) {
  const missing = missingEditors().nvim;
  if (missing.length) throw new Error(`Neovim harness not installed: missing ${missing.join(', ')}; ${INSTALL_HINT}`);
  if (!o?.file || !Array.isArray(o.serverCmd)) throw new Error('runNvimLsp: file and serverCmd[] are required');
  const file = path.resolve(o.file);
  if (!existsSync(file)) throw new Error(`runNvimLsp: no such file ${file}`);
  const timeout = o.timeout ?? 30_000;
  const tmp = makeTempDir('nvim');
  const cfgPath = path.join(tmp, 'cfg.json');
  const outPath = path.join(tmp, 'out.json');
  const initPath = path.join(tmp, 'init.lua');
  const cfg = {
    cmd: o.serverCmd,
    root: path.resolve(o.root ?? path.dirname(file)),
    filetype: o.filetype ?? path.extname(file).slice(1),
    hover: o.hover ?? null,
    codeLens: o.codeLens ?? true,
    resolveCodeLens: !!o.resolveCodeLens,
    waitForDiagnostics: o.waitForDiagnostics ?? true,
    minDiagnostics: o.minDiagnostics ?? 1,
    requests: o.requests ?? [],
    settings: o.settings ?? null,
    initializationOptions: o.initializationOptions ?? null,
    // inner budgets leave room for start-up and for writing the result
    timeout: Math.max(1000, timeout - 3000),
    diagnosticsTimeout: o.diagnosticsTimeout ?? Math.max(1000, Math.floor(timeout / 2)),
    requestTimeout: o.requestTimeout ?? Math.max(1000, Math.floor(timeout / 4)),
    out: outPath,
  };
  // null would arrive in Lua as vim.NIL (truthy userdata): leave such keys out
  for (const k of Object.keys(cfg)) if (cfg[k] === null || cfg[k] === undefined) delete cfg[k];
  writeFileSync(cfgPath, JSON.stringify(cfg));
  writeFileSync(initPath, INIT_LUA.replace('__CFG__', cfgPath));
  const env = {
    ...process.env,
    HOME: tmp,
    XDG_CONFIG_HOME: path.join(tmp, 'config'),
    XDG_DATA_HOME: path.join(tmp, 'data'),
    XDG_CACHE_HOME: path.join(tmp, 'cache'),
    XDG_STATE_HOME: path.join(tmp, 'state'),
    ...(o.env || {}),
  };
  const t0 = Date.now();
  const child = spawn(NVIM, ['--headless', '-n', '-i', 'NONE', '-u', initPath, file], {
    cwd: cfg.root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackGroup(child);
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  try {
    const { code, signal, timedOut } = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve({ timedOut: true }), timeout);
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.once('exit', (c, s) => {
        clearTimeout(timer);
        resolve({ code: c, signal: s });
      });
    });
    let result = null;
    try {
      result = JSON.parse(readFileSync(outPath, 'utf8'));
    } catch {
      /* none written */
    }
    const why = timedOut ? `timed out after ${timeout} ms` : `exit ${code ?? signal}`;
    if (!result) throw new Error(`nvim wrote no result (${why})\n${output.trim()}`);
    if (timedOut || code !== 0 || !result.ok) {
      throw Object.assign(new Error(`nvim LSP run failed (${why}): ${result.error || 'see result'}\n${output.trim()}`), { result });
    }
    result.durationMs = Date.now() - t0;
    return result;
  } finally {
    await killGroup(child, 1000); // also ends the language server it spawned
    removeDir(tmp);
  }
}

/** Flattens an LSP hover result's contents into plain text. */
export function hoverText(hover) {
  if (!hover || !hover.contents) return '';
  const c = hover.contents;
  const one = (x) => (typeof x === 'string' ? x : (x?.value ?? ''));
  return Array.isArray(c) ? c.map(one).join('\n') : one(c);
}
