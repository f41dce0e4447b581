#!/usr/bin/env bash
# Builds every cargo-fuzz target in fuzz/ and runs each for a few seconds on its committed seed
# corpus (new inputs go to a temporary directory, so the seeds stay as committed). A crash fails
# the script; libFuzzer leaves the input in fuzz/artifacts/<target>/.
#
#   bash scripts/fuzz-smoke.sh             # 5 s per target
#   FUZZ_SECONDS=1200 bash scripts/fuzz-smoke.sh verify_release   # a long run of one target
#
# cargo-fuzz passes nightly-only rustc flags (-Zsanitizer...); RUSTC_BOOTSTRAP=1 lets the stable
# toolchain accept them. Targets build with debug assertions (overflow checks) on.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-5}"
export RUSTC_BOOTSTRAP=1

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

cargo fuzz build --debug-assertions

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for target in "${targets[@]}"; do
    echo "=== fuzz ${target} (${seconds} s)"
    mkdir -p "$work/$target"
    cargo fuzz run --debug-assertions "$target" "$work/$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=512 -print_final_stats=1 2>&1 |
        grep -E '^(stat::|#[0-9]+ +DONE|INFO: (Loaded|seed)|==|SUMMARY|Done )|panicked|ERROR|artifact' || true
    status=${PIPESTATUS[0]}
    if [ "$status" -ne 0 ]; then
        echo "fuzz target ${target} failed (exit ${status}); see fuzz/artifacts/${target}/"
        exit "$status"
    fi
done
echo "fuzz smoke: ${#targets[@]} target(s), ${seconds} s each, no crash"
