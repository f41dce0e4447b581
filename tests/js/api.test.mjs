// Every public JS function of the package fed wrong types, empty, huge and garbage input: each
// must throw an OtaError with a documented code (never a wasm trap, a TypeError or a hang), and
// the module must keep working afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import * as otaseal from "otaseal";

const {
  Opener, addSignature, bundleKeyGenerate, bundleKeyId, errorCodes, inspect, keygen, publicKeyInfo, seal,
  trustApplyRotation, trustInit, trustRotate, verifyRelease,
} = otaseal;

const CODES = new Set(errorCodes());
const now = 1_800_000_000;
const pair = keygen();
const trust = trustInit([pair.publicKeyPem], 1);
const info = { app: "com.example.app", channel: "production", platforms: ["ios"], version: "2.0.0", issuedAt: now - 60, expiresAt: now + 86400 };
const files = [{ path: "index.html", data: new TextEncoder().encode("<h1>hi</h1>") }];
const sealed = seal(files, info, [pair.privateKeyPem]);
const policy = { app: "com.example.app", channel: "production", platform: "ios", now };
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const pem = (k, type) => k.export({ type, format: "pem" });

/** A label for any value, even a hostile Proxy. */
function label(v) {
  try {
    return typeof v === "symbol" || typeof v === "function" ? typeof v : String(v).slice(0, 20);
  } catch {
    return "a hostile object";
  }
}

/** `fn` must throw an OtaError whose code is documented (and equals `code` when given). */
function rejects(what, fn, code) {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown, `${what}: did not throw`);
  assert.equal(thrown.name, "OtaError", `${what}: threw ${thrown?.name}: ${thrown?.message}`);
  assert.ok(thrown instanceof Error, what);
  assert.ok(CODES.has(thrown.code), `${what}: undocumented code ${thrown.code}`);
  assert.ok(typeof thrown.message === "string" && thrown.message.length > 0, what);
  if (code) assert.equal(thrown.code, code, `${what}: ${thrown.message}`);
}

// Values of every JS type, plus a few sized ones.
const GARBAGE = [
  undefined, null, 0, -1, 1.5, NaN, Infinity, 2 ** 60, 10n, true, "", "x", "{}", "[]", Symbol("s"), () => 1,
  [], [1], {}, { a: 1 }, new Uint8Array(0), new Uint8Array(40), new ArrayBuffer(8), new Date(0), new Map(),
  Object.create(null), new Proxy({}, { get() { throw new Error("hostile getter"); } }),
];

test("the exported function set is what the docs list", () => {
  assert.deepEqual(
    Object.keys(otaseal).filter((k) => typeof otaseal[k] === "function").sort(),
    [
      // the wasm core
      "Opener", "addSignature", "bundleKeyFromFile", "bundleKeyGenerate", "bundleKeyId", "errorCodes", "inspect", "keygen", "publicKeyInfo",
      "seal", "trustApplyRotation", "trustInit", "trustRotate", "verifyRelease", "SinkOpener", "readInputZip",
      // the update client (docs/CLIENT.md)
      "MemoryUpdater", "UpdateError", "coreFrom", "createClientWithCore", "createUpdateClient", "isCoreError",
      "localStorageStorage", "memoryBackend", "memoryStorage",
      // WebCrypto-accelerated segment decryption (ts/accel/webcrypto.ts)
      "WebCryptoOpener",
    ].sort(),
  );
});

