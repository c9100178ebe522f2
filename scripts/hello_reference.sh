#!/usr/bin/env bash
# The reference our WebAssembly is measured against: a minimal Leptos 0.8
# hello-world (a counter, hydrated), built with the portal's wasm-release
# profile, the same toolchain, the same crate versions (our Cargo.lock), the
# same wasm-bindgen and wasm-opt passes as cargo-leptos, and compressed with
# brotli at the quality cargo-leptos uses. Prints its brotli size in bytes on
# the last line. Sourced tools come from setup.sh (scripts/budgets.sh runs it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$ROOT/target/hello-world"
mkdir -p "$dir/src"
want_leptos="$(grep -A1 '^name = "leptos"$' "$ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
want_bindgen="$(grep -A1 '^name = "wasm-bindgen"$' "$ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
cat >"$dir/Cargo.toml" <<EOF
[package]
name = "hello"
version = "0.1.0"
edition = "2021"

[lib]
crate-type = ["cdylib"]

[dependencies]
leptos = { version = "=$want_leptos", features = ["hydrate"] }
wasm-bindgen = "=$want_bindgen"
console_error_panic_hook = "0.1"

[profile.wasm-release]
inherits = "release"
opt-level = "z"
lto = true
codegen-units = 1
panic = "abort"

[workspace]
EOF
cat >"$dir/src/lib.rs" <<'EOF'
use leptos::prelude::*;

#[component]
fn App() -> impl IntoView {
    let count = RwSignal::new(0);
    view! {
        <h1>"Hello, world"</h1>
        <button on:click=move |_| *count.write() += 1>"Clicked " {count} " times"</button>
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
EOF
# The portal's versions of every crate both use.
[ -f "$dir/Cargo.lock" ] || cp "$ROOT/Cargo.lock" "$dir/Cargo.lock"
(cd "$dir" && cargo build -q --lib --target wasm32-unknown-unknown --profile wasm-release)
wasm-bindgen --target web --no-typescript --out-dir "$dir/pkg" --out-name hello \
  "$dir/target/wasm32-unknown-unknown/wasm-release/hello.wasm"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  "$dir/pkg/hello_bg.wasm" -o "$dir/pkg/hello.wasm"
node -e '
const fs = require("fs"), zlib = require("zlib");
const raw = fs.readFileSync(process.argv[1]);
const br = zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
const gz = zlib.gzipSync(raw, { level: 9 });
console.error(`  hello-world: raw ${raw.length}, gzip ${gz.length}, brotli ${br.length}`);
console.log(br.length);
' "$dir/pkg/hello.wasm"
