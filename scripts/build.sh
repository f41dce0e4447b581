#!/usr/bin/env bash
# The npm package: the wasm core (pkg/) and the TypeScript glue (dist/).
#   --dev   skip wasm-opt
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-wasm.sh "$@"
rm -rf dist
npx --no-install tsc -p tsconfig.json
echo "[build] dist/ and pkg/ ready"
