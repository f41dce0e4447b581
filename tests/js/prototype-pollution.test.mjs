// A polluted Object.prototype must not change what the wasm boundary reads: the policy, limits
// and seal arguments are read from their OWN properties only (src/wasm/convert.rs `Fields`).
// Checked on the app's verifier module (pkg/web, loaded with initSync) and on the sealer
// (pkg/node), with releases sealed for real.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const sealer = require("../../pkg/node/otaseal.js");
const verifier = await import("../../pkg/web/otaseal.js");
verifier.initSync({ module: fs.readFileSync(new URL("../../pkg/web/otaseal_bg.wasm", import.meta.url)) });

const now = 1_800_000_000;
const pair = sealer.keygen();
const trust = sealer.trustInit([pair.publicKeyPem], 1);
const files = [{ path: "index.html", data: new TextEncoder().encode("<h1>v2</h1>") }];
const info = { app: "com.example.app", channel: "production", platforms: ["ios"], version: "2.0.0", issuedAt: now - 60, expiresAt: now + 86400 };
// A release that needs native shell 3.0.0.
const needsNative = sealer.seal(files, { ...info, minNativeVersion: "3.0.0" }, [pair.privateKeyPem]).envelopeJson;
const plain = sealer.seal(files, info, [pair.privateKeyPem]).envelopeJson;
const policy = () => ({ app: "com.example.app", channel: "production", platform: "ios", now });

/** Runs `fn` with `Object.prototype` carrying `keys`, then removes them again. */
function polluted(keys, fn) {
  for (const [k, v] of Object.entries(keys)) {
    Object.defineProperty(Object.prototype, k, { value: v, configurable: true, writable: true, enumerable: false });
  }
  try {
    return fn();
  } finally {
    for (const k of Object.keys(keys)) delete Object.prototype[k];
  }
}

function code(fn) {
  try {
    fn();
  } catch (e) {
    return e.code;
  }
  return "ok";
}

function nativeVersionIgnored(ota) {
  assert.equal(code(() => ota.verifyRelease(needsNative, trust, policy())), "NATIVE_TOO_OLD");
  const got = polluted({ nativeVersion: "99.0.0" }, () => code(() => ota.verifyRelease(needsNative, trust, policy())));
  assert.equal(got, "NATIVE_TOO_OLD");
  // Enumerable pollution (a plain assignment) is not an own key either.
  Object.prototype.nativeVersion = "99.0.0";
  try {
    assert.equal(code(() => ota.verifyRelease(needsNative, trust, policy())), "NATIVE_TOO_OLD");
    assert.equal(code(() => new ota.Opener(needsNative, trust, policy(), [])), "NATIVE_TOO_OLD");
  } finally {
    delete Object.prototype.nativeVersion;
  }
  // The same key as an own property is read.
  assert.equal(code(() => ota.verifyRelease(needsNative, trust, { ...policy(), nativeVersion: "3.0.0" })), "ok");
}

function policyKeysIgnored(ota) {
  const got = polluted(
    { installedVersion: "9.9.9", installedZipSha256: "00".repeat(32), lastTrustedTime: now + 10 ** 6, maxClockSkewSecs: 0 },
    () => code(() => ota.verifyRelease(plain, trust, policy())),
  );
  assert.equal(got, "ok");
  // As own keys they count: the release would be a downgrade.
  assert.equal(code(() => ota.verifyRelease(plain, trust, { ...policy(), installedVersion: "9.9.9" })), "DOWNGRADE");
}

function limitsKeysIgnored(ota) {
  const limits = { maxFiles: 0, maxEnvelopeBytes: 1, maxPathBytes: 1, maxTotalBytes: 0, maxBundleBytes: 0 };
  for (const arg of [{}, undefined]) {
    assert.equal(polluted(limits, () => code(() => ota.verifyRelease(plain, trust, policy(), arg))), "ok");
  }
  assert.equal(code(() => ota.verifyRelease(plain, trust, policy(), { maxFiles: 0 })), "LIMIT_EXCEEDED");
}

test("app verifier: an inherited Object.prototype.nativeVersion does not satisfy minNativeVersion", () => nativeVersionIgnored(verifier));
test("app verifier: inherited installedVersion, installedZipSha256 and clock keys are ignored", () => policyKeysIgnored(verifier));
test("app verifier: inherited limits keys are ignored", () => limitsKeysIgnored(verifier));
test("sealer: an inherited Object.prototype.nativeVersion does not satisfy minNativeVersion", () => nativeVersionIgnored(sealer));
test("sealer: inherited installedVersion, installedZipSha256 and clock keys are ignored", () => policyKeysIgnored(sealer));
test("sealer: inherited limits keys are ignored", () => limitsKeysIgnored(sealer));

test("sealer: inherited seal arguments are ignored", () => {
  // Without the guard an inherited minNativeVersion/url would be signed into the release.
  const sealed = polluted({ minNativeVersion: "99.0.0", url: "https://evil.example/b.zip", segmentSize: 4096 }, () =>
    sealer.seal(files, info, [pair.privateKeyPem]));
  const m = sealer.inspect(sealed.envelopeJson).manifest;
  assert.equal(m.minNativeVersion, null);
  assert.equal(m.bundle.url, null);
});
