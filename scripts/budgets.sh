#!/usr/bin/env bash
# The budgets a release build must keep (issue 13): the brotli size of the
# WebAssembly on the wire, and Lighthouse's mobile scores on the sign-in
# page, Entitlements and the New form, against a release server with demo
# data. Fails, naming each figure over its budget. Run after
# `cargo leptos build --release --precompress --split` (scripts/test.sh does).
#
#   bash scripts/budgets.sh          # the sizes, and each page once
#   LIGHTHOUSE_RUNS=5 bash scripts/budgets.sh   # each page's median of 5 (the test command)
source "$(dirname "$0")/setup.sh"

# Set just above what the build reaches, so that growth fails here first.
# Issue 15 (the Users tab, Your account and the password pages, the
# Administration link) took them from 235,000 / 400,000 / 400,000: over issue
# 13's goal of 400 KB for all a partner loads, which is open work (issue 15's
# note), not a new normal. Administration's sections are a chunk of their own
# (vendor admins only, 376,988 bytes with the main module); what they added
# for everyone is the two error codes every screen reads (invalid_form,
# invalid_import: +400 bytes to the main module, 1,600 to all a partner loads),
# and the Role select of the Users tab (+1,900 bytes to the licenses tabs).
# Issue 16 (accounting's workspace: the Decision panel, the Approvals queue
# with Approve selected, the order line Statement) added 35,400 bytes to the
# licenses tabs, which a partner loads too; as a chunk of their own, Approvals
# and the Statement cost more in all (535,713 bytes against 505,656): also
# open work on issue 13's goal, not a new normal. Its second part (a
# customer's holding Statement, Export CSV on four screens and the pager both
# statements share) added 10,300 bytes to the tabs and 450 to the main module
# (the new texts of the catalogs); the one CursorPages pager replacing four
# copies of Load more then cost 860 bytes more (it is generic over the rows,
# one copy per list), measured 489,083 / 517,202 on CI's machine (builds vary
# by some 20 bytes). Issue 17's API tokens tab (a table, the create form, the
# secret shown once, Revoke) added 14,600 bytes to the licenses tabs and 490
# to the main module (its route and tab); as a chunk of its own it cost
# 33,700 more in all (the shared code split into six more modules). Its
# Webhooks tab then took the main module from 243,474 to 274,777 bytes (the
# licenses tabs +19,100, all +17,700): the tab's code is in the tabs' chunk,
# so what moved into the main module is not found yet; first thing to look
# into, not a new normal (Lighthouse on a calibrated phone: sign-in 100,
# TBT 12 ms; New form 99, TBT 129 ms). Two release builds of one tree gave
# the same raw bytes and brotli sizes 550 bytes apart (549,581 and 550,128):
# the budgets leave that much room over the larger. Issue 17's Import
# requests (CSV) screen (the dry run's tables, Submit all) then added 10,100
# bytes to the licenses tabs and 11,400 in all, and in the same build the
# main module fell back to 247,184 bytes (the 31,000 the Webhooks tab had
# added to it went back to the chunks; which part of the change moved them is
# not established). The budget follows it down so it cannot creep back up
# unseen.
WASM_INITIAL_BR_MAX=${WASM_INITIAL_BR_MAX:-247800}   # bytes, the main module (all the sign-in page loads)
WASM_PAGE_BR_MAX=${WASM_PAGE_BR_MAX:-533800}         # bytes, what a page opened on a tab loads
WASM_TOTAL_BR_MAX=${WASM_TOTAL_BR_MAX:-561900}       # bytes, every module a partner can load
# Lighthouse 12, mobile preset, simulated throttling, the CPU multiplier
# calibrated to the host (below). The goals are performance 95 and TBT
# 150 ms; they held on hosts of benchmark index 2,500-3,000 at the default
# 4x, but on a host of index about 1,100 the New form measures about 210 ms
# of TBT at the same emulated phone, so these are regression budgets just
# above what every page reaches on such a host.
MIN_PERFORMANCE=${MIN_PERFORMANCE:-90}
MIN_ACCESSIBILITY=${MIN_ACCESSIBILITY:-100}
MAX_LCP_MS=${MAX_LCP_MS:-2000}
MAX_TBT_MS=${MAX_TBT_MS:-275}
# Simulated throttling multiplies the CPU time it observes on the host (4x
# by default), so the same page scores worse on a slower host. As
# Lighthouse's throttling guide says (docs/throttling.md, "calibrating
# multipliers"), the multiplier is set from the host's benchmark index,
# measured first in the same run: index / 625, at least 1, so every host
# emulates the same phone — the one the goals were set on (4x on a host of
# index 2,500).
EMULATED_DEVICE_INDEX=${EMULATED_DEVICE_INDEX:-625}
MAX_CLS=${MAX_CLS:-0.02}
RUNS=${LIGHTHOUSE_RUNS:-1}

