#!/usr/bin/env bash
# The Angular CLI row of the bundler matrix (tests/bundlers/angular.test.mjs), kept out of
# scripts/test.sh: it installs the Angular packages from the npm registry into a fresh project
# (about a minute from a cold npm cache, ~280 MB) before its ~30 s build.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/inline.js ] || bash scripts/build.sh
node --test tests/bundlers/angular.test.mjs
