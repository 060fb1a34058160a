#!/usr/bin/env bash
# Pressroom developer/CI setup. Idempotent; quiet unless a step fails.
#   ./setup.sh             system packages, .venv, Ace and axe-core, then build the sample editions and their site
#   ./setup.sh --no-build  same, without the build
# Env: PYTHON=/path/to/python3.x to pick the interpreter (default: python3).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$PWD

BUILD=1
for arg in "$@"; do
    case "$arg" in
        --no-build) BUILD=0 ;;
        -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
        *) echo "setup.sh: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

step() { echo "==> $*"; }
die() { echo "setup.sh: error: $*" >&2; exit 1; }

# Run a command silently; on failure show its output and stop.
run() {
    local log rc=0
    log=$(mktemp)
    "$@" >"$log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        cat "$log" >&2
        rm -f "$log"
        die "command failed (exit $rc): $*"
    fi
    rm -f "$log"
}

# ---------------------------------------------------------------- 1. system packages
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for p in libpango-1.0-0 libpangoft2-1.0-0 poppler-utils qpdf chromium ghostscript mupdf-tools; do
    have_pkg "$p" || missing+=("$p")
done
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm  >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
    step "system packages: all present"
else
    apt_cmd="apt-get install -y -q --no-install-recommends ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup.sh: missing system packages: ${missing[*]}" >&2
        echo "Run as root:  sudo apt-get update && sudo $apt_cmd" >&2
        exit 1
    fi
    step "system packages: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    run apt-get update -q
    # shellcheck disable=SC2086
    run $apt_cmd
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || echo "setup.sh: warning: node $(node --version) found; Ace 1.4 wants node >= 20" >&2

# ---------------------------------------------------------------- 2. Python venv
PY=${PYTHON:-python3}
command -v "$PY" >/dev/null 2>&1 || die "'$PY' not found; install Python >= 3.11 or set PYTHON=/path/to/python3"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "$("$PY" --version 2>&1) at $(command -v "$PY") is too old; Pressroom needs Python >= 3.11 (set PYTHON=...)"

VENV=$ROOT/.venv
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    step "venv: reusing .venv ($("$VENV/bin/python" --version))"
else
    step "venv: creating .venv with $("$PY" --version) ($(command -v "$PY"))"
    rm -rf "$VENV"
    run "$PY" -m venv "$VENV"
fi

step "venv: upgrading pip, pip install -e '.[test]'"
run "$VENV/bin/python" -m pip install -q --upgrade pip
run "$VENV/bin/python" -m pip install -q -e '.[test]'

# ---------------------------------------------------------------- 3. Ace by DAISY (local, tools/ace)
ACE_DIR=$ROOT/tools/ace
stamp=$ACE_DIR/node_modules/.pressroom-stamp
want=$(cat "$ACE_DIR/package.json" "$ACE_DIR/package-lock.json" 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ -x "$ACE_DIR/node_modules/.bin/ace-puppeteer" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    step "ace: tools/ace/node_modules up to date"
else
    # --ignore-scripts: puppeteer/electron must not download browsers (no network but registries).
    export PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1
    if [ -f "$ACE_DIR/package-lock.json" ]; then
        step "ace: npm ci --ignore-scripts in tools/ace"
        run npm --prefix "$ACE_DIR" ci --ignore-scripts --no-audit --no-fund
    else
        step "ace: npm install --ignore-scripts in tools/ace (no lock file yet)"
        run npm --prefix "$ACE_DIR" install --ignore-scripts --no-audit --no-fund
    fi
    want=$(cat "$ACE_DIR/package.json" "$ACE_DIR/package-lock.json" | sha256sum | cut -d' ' -f1)
    echo "$want" >"$stamp"
fi

# ---------------------------------------------------------------- 3b. axe-core (local, tools/axe)
AXE_DIR=$ROOT/tools/axe
stamp=$AXE_DIR/node_modules/.pressroom-stamp
want=$(cat "$AXE_DIR/package.json" "$AXE_DIR/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    step "axe: tools/axe/node_modules up to date"
else
    step "axe: npm ci --ignore-scripts in tools/axe"
    run npm --prefix "$AXE_DIR" ci --ignore-scripts --no-audit --no-fund
    echo "$want" >"$stamp"
fi

# ---------------------------------------------------------------- 4. sample build
if [ "$BUILD" -eq 0 ]; then
    step "build: skipped (--no-build)"
elif [ ! -f "$ROOT/build.py" ]; then
    step "build: skipped, build.py does not exist yet"
else
    # `site` builds every edition that is stale (PDF and EPUB in output/<slug>/), then the library
    # site beside them in output/site/.
    step "build: .venv/bin/python build.py site"
    "$VENV/bin/python" build.py site
fi