test("every argument position refuses every wrong type with an OtaError", () => {
  const calls = {
    verifyRelease: [sealed.envelopeJson, trust, policy, undefined],
    Opener: [sealed.envelopeJson, trust, policy, [], undefined],
    publicKeyInfo: [pair.publicKeyPem],
    bundleKeyId: [new Uint8Array(32)],
    bundleKeyFromFile: [JSON.stringify({ type: "otaseal-bundle-key", keyId: bundleKeyId(new Uint8Array(32)), key: "A".repeat(43) + "=" })],
    seal: [files, info, [pair.privateKeyPem], undefined, undefined],
    addSignature: [sealed.envelopeJson, keygen().privateKeyPem],
    trustInit: [[pair.publicKeyPem], 1, undefined],
    trustRotate: [trust, [pair.publicKeyPem], 1, [pair.privateKeyPem]],
    trustApplyRotation: [trust, trustRotate(trust, [pair.publicKeyPem], 1, [pair.privateKeyPem]), undefined],
    inspect: [sealed.envelopeJson],
    readInputZip: [sealed.bundle, undefined],
  };
  let refused = 0;
  for (const [name, good] of Object.entries(calls)) {
    const fn = name === "Opener" ? (...a) => new Opener(...a) : otaseal[name];
    // The good call works (so a refusal below is about the one bad argument).
    const r = fn(...good);
    if (name === "Opener") r.free();
    for (let i = 0; i < good.length; i++) {
      for (const bad of GARBAGE) {
        // Optional arguments accept undefined and null.
        if (good[i] === undefined && (bad === undefined || bad === null)) continue;
        const args = [...good];
        args[i] = bad;
        let result;
        try {
          result = fn(...args);
        } catch (e) {
          assert.equal(e?.name, "OtaError", `${name} arg ${i} = ${label(bad)}: ${e?.stack ?? e}`);
          assert.ok(CODES.has(e.code));
          refused++;
          continue;
        }
        // Accepted only where the value is a legitimately different input.
        if (name === "Opener") result.free();
        // An empty plain object is "all default limits"; trustInit's version may be any number.
        const limitsAt = { verifyRelease: 3, Opener: 4, seal: 4, trustApplyRotation: 2, readInputZip: 1 }[name];
        const emptyPlain = bad !== null && typeof bad === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(bad)) && Object.keys(bad).length === 0;
        const okAlternatives = (i === limitsAt && emptyPlain) ||
          (name === "trustInit" && i === 2 && Number.isInteger(bad) && bad >= 0) ||
          (name === "Opener" && i === 3 && Array.isArray(bad) && bad.length === 0);
        assert.ok(okAlternatives, `${name} accepted ${label(bad)} at argument ${i}`);
      }
    }
  }
  assert.ok(refused > 200, `only ${refused} refusals`);
  // The module still works after hundreds of refusals.
  assert.equal(verifyRelease(sealed.envelopeJson, trust, policy).manifest.version, "2.0.0");
});

test("huge inputs hit limits, not memory", () => {
  const huge = "x".repeat(2 << 20);
  rejects("2 MiB envelope", () => verifyRelease(huge, trust, policy), "LIMIT_EXCEEDED");
  rejects("2 MiB trust root", () => verifyRelease(sealed.envelopeJson, huge, policy), "LIMIT_EXCEEDED");
  rejects("2 MiB inspect", () => inspect(huge), "LIMIT_EXCEEDED");
  rejects("huge app name", () => verifyRelease(sealed.envelopeJson, trust, { ...policy, app: huge }), "LIMIT_EXCEEDED");
  rejects("huge PEM", () => publicKeyInfo(huge), "LIMIT_EXCEEDED");
  // Refused before being copied into wasm memory, which never shrinks (wasm memory counts
  // as `external`; a copy would grow it by the string's size for good).
  const giant = "x".repeat(128 << 20);
  for (const [label, call] of [
    ["envelope", () => verifyRelease(giant, trust, policy)],
    ["trust root", () => verifyRelease(sealed.envelopeJson, giant, policy)],
    ["PEM", () => publicKeyInfo(giant)],
    ["app", () => verifyRelease(sealed.envelopeJson, trust, { ...policy, app: giant })],
  ]) {
    const before = process.memoryUsage().external;
    rejects(`128 MiB ${label}`, call, "LIMIT_EXCEEDED");
    assert.ok(process.memoryUsage().external - before < 16 << 20, `${label}: copied into wasm memory`);
  }
  const many = Array.from({ length: 20_001 }, (_, i) => ({ path: `f${i}`, data: new Uint8Array(0) }));
  rejects("20 001 files", () => seal(many, info, [pair.privateKeyPem]), "LIMIT_EXCEEDED");
  rejects("long path", () => seal([{ path: "a/".repeat(300) + "b", data: new Uint8Array(0) }], info, [pair.privateKeyPem]), "LIMIT_EXCEEDED");
  const opener = new Opener(sealed.envelopeJson, trust, policy, []);
  rejects("8 MiB push into a tiny bundle", () => opener.push(new Uint8Array(8 << 20)), "BUNDLE_TOO_LONG");
  rejects("push after failure", () => opener.push(new Uint8Array(1)), "INVALID_STATE");
  opener.free();
  rejects("tight limits", () => verifyRelease(sealed.envelopeJson, trust, policy, { maxEnvelopeBytes: 100 }), "LIMIT_EXCEEDED");
  rejects("negative limit", () => verifyRelease(sealed.envelopeJson, trust, policy, { maxFiles: -1 }), "INVALID_ARGUMENT");
});

