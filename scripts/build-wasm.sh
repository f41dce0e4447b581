#!/usr/bin/env bash
# Builds the wasm core into pkg/{node,web,bundler} (wasm-bindgen targets nodejs, web and
# bundler) and optimises each module with wasm-opt from npm `binaryen`.
#   --dev   skip wasm-opt and the SIMD build (faster; for iterating)
#
# Two builds of the same source:
#   otaseal_bg.wasm       baseline wasm32 (MVP + the features Rust enables by default): runs on
#                         every engine, including older iOS webviews without wasm SIMD;
#   otaseal_simd_bg.wasm  the same with `+simd128` (faster SHA-256 / AES-GCM code generation).
# The JS glue of both is identical (checked below), so pkg/web and pkg/bundler ship one glue and
# both modules, and the loader picks one at load time (ts/accel/simd.ts). Node has had wasm
# SIMD since v16.4, so pkg/node (CLI, tests, Node apps) uses the SIMD module directly.
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

cargo build --lib --release --locked --target wasm32-unknown-unknown
wasm=target/wasm32-unknown-unknown/release/otaseal.wasm
if [ "$optimise" = 1 ]; then
  # A separate target dir: a different RUSTFLAGS would otherwise rebuild everything each time.
  CARGO_TARGET_DIR=target/simd RUSTFLAGS="-C target-feature=+simd128" \
    cargo build --lib --release --locked --target wasm32-unknown-unknown
  simd=target/simd/wasm32-unknown-unknown/release/otaseal.wasm
fi

rm -rf pkg target/simd-glue
for target in nodejs web bundler; do
  dir=pkg/${target/nodejs/node}
  wasm-bindgen --target "$target" --out-dir "$dir" "$wasm"
  if [ "$optimise" = 1 ]; then
    opt "$dir/otaseal_bg.wasm"
    glue=target/simd-glue/$target
    wasm-bindgen --target "$target" --out-dir "$glue" "$simd"
    if ! cmp -s "$glue/otaseal.js" "$dir/otaseal.js"; then
      echo "[build-wasm] the SIMD build's JS glue differs from the baseline's ($target)" >&2
      exit 1
    fi
    if [ "$target" = nodejs ]; then
      # Node always has wasm SIMD: ship only that module, under the name the glue loads.
      cp "$glue/otaseal_bg.wasm" "$dir/otaseal_bg.wasm"
      opt "$dir/otaseal_bg.wasm" --enable-simd
    else
      cp "$glue/otaseal_bg.wasm" "$dir/otaseal_simd_bg.wasm"
      opt "$dir/otaseal_simd_bg.wasm" --enable-simd
    fi
  fi
done
# The nodejs target is CommonJS, but this package is "type": "module".
echo '{ "type": "commonjs" }' > pkg/node/package.json
ls -l pkg/*/otaseal*_bg.wasm | awk '{ print "[build-wasm] " $NF ": " $5 " bytes" }'
