#!/usr/bin/env bash
# Installs what the tests need and the machine lacks. Idempotent: on a
# machine that has everything it only checks.
#   Rust tests: cargo with clippy and rustfmt.
#   Browser tests (tests/browser/): Debian's Chromium and a CJK font (the
#   pages are Chinese: without one, text is measured and drawn as boxes),
#   Java for the Nu HTML checker, Node.js 20 and the npm packages in
#   tests/browser/package-lock.json.
#   Deployment tests (tests/deploy.rs): Debian's nginx, which they run as
#   the test user on a loopback port with the README's own server block.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null; then
  echo "setup: cargo is missing; install Rust (https://rustup.rs) first" >&2
  exit 1
fi
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt 2>/dev/null || true

# Debian packages the browser tests need, by the command or file that shows
# each is there.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v java >/dev/null || missing+=(default-jre-headless)
command -v fc-list >/dev/null && fc-list :lang=zh family | grep -q . || missing+=(fonts-noto-cjk)
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing ${missing[*]}" >&2
    # Other work on the machine may hold apt's lock for a while: wait for it.
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: the browser tests need these Debian packages: ${missing[*]}" >&2
    echo "setup: install them as root (apt-get install ${missing[*]}), then run this again" >&2
    exit 1
  fi
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "setup: the browser tests need Node.js 20 or later; this is $(node --version)" >&2
  exit 1
fi

# playwright-core drives the Chromium above (it never downloads a browser of
# its own); vnu-jar runs on the machine's Java, so its script that would
# download one is not run.
browser_tests=tests/browser
if [ ! -d "$browser_tests/node_modules" ] || [ "$browser_tests/package-lock.json" -nt "$browser_tests/node_modules/.package-lock.json" ]; then
  (cd "$browser_tests" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