test("segmentError checks its arguments before use and never panics", () => {
  const { key } = bundleKeyGenerate();
  const enc = seal(files, info, [pair.privateKeyPem], { key, segmentSize: 4096 });
  const fresh = () => new Opener(enc.envelopeJson, trust, policy, [key]);
  for (const [label, index, segment] of [
    ["NaN index", NaN, new Uint8Array(100)],
    ["negative index", -1, new Uint8Array(100)],
    ["fractional index", 1.5, new Uint8Array(100)],
    ["index past 2^53", 2 ** 60, new Uint8Array(100)],
    ["segment longer than the segment size", 0, new Uint8Array(4097)],
    ["segment not bytes", 0, "abc"],
  ]) {
    const o = fresh();
    const e = o.segmentError(index, false, segment);
    assert.equal(e.code, "INVALID_ARGUMENT", label);
    rejects(`${label}: opener unusable afterwards`, () => o.push(new Uint8Array(1)), "INVALID_STATE");
    o.free();
  }
  // The largest index is diagnosed (no overflow of the search window), as a tag failure.
  const o = fresh();
  o.push(enc.bundle.subarray(0, 40)); // the header: the key is derived, segments can be tried
  assert.equal(o.segmentError(2 ** 53 - 1, true, new Uint8Array(100)).code, "DECRYPT_TAG");
  o.free();
});

test("keys: truncated PEM, wrong key types, private for public and back", () => {
  rejects("empty PEM", () => publicKeyInfo(""), "KEY_MALFORMED");
  rejects("truncated SPKI", () => publicKeyInfo(pair.publicKeyPem.slice(0, 40)), "KEY_MALFORMED");
  rejects("truncated PKCS#8", () => publicKeyInfo(pair.privateKeyPem.slice(0, pair.privateKeyPem.length - 20)), "KEY_MALFORMED");
  rejects("RSA public", () => publicKeyInfo(pem(rsa.publicKey, "spki")), "KEY_MALFORMED");
  rejects("P-256 public", () => publicKeyInfo(pem(p256.publicKey, "spki")), "KEY_MALFORMED");
  rejects("RSA private", () => publicKeyInfo(pem(rsa.privateKey, "pkcs8")), "KEY_MALFORMED");
  rejects("RSA signer", () => seal(files, info, [pem(rsa.privateKey, "pkcs8")]), "KEY_MALFORMED");
  rejects("P-256 signer", () => addSignature(sealed.envelopeJson, pem(p256.privateKey, "pkcs8")), "KEY_MALFORMED");
  rejects("public key as signer", () => seal(files, info, [pair.publicKeyPem]), "KEY_MALFORMED");
  rejects("private key in a trust root", () => trustInit([pair.privateKeyPem], 1), "KEY_MALFORMED");
  rejects("P-256 in a trust root", () => trustInit([pem(p256.publicKey, "spki")], 1), "KEY_MALFORMED");
  rejects("no signers", () => seal(files, info, []));
  rejects("threshold 0", () => trustInit([pair.publicKeyPem], 0), "TRUST_THRESHOLD_INVALID");
  rejects("threshold above key count", () => trustInit([pair.publicKeyPem], 2), "TRUST_THRESHOLD_INVALID");
  rejects("31-byte bundle key", () => bundleKeyId(new Uint8Array(31)), "KEY_MALFORMED");
  rejects("33-byte bundle key", () => seal(files, info, [pair.privateKeyPem], { key: new Uint8Array(33) }), "KEY_MALFORMED");
  rejects("segment size 100", () => seal(files, info, [pair.privateKeyPem], { key: bundleKeyGenerate().key, segmentSize: 100 }));
  assert.equal(publicKeyInfo(pair.privateKeyPem).keyid, pair.keyid);
});

