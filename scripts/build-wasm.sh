#!/usr/bin/env bash
# Builds the wasm core into pkg/{node,web,bundler} (wasm-bindgen targets nodejs, web and
# bundler) and optimises each module with wasm-opt from npm `binaryen`.
#   --dev   skip wasm-opt (faster; for iterating)
# The same wasm is used by the CLI (pkg/node), the browser entry (pkg/web) and bundlers.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

optimise=1
[ "${1:-}" = "--dev" ] && optimise=0

cargo build --lib --release --locked --target wasm32-unknown-unknown
wasm=target/wasm32-unknown-unknown/release/otaseal.wasm

rm -rf pkg
for target in nodejs web bundler; do
  dir=pkg/${target/nodejs/node}
  wasm-bindgen --target "$target" --out-dir "$dir" "$wasm"
  if [ "$optimise" = 1 ]; then
    # The features Rust's wasm32 target emits by default; wasm-opt must accept them all.
    npx --no-install wasm-opt -O3 --strip-debug \
      --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-multivalue --enable-reference-types \
      "$dir/otaseal_bg.wasm" -o "$dir/otaseal_bg.wasm"
  fi
done
# The nodejs target is CommonJS, but this package is "type": "module".
echo '{ "type": "commonjs" }' > pkg/node/package.json
ls -l pkg/*/otaseal_bg.wasm | awk '{ print "[build-wasm] " $NF ": " $5 " bytes" }'
