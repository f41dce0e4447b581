#!/usr/bin/env bash
# The README's demo: from a fresh machine, build the package, seal the sample app with the CLI
# (keys, bundle key, trust root, a plain and an encrypted release), verify and extract both
# with the CLI, then serve the browser test page (www/) from the loopback update server.
#   bash scripts/demo.sh            serve until Ctrl-C (PORT=8787 by default)
#   bash scripts/demo.sh --check    instead load the page in headless Chromium, check that the
#                                   valid releases pass and every tamper shows its code; exit 0/1
#   --rebuild                       rebuild pkg/ and dist/ even when present
# The keys are generated afresh in target/demo/ on every run: DEMO ONLY.
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
rebuild=0
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    --rebuild) rebuild=1 ;;
    *) echo "demo.sh: unknown option $arg (use --check, --rebuild)" >&2; exit 2 ;;
  esac
done
say() { printf '\n[demo] %s\n' "$*"; }

say "toolchain (idempotent)"
bash scripts/install-toolchain.sh --browser

if [ "$rebuild" = 1 ] || [ ! -f pkg/node/otaseal.js ] || [ ! -f pkg/web/otaseal_bg.wasm ] || [ ! -f dist/node.js ] || [ ! -f dist/web.js ]; then
  say "build (wasm + TypeScript)"
  bash scripts/build.sh
else
  say "build: pkg/ and dist/ present (use --rebuild to rebuild)"
fi

cli() { node cli/otaseal.mjs "$@"; }
D=target/demo
rm -rf "$D"
mkdir -p "$D"
APP=com.example.sample

say "keys: a signing key, a bundle-encryption key, a trust root"
cli keygen --out "$D/keys" --name release
cli enckey --out "$D/keys/bundle.key"
cli trust init --key "$D/keys/release.pub" --out "$D/trust.json"

say "seal examples/sample-app as $APP 2.0.0, plain and encrypted"
seal() { cli seal examples/sample-app --app "$APP" --version 2.0.0 --platform web --platform android --platform ios --key "$D/keys/release.key" "$@"; }
seal --out "$D/plain"
seal --encrypt "$D/keys/bundle.key" --segment-size 4096 --out "$D/encrypted"

say "verify and extract with the CLI, as the app would (installed 1.0.0)"
verify() { cli verify "$1/manifest.json" --trust "$D/trust.json" --app "$APP" --platform web --installed 1.0.0 --bundle "$1/$2" --extract "$1-files" "${@:3}"; }
verify "$D/plain" bundle.zip
verify "$D/encrypted" bundle.bin --decrypt "$D/keys/bundle.key"
diff -r examples/sample-app "$D/plain-files" && diff -r examples/sample-app "$D/encrypted-files"
echo "extracted files are identical to examples/sample-app"

if [ "$check" = 1 ]; then
  say "headless Chromium check of the test page"
  exec node server/demo-check.mjs --release-dir "$D"
fi
say "update server (loopback only); Ctrl-C to stop"
exec node server/update-server.mjs --port "${PORT:-8787}" --release-dir "$D"