test("garbage JSON and envelopes are refused with the right code", () => {
  for (const text of ["", "null", "[]", "{", "{}", '{"payload":1}', "\u0000".repeat(100), '{"payloadType":"x","payload":"","signatures":[]}']) {
    rejects(`envelope ${JSON.stringify(text).slice(0, 30)}`, () => verifyRelease(text, trust, policy));
    // A well-formed envelope of an unknown type is shown (inspect verifies nothing).
    if (!text.includes('"x"')) rejects(`inspect ${JSON.stringify(text).slice(0, 30)}`, () => inspect(text), "ENVELOPE_MALFORMED");
    const trustCode = text.includes('"x"') ? "PAYLOAD_TYPE_UNKNOWN" : "TRUST_ROOT_MALFORMED";
    rejects(`trust ${JSON.stringify(text).slice(0, 30)}`, () => verifyRelease(sealed.envelopeJson, text, policy), trustCode);
  }
  rejects("release envelope as a trust root", () => verifyRelease(sealed.envelopeJson, sealed.envelopeJson, policy));
  rejects("trust root as a release", () => verifyRelease(trust, trust, policy));
  rejects("lone surrogate in app", () => verifyRelease(sealed.envelopeJson, trust, { ...policy, app: "\ud800" }));
});

test("trust rotation: old AND new thresholds, exactly N+1, never backwards", () => {
  const a = keygen(), b = keygen(), c = keygen();
  const v1 = trustInit([a.publicKeyPem, b.publicKeyPem], 2);
  const rotation = trustRotate(v1, [b.publicKeyPem, c.publicKeyPem], 2, [a.privateKeyPem, b.privateKeyPem, c.privateKeyPem]);
  const v2 = trustApplyRotation(v1, rotation);
  assert.equal(JSON.parse(v2).version, 2);
  assert.deepEqual(JSON.parse(v2).keys.map((k) => k.keyid).sort(), [b.keyid, c.keyid].sort());
  rejects("replaying the rotation onto v2", () => trustApplyRotation(v2, rotation), "TRUST_ROOT_VERSION");
  rejects("a release envelope as a rotation", () => trustApplyRotation(v1, sealed.envelopeJson), "PAYLOAD_TYPE_UNKNOWN");
  rejects("rotation signed only by the new keys", () => trustRotate(v1, [c.publicKeyPem], 1, [c.privateKeyPem]), "SIGNATURE_THRESHOLD");
  // A release signed by the retired key a alone no longer verifies under v2.
  const byA = seal(files, info, [a.privateKeyPem]);
  rejects("retired key under v2", () => verifyRelease(byA.envelopeJson, v2, policy), "SIGNATURE_THRESHOLD");
  const byBC = seal(files, info, [b.privateKeyPem, c.privateKeyPem]);
  assert.equal(verifyRelease(byBC.envelopeJson, v2, policy).signedBy.length, 2);
});
