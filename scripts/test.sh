#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs (scripts/install-toolchain.sh),
# builds the package, runs every suite, and prints one closing summary. Every suite runs even
# when an earlier one failed; the exit status is 1 when any failed. Used as-is by .ci/run.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

results=()   # "name|status|passed|failed"
any_failed=0
log_dir=$(mktemp -d)

step() { printf '\n=== %s\n' "$*"; }

# record NAME STATUS PASSED FAILED
record() {
  results+=("$1|$2|$3|$4")
  [ "$2" = ok ] || any_failed=1
}

# Counts from cargo's "test result:" lines in a log: prints "PASSED FAILED".
cargo_counts() {
  awk '/test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } } END { print p+0, f+0 }' "$1"
}

# Counts from node --test's TAP summary ("# pass N", "# fail N").
node_counts() {
  awk '/^# pass / { p += $3 } /^# fail / { f += $3 } END { print p+0, f+0 }' "$1"
}

# run_cargo NAME CMD...: a cargo test run, counted.
run_cargo() {
  local name=$1; shift
  local log="$log_dir/$name.log"
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  read -r p f < <(cargo_counts "$log")
  if [ "$status" = 0 ] && [ "$p" -gt 0 ]; then record "$name" ok "$p" "$f"; else record "$name" FAILED "$p" "$f"; fi
}

# run_node NAME FILES...: node --test files, counted.
run_node() {
  local name=$1; shift
  local log="$log_dir/$name.log"
  if [ "$#" = 0 ]; then record "$name" "FAILED (no test files)" 0 0; return; fi
  node --test --test-reporter=tap "$@" >"$log" 2>&1
  local status=$?
  # Top-level results, every failure's details, and the totals.
  grep -E '^(not ok|ok|# (pass|fail|tests))|^ +(not ok|error|code|message|expected|actual|location):' "$log"
  read -r p f < <(node_counts "$log")
  if [ "$status" = 0 ] && [ "$p" -gt 0 ]; then record "$name" ok "$p" "$f"; else record "$name" FAILED "$p" "$f"; fi
}

# run_check NAME CMD...: a pass/fail check without test counts.
run_check() {
  local name=$1; shift
  if "$@"; then record "$name" ok - -; else record "$name" FAILED - -; fi
}

step "toolchain (rust wasm32 target, wasm-bindgen-cli, npm packages, chromium)"
if ! bash scripts/install-toolchain.sh --browser; then
  echo "toolchain installation failed"; exit 1
fi

step "format and lint (rustfmt, clippy native + wasm32)"
run_check "cargo fmt" cargo fmt --all -- --check
run_check "clippy" cargo clippy --all-targets --locked -- -D warnings
run_check "clippy wasm32" cargo clippy --locked --target wasm32-unknown-unknown --lib --test wasm -- -D warnings
run_check "clippy wasm32 verifier" cargo clippy --locked --target wasm32-unknown-unknown --lib --no-default-features -- -D warnings

step "cargo test (core: vectors, round trips, every error code, tampering, attack corpus, mutations)"
run_cargo "cargo test" cargo test --locked

step "build the npm package (wasm-bindgen nodejs/web/bundler + wasm-opt, tsc)"
run_check "build" bash scripts/build.sh

step "TypeScript type check"
run_check "tsc" npx --no-install tsc -p tsconfig.json --noEmit

step "wasm-bindgen-test in Node"
run_cargo "wasm (node)" cargo test --locked --target wasm32-unknown-unknown --test wasm

step "wasm-bindgen-test in headless Chromium"
run_cargo "wasm (chromium)" env CHROMEDRIVER="$(command -v chromedriver)" WASM_BINDGEN_USE_BROWSER=1 cargo test --locked --target wasm32-unknown-unknown --test wasm

step "node --test: CLI end to end, JS API, update client"
run_node "node tests" tests/js/*.test.mjs

step "conformance: verified = installed (strict reader vs Android/iOS installers and zip tools, issue 10)"
run_node "conformance" tests/conformance/*.test.mjs

if compgen -G "tests/browser/*.test.mjs" >/dev/null; then
  step "browser end to end (Chromium via playwright-core)"
  run_node "browser tests" tests/browser/*.test.mjs
fi

step "bundler matrix: the packed tarball in Vite, webpack, esbuild, Rollup apps, the web fallback recipe, Node types"
run_node "bundler tests" tests/bundlers/matrix.test.mjs tests/bundlers/web-fallback.test.mjs tests/bundlers/node-types.test.mjs

if [ -f scripts/demo.sh ]; then
  step "demo (seal, verify, serve, check the test page headlessly)"
  run_check "demo --check" bash scripts/demo.sh --check
fi

if [ -f scripts/fuzz-smoke.sh ]; then
  step "fuzz smoke run (every target, a few seconds each)"
  run_check "fuzz smoke" bash scripts/fuzz-smoke.sh
fi

step "summary"
total_p=0; total_f=0
for r in "${results[@]}"; do
  IFS='|' read -r name status p f <<<"$r"
  printf '  %-18s %-8s %s\n' "$name" "$status" "$( [ "$p" = - ] && echo "" || echo "$p passed, $f failed")"
  [ "$p" = - ] || { total_p=$((total_p + p)); total_f=$((total_f + f)); }
done
echo "TOTAL: ${total_p} passed, ${total_f} failed$( [ "$any_failed" = 1 ] && echo " — SOME SUITES FAILED" )"
exit "$any_failed"