out="$ROOT/target/budgets"
rm -rf "$out" && mkdir -p "$out"
failed=0
over() { printf 'budget: OVER: %s\n' "$*" >&2; failed=1; }

say "WebAssembly on the wire (brotli, as served)"
shopt -s nullglob
modules=(target/site/pkg/*.wasm)
[ "${#modules[@]}" -gt 0 ] || { echo "no WebAssembly in target/site/pkg: build first" >&2; exit 1; }
for wasm in "${modules[@]}"; do
  [ -f "$wasm.br" ] || { echo "$wasm.br missing: build with --precompress" >&2; exit 1; }
done
manifests=(target/site/pkg/__wasm_split_manifest*.json)
[ "${#manifests[@]}" -eq 1 ] || { echo "no split manifest in target/site/pkg: build with --split" >&2; exit 1; }
# The main module (portal.<hash>.wasm) is what every first page loads, the
# sign-in page nothing else. A page opened on a tab of the licenses area
# loads, before it hydrates, the chunks the manifest lists for the tab
# (app/src/pages/licenses/screens.rs): one chunk for all of them. A partner
# can load every module but Administration's own.
read -r initial largest largest_page everything < <(python3 - "${manifests[0]}" <<'EOF'
import glob, json, os, re, sys
pkg = os.path.dirname(sys.argv[1])
manifest = json.load(open(sys.argv[1]))
br = lambda chunk: os.path.getsize(f"{pkg}/{chunk}.wasm.br")
main = sum(os.path.getsize(f) for f in glob.glob(f"{pkg}/portal.*.wasm.br"))
# Keys are the lazy functions' names with a hash: license_tab_1134...
pages = {re.sub(r"_[0-9]+$", "", key): main + sum(br(c) for c in chunks) for key, chunks in manifest.items()}
largest = max(pages, key=pages.get)
# Administration's own chunks load for vendor admins only.
partner_chunks = {c for key, chunks in manifest.items() if not key.startswith("administration_screen") for c in chunks}
admin_only = {c for key, chunks in manifest.items() if key.startswith("administration_screen") for c in chunks} - partner_chunks
everything = sum(os.path.getsize(f) for f in glob.glob(f"{pkg}/*.wasm.br")) - sum(br(c) for c in admin_only)
for name, size in sorted(pages.items()):
    print(f"  opened on a {name:<12} {size:9d} bytes brotli (main module and chunks)", file=sys.stderr)
print(main, pages[largest], largest, everything)
EOF
)
raw=$(cat target/site/pkg/*.wasm | wc -c); gz=$(cat target/site/pkg/*.wasm.gz | wc -c)
printf '  %d modules: raw %d, gzip %d, brotli %d bytes\n' "${#modules[@]}" "$raw" "$gz" "$everything"
printf '  initial (main module) %d bytes (budget %d)\n' "$initial" "$WASM_INITIAL_BR_MAX"
printf '  largest first load %d bytes (opened on %s; budget %d)\n' "$largest" "$largest_page" "$WASM_PAGE_BR_MAX"
printf '  all a partner can load %d bytes (budget %d)\n' "$everything" "$WASM_TOTAL_BR_MAX"
hello=$(bash "$ROOT/scripts/hello_reference.sh")
awk -v i="$initial" -v h="$hello" 'BEGIN { printf "  initial WebAssembly = %.1f x a Leptos hello-world (%d bytes brotli)\n", i / h, h }'
[ "$initial" -le "$WASM_INITIAL_BR_MAX" ] || over "initial WebAssembly $initial bytes brotli > $WASM_INITIAL_BR_MAX"
[ "$largest" -le "$WASM_PAGE_BR_MAX" ] || over "WebAssembly of a page opened on $largest_page $largest bytes brotli > $WASM_PAGE_BR_MAX"
[ "$everything" -le "$WASM_TOTAL_BR_MAX" ] || over "all WebAssembly $everything bytes brotli > $WASM_TOTAL_BR_MAX"

say "Lighthouse (mobile) against a release server with demo data"
port=3090
base="http://127.0.0.1:$port"
PORTAL_DEMO=1 PORTAL_DATABASE_URL="sqlite://$out/portal.db" PORTAL_MAIL_URL="file://$out/mail" \
  PORTAL_LICENSE_KEY_FILE="$out/license-signing.key" \
  LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_OUTPUT_NAME=portal LEPTOS_HASH_FILES=true \
  LEPTOS_SITE_ADDR="127.0.0.1:$port" PORTAL_PUBLIC_URL="$base" PORTAL_METRICS_ADDR="127.0.0.1:$((port + 1))" \
  target/release/server >"$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -fs -o /dev/null "$base/readyz" && break; sleep 0.1; done
curl -fs -o /dev/null "$base/readyz" || { cat "$out/server.log"; exit 1; }

# The partner's session, as the browser would get it from the sign-in form.
cookie=$(curl -fs -D - -o /dev/null -H "Origin: $base" \
  --data-urlencode email=partner@example.com --data-urlencode password=demo "$base/api/sign_in" \
  | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(portal_session=[^;]*\).*/\1/p')
[ -n "$cookie" ] || { echo "could not sign the partner in" >&2; exit 1; }
partner=$(curl -fs -b "$cookie" "$base/api/signed_in_user" -X POST -H "Origin: $base" \
  -H 'Content-Type: application/x-www-form-urlencoded' | sed -n 's/.*"account_id":\([0-9]*\).*/\1/p')

lighthouse_run() { # URL REPORT EXTRA-HEADERS CHROME-PROFILE [LIGHTHOUSE FLAGS...]
  local url=$1 report=$2 headers=$3 profile=$4
  shift 4
  CHROME_PATH=/usr/bin/chromium lighthouse "$url" --quiet "$@" \
    --extra-headers="$headers" \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --user-data-dir=$profile" \
    --output=json --output-path="$report" || true
}

# The host's speed: Lighthouse's benchmark index, median of three runs.
for n in 1 2 3; do
  lighthouse_run "$base/sign-in" "$out/calibration-$n.json" "{}" "$out/chrome-calibration-$n" --only-categories=performance
done
read -r host_index multiplier < <(node - "$out" "$EMULATED_DEVICE_INDEX" <<'EOF'
const fs = require("fs");
const [out, device] = process.argv.slice(2);
const found = [1, 2, 3].flatMap((n) => {
  try { return [JSON.parse(fs.readFileSync(`${out}/calibration-${n}.json`, "utf8")).environment.benchmarkIndex]; } catch { return []; }
}).sort((a, b) => a - b);
if (found.length === 0) { console.error("no calibration run gave a benchmark index"); process.exit(1); }
const index = found[(found.length - 1) >> 1];
console.log(Math.round(index), Math.max(1, index / Number(device)).toFixed(2));
EOF
)
[ -n "${multiplier:-}" ] || { echo "could not measure the host's benchmark index" >&2; exit 1; }
printf '  host benchmark index %s: CPU slowdown %sx (the phone of index %s)\n' "$host_index" "$multiplier" "$EMULATED_DEVICE_INDEX"

pages=("sign-in" "licenses/$partner/entitlements" "licenses/$partner/drawdowns/new")
for page in "${pages[@]}"; do
  name=$(echo "$page" | tr / _)
  headers="{}"
  [ "$page" = sign-in ] || headers="{\"Cookie\":\"$cookie\"}"
  # Lighthouse now and then loses its trace (NO_NAVSTART): such a run is
  # taken again, up to twice the runs asked for.
  run=0
  for attempt in $(seq 1 $((2 * RUNS))); do
    [ "$run" -lt "$RUNS" ] || break
    report="$out/$name-$((run + 1)).json"
    lighthouse_run "$base/$page" "$report" "$headers" "$out/chrome-$name-$attempt" \
      --only-categories=performance,accessibility,best-practices \
      --throttling.cpuSlowdownMultiplier="$multiplier"
    if [ -s "$report" ] && ! grep -q '"runtimeError"' "$report"; then
      run=$((run + 1))
    else
      echo "  $page: run $attempt gave no result, again" >&2
    fi
  done
done

node - "$out" "$RUNS" "$MIN_PERFORMANCE" "$MIN_ACCESSIBILITY" "$MAX_LCP_MS" "$MAX_TBT_MS" "$MAX_CLS" "${pages[@]}" <<'EOF' || failed=1
const fs = require("fs");
const [out, runs, minPerf, minA11y, maxLcp, maxTbt, maxCls, ...pages] = process.argv.slice(2);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]; };
let failed = false;
for (const page of pages) {
  const name = page.replace(/\//g, "_");
  const reports = [];
  for (let run = 1; run <= Number(runs); run++) {
    try {
      const r = JSON.parse(fs.readFileSync(`${out}/${name}-${run}.json`, "utf8"));
      if (!r.runtimeError && r.categories.performance.score !== null) reports.push(r);
    } catch {}
  }
  if (reports.length === 0) { console.error(`budget: OVER: ${page}: Lighthouse gave no result`); failed = true; continue; }
  const fig = {
    performance: median(reports.map((r) => Math.round(r.categories.performance.score * 100))),
    accessibility: median(reports.map((r) => Math.round(r.categories.accessibility.score * 100))),
    "best practices": median(reports.map((r) => Math.round(r.categories["best-practices"].score * 100))),
    lcp: median(reports.map((r) => r.audits["largest-contentful-paint"].numericValue)),
    fcp: median(reports.map((r) => r.audits["first-contentful-paint"].numericValue)),
    tbt: median(reports.map((r) => r.audits["total-blocking-time"].numericValue)),
    cls: median(reports.map((r) => r.audits["cumulative-layout-shift"].numericValue)),
    benchmark: median(reports.map((r) => r.environment.benchmarkIndex)),
  };
  const slowdown = reports[0].configSettings.throttling.cpuSlowdownMultiplier;
  console.log(`  ${page}: performance ${fig.performance}, accessibility ${fig.accessibility}, best practices ${fig["best practices"]}, ` +
    `FCP ${Math.round(fig.fcp)} ms, LCP ${Math.round(fig.lcp)} ms, TBT ${Math.round(fig.tbt)} ms (benchmark index ${Math.round(fig.benchmark)}, CPU ${slowdown}x), ` +
    `CLS ${fig.cls.toFixed(3)} (median of ${reports.length})`);
  const check = (ok, what) => { if (!ok) { console.error(`budget: OVER: ${page}: ${what}`); failed = true; } };
  check(fig.performance >= Number(minPerf), `performance ${fig.performance} < ${minPerf}`);
  check(fig.accessibility >= Number(minA11y), `accessibility ${fig.accessibility} < ${minA11y}`);
  check(fig.lcp <= Number(maxLcp), `LCP ${Math.round(fig.lcp)} ms > ${maxLcp} ms`);
  check(fig.tbt <= Number(maxTbt), `TBT ${Math.round(fig.tbt)} ms > ${maxTbt} ms`);
  check(fig.cls <= Number(maxCls), `CLS ${fig.cls} > ${maxCls}`);
}
process.exit(failed ? 1 : 0);
EOF

if [ "$failed" -ne 0 ]; then
  echo "budgets: a figure is over its budget (reports in target/budgets)" >&2
  exit 1
fi
say "every figure within its budget"
