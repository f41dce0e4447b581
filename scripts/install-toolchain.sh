#!/usr/bin/env bash
# Installs everything the build, the demo and the tests need on a fresh machine of this kind
# (Rust via rustup, Node 20 + npm, Debian). Idempotent: each step is skipped when already done.
#   --browser   also install Debian's chromium + chromium-driver (browser tests, demo page checks)
set -euo pipefail
cd "$(dirname "$0")/.."

# Must equal the exact wasm-bindgen version pinned in Cargo.toml (the CLI and the crate must match).
WASM_BINDGEN_VERSION=0.2.130
# scripts/build-wasm.sh builds with wasm-pack, which runs the wasm-bindgen above (same version as
# Cargo.lock) and never downloads anything (Cargo.toml turns its wasm-opt download off).
WASM_PACK_VERSION=0.15.1

with_browser=0
for arg in "$@"; do
  case "$arg" in
    --browser) with_browser=1 ;;
    *) echo "install-toolchain.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf '[install] %s\n' "$*"; }

command -v cargo >/dev/null || { echo "cargo (rustup) is required" >&2; exit 2; }
export PATH="$HOME/.cargo/bin:$PATH"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  say "node/npm from Debian"
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi

say "rust components: rustfmt clippy, target wasm32-unknown-unknown"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "wasm-bindgen-cli $WASM_BINDGEN_VERSION (cargo install; a few minutes)"
  # --locked first (reproducible); without it if the registry lacks a locked crate version.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked --force ||
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ "$(wasm-pack --version 2>/dev/null || true)" != "wasm-pack $WASM_PACK_VERSION" ]; then
  say "wasm-pack $WASM_PACK_VERSION (cargo install; a few minutes)"
  cargo install wasm-pack --version "$WASM_PACK_VERSION" --locked --force ||
    cargo install wasm-pack --version "$WASM_PACK_VERSION" --force
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Peers of the conformance harness (tests/conformance): bsdtar and 7-Zip; OpenJDK 17 (javac),
# python3, zip and unzip are expected on this machine kind and installed when missing.
conformance_pkgs=()
command -v bsdtar >/dev/null || conformance_pkgs+=(libarchive-tools)
command -v 7z >/dev/null || command -v 7zz >/dev/null || conformance_pkgs+=(p7zip-full)
command -v javac >/dev/null || conformance_pkgs+=(openjdk-17-jdk-headless)
command -v python3 >/dev/null || conformance_pkgs+=(python3)
command -v zip >/dev/null || conformance_pkgs+=(zip)
command -v unzip >/dev/null || conformance_pkgs+=(unzip)
if [ "${#conformance_pkgs[@]}" -gt 0 ]; then
  say "conformance peers from Debian: ${conformance_pkgs[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${conformance_pkgs[@]}" >/dev/null
fi

if [ "$with_browser" = 1 ] && { ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; }; then
  say "chromium + chromium-driver from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# Installer conformance for @capawesome/capacitor-live-update (Android): the real zip4j, run
# from Java (tests/conformance/extractors/zip4j*.mjs). Debian's 2.11.5 is the plugin's default.
if [ ! -f /usr/share/java/zip4j.jar ]; then
  say "zip4j (libzip4j-java) from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libzip4j-java >/dev/null
fi
say "done"
