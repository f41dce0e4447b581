#!/usr/bin/env bash
# Builds the wasm modules with wasm-pack (which runs cargo and the installed wasm-bindgen CLI;
# Cargo.toml turns its own wasm-opt download off) and optimises each with wasm-opt from npm
# `binaryen`.
#   --dev   skip wasm-opt (faster; for iterating)
#
# Two modules from the one crate (src/wasm/mod.rs lists what each exports):
#   pkg/web, pkg/bundler   the VERIFIER (`--no-default-features`): what an app loads and every
#                          OTA bundle re-ships. Baseline wasm32 (no SIMD), so one module runs
#                          on every webview Capacitor 7 and 8 support (iOS 14/15 WKWebView
#                          has no wasm SIMD before 16.4; bench/results/NOTES.md has the table
#                          and what SIMD would buy).
#   pkg/node               the SEALER (feature `seal`, the default): the CLI, Node apps and
#                          tests. `+simd128`: Node has had wasm SIMD since v16.4.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

optimise=1
[ "${1:-}" = "--dev" ] && optimise=0

# The features Rust's wasm32 target emits by default; wasm-opt must accept them all.
features=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-multivalue --enable-reference-types)

opt() { # opt <in/out.wasm> [extra wasm-opt flags]
  local file=$1
  shift
  npx --no-install wasm-opt -O3 --strip-debug --strip-producers "${features[@]}" "$@" "$file" -o "$file"
}

# pack <target> <out-dir> [cargo args...]: one wasm-pack build (release profile, no package.json).
pack() {
  local target=$1 out=$2
  shift 2
  wasm-pack --quiet build --release --no-pack --target "$target" --out-dir "$out" --out-name otaseal . -- --locked "$@"
  # wasm-pack writes a .gitignore of '*' into the output directory; pkg/ is ignored at the root.
  rm -f "$out/.gitignore"
}

rm -rf pkg
# The verifier (no SIMD), for browsers and bundlers.
pack web pkg/web --no-default-features
pack bundler pkg/bundler --no-default-features
# The sealer with SIMD, in its own target dir (a different RUSTFLAGS would otherwise rebuild
# everything each time).
CARGO_TARGET_DIR=target/simd RUSTFLAGS="-C target-feature=+simd128" pack nodejs pkg/node
# The nodejs target is CommonJS, but this package is "type": "module".
echo '{ "type": "commonjs" }' > pkg/node/package.json

if [ "$optimise" = 1 ]; then
  opt pkg/web/otaseal_bg.wasm
  opt pkg/bundler/otaseal_bg.wasm
  opt pkg/node/otaseal_bg.wasm --enable-simd
fi
ls -l pkg/*/otaseal*_bg.wasm | awk '{ print "[build-wasm] " $NF ": " $5 " bytes" }'
