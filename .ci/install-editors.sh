#!/usr/bin/env bash
# Installs the real editors used by the editor tests (test/editor/):
#   - Debian: chromium (driven by playwright-core), neovim (second LSP client),
#     ripgrep + libkrb5-dev (needed to install code-server), a C/C++ toolchain.
#   - npm, into .tools/editors/ (git-ignored, NOT the project's package.json):
#     code-server@4.99.4 (= VS Code 1.99.3) and playwright-core.
# Idempotent: skips what is already there. Quiet: logs go to
# .tools/editors/install.log, shown on failure. Exits non-zero on any failure.
# Never runs `playwright install` (it would download a browser).
set -euo pipefail

CODE_SERVER_VERSION=4.99.4
PLAYWRIGHT_CORE_VERSION=1.65.1
# @vscode/ripgrep as pinned by code-server 4.99.4, and the rg release it fetches.
VSCODE_RIPGREP_VERSION=1.15.11
RG_ARCHIVE=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
# Top-level packages whose install scripts must run. npm 11 runs unlisted ones
# too, with a warning, unless strict-allow-scripts is set; listing them keeps
# the install quiet and correct in both cases. (code-server's own nested
# install in lib/vscode has no allowScripts and warns: its result is checked
# below instead.)
ALLOW_SCRIPTS=(code-server argon2)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools/editors"
LOG="$TOOLS/install.log"
T0=$(date +%s)

mkdir -p "$TOOLS"
: >"$LOG"

say() { printf '[install-editors] %s\n' "$*"; }
die() {
  say "FAILED: $*" >&2
  if [ -s "$LOG" ]; then
    say "last lines of $LOG:" >&2
    tail -n 40 "$LOG" >&2
  fi
  exit 1
}
trap 'die "command failed (line $LINENO): $BASH_COMMAND"' ERR
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

# ---------------------------------------------------------------- Debian ----
t=$(date +%s)
missing=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in chromium libkrb5-dev ripgrep neovim; do
  have_pkg "$p" || missing+=("$p")
done
command -v g++ >/dev/null && command -v make >/dev/null || missing+=(build-essential)
command -v python3 >/dev/null || missing+=(python3)
fc-list 2>/dev/null | grep -q . || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >>"$LOG" 2>&1 || die "apt-get update"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$LOG" 2>&1 \
    || die "apt-get install ${missing[*]}"
else
  say "Debian packages already present"
fi
for b in chromium nvim rg; do
  command -v "$b" >/dev/null || die "$b not on PATH after apt-get install"
done
say "Debian packages: $(elapsed "$t")"

# ------------------------------------------------------------------- npm ----
t=$(date +%s)
STAMP="$TOOLS/.installed"
WANT="code-server@$CODE_SERVER_VERSION playwright-core@$PLAYWRIGHT_CORE_VERSION"
CS_BIN="$TOOLS/node_modules/code-server/out/node/entry.js"

npm_ok() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] || return 1
  [ -f "$CS_BIN" ] && [ -f "$TOOLS/node_modules/playwright-core/package.json" ] || return 1
  # the native modules code-server needs at run time
  ls "$TOOLS"/node_modules/code-server/lib/vscode/node_modules/node-pty/build/Release/pty.node >/dev/null 2>&1 || return 1
  ls "$TOOLS"/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/*.node >/dev/null 2>&1 || return 1
  [ -x "$TOOLS/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] || return 1
  return 0
}

if npm_ok; then
  say "npm tools already installed ($WANT)"
else
  say "npm install $WANT into .tools/editors (1-3 minutes)"
  # start clean: npm would not re-run the install scripts of a package that a
  # failed earlier run left half-built
  rm -rf "$STAMP" "$TOOLS/node_modules" "$TOOLS/package-lock.json"
  allow_json=$(printf '"%s": true,' "${ALLOW_SCRIPTS[@]}")
  cat >"$TOOLS/package.json" <<EOF
{
  "name": "fwlang-editor-tools",
  "private": true,
  "description": "Real editors for test/editor (installed by .ci/install-editors.sh; not part of the extension)",
  "dependencies": {
    "code-server": "$CODE_SERVER_VERSION",
    "playwright-core": "$PLAYWRIGHT_CORE_VERSION"
  },
  "allowScripts": { ${allow_json%,} }
}
EOF
  # @vscode/ripgrep's postinstall downloads rg from GitHub (unreachable here):
  # hand it a cached archive holding Debian's rg instead (it looks in $TMPDIR).
  NPM_TMP="$TOOLS/tmp"
  rm -rf "$NPM_TMP"
  mkdir -p "$NPM_TMP/vscode-ripgrep-cache-$VSCODE_RIPGREP_VERSION"
  tar czf "$NPM_TMP/vscode-ripgrep-cache-$VSCODE_RIPGREP_VERSION/$RG_ARCHIVE" -C "$(dirname "$(command -v rg)")" rg
  (
    cd "$TOOLS"
    export TMPDIR="$NPM_TMP"
    export npm_config_unsafe_perm=true      # code-server's postinstall refuses root otherwise
    export npm_config_yes=true              # node-pty's postinstall runs `npx node-gyp`
    export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
    export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
    npm install --foreground-scripts --loglevel=warn
  ) >>"$LOG" 2>&1 || die "npm install in $TOOLS"
  rm -rf "$NPM_TMP"
  # code-server's postinstall runs a nested `npm install` in lib/vscode whose
  # package.json has no allowScripts: npm 11 warns there but runs the scripts.
  # What counts is whether the native modules got built: check them.
  echo "$WANT" >"$STAMP"
  npm_ok || { rm -f "$STAMP"; die "code-server's native modules or ripgrep are missing after npm install (install scripts skipped?)"; }
fi
say "npm tools: $(elapsed "$t")"

# ---------------------------------------------------------------- checks ----
# run it isolated: code-server writes a default config into $XDG_CONFIG_HOME
chk=$(mktemp -d)
v=$(HOME=$chk XDG_CONFIG_HOME=$chk/config XDG_DATA_HOME=$chk/data XDG_CACHE_HOME=$chk/cache \
  node "$CS_BIN" --version 2>>"$LOG" | grep -E '^[0-9]+\.[0-9]+\.[0-9]+ ' | head -1) || true
rm -rf "$chk"
case "$v" in "$CODE_SERVER_VERSION "*) ;; *) die "unexpected code-server version: $v";; esac
(cd "$TOOLS" && node -e "require('playwright-core'); require('argon2')") >>"$LOG" 2>&1 \
  || die "playwright-core or argon2 does not load"
chromium --version >>"$LOG" 2>&1 || die "chromium --version"
say "code-server $v; $(chromium --version 2>/dev/null); $(nvim --version | head -1)"
say "done in $(elapsed "$T0")"
