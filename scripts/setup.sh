# Installs whatever the portal needs to build, run and test, and skips what is
# already there, so a second run starts at once. Sourced by run.sh and test.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf 'setup: %s\n' "$*" >&2; }

# Rust's WebAssembly target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# cargo-leptos 0.3.10: newer releases need a newer rustc; no_downloads because
# this machine cannot fetch its tools from the internet (about 16 min, once).
if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  say "installing cargo-leptos 0.3.10"
  cargo install --locked cargo-leptos --version 0.3.10 --features no_downloads
fi

# The wasm-bindgen CLI must be exactly the version in Cargo.lock. Not
# --locked: one crate of its lock file is not on the registry.
want_bindgen="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')"
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$want_bindgen" ]; then
  say "installing wasm-bindgen-cli $want_bindgen"
  cargo install wasm-bindgen-cli --version "$want_bindgen"
fi

# wasm-opt from npm's binaryen (Debian's is too old: the page fails to
# hydrate), and Lighthouse for the budgets, both pinned in tools/.
if ! cmp -s tools/package-lock.json tools/node_modules/.package-lock.json.installed 2>/dev/null; then
  say "installing wasm-opt (binaryen) and lighthouse from npm"
  (cd tools && npm ci --no-audit --no-fund)
  cp tools/package-lock.json tools/node_modules/.package-lock.json.installed
fi
export PATH="$ROOT/tools/node_modules/.bin:$PATH"

# Chromium for the end-to-end tests, from Debian.
if ! command -v chromium >/dev/null 2>&1; then
  say "installing chromium"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# The email tests' SMTP server is Python's standard smtpd (Debian 12's Python 3.11).
if ! command -v python3 >/dev/null 2>&1; then
  say "installing python3"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null
fi

# Independent checks of the partner API, in tools/python (no system package
# is touched): PyPI's openapi-spec-validator reads the OpenAPI document, and
# the webhook tests' receiver verifies deliveries with standardwebhooks.
PYTHON_TOOLS="openapi-spec-validator==0.7.1 standardwebhooks==1.3.0"
if ! cmp -s <(echo "$PYTHON_TOOLS") tools/python/.installed 2>/dev/null; then
  say "installing $PYTHON_TOOLS"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip >/dev/null
  fi
  rm -rf tools/python
  # shellcheck disable=SC2086 # one argument per package
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target tools/python $PYTHON_TOOLS
  echo "$PYTHON_TOOLS" > tools/python/.installed
fi

# Playwright and axe-core, without Playwright's own browser download.
if ! cmp -s end2end/package-lock.json end2end/node_modules/.package-lock.json.installed 2>/dev/null; then
  say "installing the end-to-end test packages"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  cp end2end/package-lock.json end2end/node_modules/.package-lock.json.installed
fi
