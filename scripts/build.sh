#!/usr/bin/env bash
# The npm package: the wasm core (pkg/) and the TypeScript glue (dist/).
#   --dev   skip wasm-opt
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-wasm.sh "$@"
node scripts/inline-wasm.mjs --glue pkg/web/otaseal.js --wasm pkg/web/otaseal_bg.wasm --out pkg/inline
rm -rf dist
npx --no-install tsc -p tsconfig.json
echo "[build] dist/ and pkg/ ready"
