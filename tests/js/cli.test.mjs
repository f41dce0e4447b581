// The otaseal CLI end to end: keygen → trust init → seal (plain and encrypted) → sign → verify →
// extract, trust rotation, and every rejection and usage path's exit code and message.
// Needs the package built (scripts/build.sh).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CLI = path.join(ROOT, "cli/otaseal.mjs");
const APP = "com.example.app";

let dir;
const p = (...parts) => path.join(dir, ...parts);

/** Runs the CLI; returns { status, stdout, stderr }. */
function cli(...args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A run that must succeed. */
function ok(...args) {
  const r = cli(...args);
  assert.equal(r.status, 0, `otaseal ${args.join(" ")} failed: ${r.stderr}`);
  return r;
}

/** A run that must fail with `status`, one clear stderr line containing `text`, no stack trace. */
function fails(status, text, ...args) {
  const r = cli(...args);
  assert.equal(r.status, status, `otaseal ${args.join(" ")}: expected exit ${status}, got ${r.status}\n${r.stderr}`);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `expected one stderr line, got:\n${r.stderr}`);
  assert.match(lines[0], /^otaseal: /);
  assert.ok(lines[0].includes(text), `stderr ${JSON.stringify(lines[0])} lacks ${JSON.stringify(text)}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "stack trace printed");
  return r;
}

const keyidOfPem = (pem) =>
  createHash("sha256").update(Buffer.from(createPublicKey(pem).export({ format: "jwk" }).x, "base64url")).digest("hex");

function writeApp(root) {
  fs.mkdirSync(path.join(root, "js"), { recursive: true });
  fs.mkdirSync(path.join(root, "assets/img"), { recursive: true });
  fs.writeFileSync(path.join(root, "index.html"), "<!doctype html><script src=js/app.js></script>\n");
  fs.writeFileSync(path.join(root, "js/app.js"), "console.log('v2');\n".repeat(5000));
  fs.writeFileSync(path.join(root, "assets/img/noise.bin"), randomBytes(300_000));
  fs.writeFileSync(path.join(root, "assets/empty.txt"), "");
}

function flipByte(src, dst, at) {
  const b = fs.readFileSync(src);
  b[at] ^= 0x01;
  fs.writeFileSync(dst, b);
}

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "otaseal-cli-"));
  writeApp(p("app"));
  ok("keygen", "--out", "keys", "--name", "a");
  ok("keygen", "--out", "keys", "--name", "b");
  ok("keygen", "--out", "keys", "--name", "c");
  ok("enckey", "--out", "keys/bundle.key");
  ok("enckey", "--out", "keys/other.key");
  ok("trust", "init", "--key", "keys/a.pub", "--key", "keys/b.pub", "--threshold", "2", "--out", "trust.json");
  ok("trust", "init", "--key", "keys/a.pub", "--out", "trust-a.json");
  ok("seal", "app", "--app", APP, "--version", "2.0.0", "--min-native", "4.0.0", "--key", "keys/a.key", "--out", "plain");
  ok("seal", "app", "--app", APP, "--version", "2.0.0", "--key", "keys/a.key", "--key", "keys/b.key",
    "--encrypt", "keys/bundle.key", "--segment-size", "65536", "--platform", "android", "--channel", "beta", "--out", "enc");
});

test("keygen writes a 0600 PKCS#8 key and an SPKI public key; the keyid is SHA-256 of the raw key", () => {
  const r = ok("keygen", "--out", "k2", "--json");
  const out = JSON.parse(r.stdout);
  assert.equal(fs.statSync(p("k2/otaseal.key")).mode & 0o777, 0o600);
  const pub = fs.readFileSync(p("k2/otaseal.pub"), "utf8");
  assert.match(pub, /^-----BEGIN PUBLIC KEY-----/);
  assert.match(fs.readFileSync(p("k2/otaseal.key"), "utf8"), /^-----BEGIN PRIVATE KEY-----/);
  assert.equal(out.keyid, keyidOfPem(pub));
  assert.match(ok("keygen", "--out", "k3").stdout, /^keyid [0-9a-f]{64}$/m);
  fails(2, "refusing to overwrite", "keygen", "--out", "k2");
  fails(2, "--name must be", "keygen", "--out", "k2", "--name", "../x");
});

test("enckey writes a 0600 key file with its key id", () => {
  const doc = JSON.parse(fs.readFileSync(p("keys/bundle.key"), "utf8"));
  assert.equal(fs.statSync(p("keys/bundle.key")).mode & 0o777, 0o600);
  assert.equal(doc.type, "otaseal-bundle-key");
  assert.equal(Buffer.from(doc.key, "base64").length, 32);
  assert.match(doc.keyId, /^[0-9a-f]{64}$/);
  fails(2, "refusing to overwrite", "enckey", "--out", "keys/bundle.key");
});

test("trust init lists the keys and threshold", () => {
  const doc = JSON.parse(fs.readFileSync(p("trust.json"), "utf8"));
  assert.equal(doc.threshold, 2);
  assert.equal(doc.version, 1);
  const ids = doc.keys.map((k) => k.keyid).sort();
  assert.deepEqual(ids, [keyidOfPem(fs.readFileSync(p("keys/a.pub"))), keyidOfPem(fs.readFileSync(p("keys/b.pub")))].sort());
  fails(2, "TRUST_THRESHOLD_INVALID", "trust", "init", "--key", "keys/a.pub", "--threshold", "2", "--out", "t.json");
  fails(2, "TRUST_DUPLICATE_KEY", "trust", "init", "--key", "keys/a.pub", "--key", "keys/a.pub", "--out", "t.json");
});

test("a 1-of-2 signed release is rejected until a second key signs it", () => {
  fails(1, "SIGNATURE_THRESHOLD", "verify", "plain/manifest.json", "--trust", "trust.json", "--app", APP, "--native", "5.0.0");
  fs.copyFileSync(p("plain/manifest.json"), p("plain/manifest2.json"));
  const r = ok("sign", "plain/manifest2.json", "--key", "keys/b.key", "--json");
  assert.equal(JSON.parse(r.stdout).signatures.length, 2);
  fails(2, "already signed", "sign", "plain/manifest2.json", "--key", "keys/b.key");
  const v = ok("verify", "plain/manifest2.json", "--trust", "trust.json", "--app", APP, "--native", "5.0.0",
    "--bundle", "plain/bundle.zip", "--json");
  const report = JSON.parse(v.stdout);
  assert.equal(report.ok, true);
  assert.equal(report.release.signedBy.length, 2);
  assert.equal(report.files.length, 4);
});

test("seal → verify → extract round-trips every file (plain and encrypted)", () => {
  ok("verify", "plain/manifest.json", "--trust", "trust-a.json", "--app", APP, "--native", "5.0.0",
    "--bundle", "plain/bundle.zip", "--installed", "1.0.0", "--extract", "out-plain");
  ok("verify", "enc/manifest.json", "--trust", "trust.json", "--app", APP, "--channel", "beta", "--platform", "android",
    "--bundle", "enc/bundle.bin", "--decrypt", "keys/other.key", "--decrypt", "keys/bundle.key", "--extract", "out-enc");
  for (const out of ["out-plain", "out-enc"]) {
    for (const f of ["index.html", "js/app.js", "assets/img/noise.bin", "assets/empty.txt"]) {
      assert.deepEqual(fs.readFileSync(p(out, f)), fs.readFileSync(p("app", f)), `${out}/${f}`);
    }
  }
  const human = ok("verify", "enc/manifest.json", "--trust", "trust.json", "--app", APP, "--channel", "beta",
    "--platform", "android", "--bundle", "enc/bundle.bin", "--decrypt", "keys/bundle.key").stdout;
  assert.match(human, /^VALID/);
  assert.match(human, /decryption: Tink AES-GCM-HKDF/);
});

test("a zip input seals to the same files", () => {
  // The deterministic bundle.zip of the plain release is itself a valid input zip.
  ok("seal", "plain/bundle.zip", "--app", APP, "--version", "2.0.1", "--key", "keys/a.key", "--out", "from-zip");
  assert.deepEqual(fs.readFileSync(p("from-zip/bundle.zip")), fs.readFileSync(p("plain/bundle.zip")));
});

test("policy rejections: exit 1 with the error code", () => {
  const base = ["verify", "plain/manifest.json", "--trust", "trust-a.json", "--native", "5.0.0"];
  fails(1, "APP_MISMATCH", ...base, "--app", "com.example.other");
  fails(1, "CHANNEL_MISMATCH", ...base, "--app", APP, "--channel", "beta");
  fails(1, "PLATFORM_MISMATCH", ...base, "--app", APP, "--platform", "web");
  fails(1, "DOWNGRADE", ...base, "--app", APP, "--installed", "2.0.0");
  fails(1, "DOWNGRADE", ...base, "--app", APP, "--installed", "3.0.0");
  fails(1, "NATIVE_TOO_OLD", "verify", "plain/manifest.json", "--trust", "trust-a.json", "--app", APP, "--native", "3.0.0");
  fails(1, "NATIVE_TOO_OLD", "verify", "plain/manifest.json", "--trust", "trust-a.json", "--app", APP);
  fails(1, "SIGNATURE_THRESHOLD", "verify", "plain/manifest.json", "--trust", "trust.json", "--app", APP, "--native", "5.0.0");
});

test("bundle rejections: exit 1 with the error code, nothing extracted", () => {
  const enc = ["verify", "enc/manifest.json", "--trust", "trust.json", "--app", APP, "--channel", "beta", "--platform", "android"];
  flipByte(p("enc/bundle.bin"), p("enc/flipped.bin"), 70_000);
  fails(1, "DECRYPT_TAG", ...enc, "--bundle", "enc/flipped.bin", "--decrypt", "keys/bundle.key", "--extract", "x1");
  assert.equal(fs.existsSync(p("x1")), false);
  const full = fs.readFileSync(p("enc/bundle.bin"));
  fs.writeFileSync(p("enc/short.bin"), full.subarray(0, full.length - 1));
  fails(1, "BUNDLE_TRUNCATED", ...enc, "--bundle", "enc/short.bin", "--decrypt", "keys/bundle.key", "--extract", "x2");
  assert.equal(fs.existsSync(p("x2")), false);
  fs.writeFileSync(p("enc/long.bin"), Buffer.concat([full, Buffer.from([0])]));
  fails(1, "BUNDLE_TOO_LONG", ...enc, "--bundle", "enc/long.bin", "--decrypt", "keys/bundle.key");
  fails(1, "DECRYPT_KEY_UNKNOWN", ...enc, "--bundle", "enc/bundle.bin");
  fails(1, "DECRYPT_KEY_UNKNOWN", ...enc, "--bundle", "enc/bundle.bin", "--decrypt", "keys/other.key");
  const plain = ["verify", "plain/manifest.json", "--trust", "trust-a.json", "--app", APP, "--native", "5.0.0"];
  flipByte(p("plain/bundle.zip"), p("plain/flipped.zip"), fs.statSync(p("plain/bundle.zip")).size - 30);
  const r = fails(1, "rejected: ", ...plain, "--bundle", "plain/flipped.zip", "--extract", "x3");
  assert.match(r.stderr, /rejected: [A-Z_]+: /);
  assert.equal(fs.existsSync(p("x3")), false);
  // The encrypted bundle is not the plain release's bundle.
  fails(1, "BUNDLE_", ...plain, "--bundle", "enc/bundle.bin");
  // Files were streamed to staging before the late failures; no staging directory is left.
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.includes("otaseal-staging")), []);
});

test("--extract refuses a non-empty or unusable DIR before reading the bundle", () => {
  const plain = ["verify", "plain/manifest.json", "--trust", "trust-a.json", "--app", APP, "--native", "5.0.0",
    "--bundle", "plain/bundle.zip"];
  fs.mkdirSync(p("full"), { recursive: true });
  fs.writeFileSync(p("full/old.txt"), "old");
  fails(2, "exists and is not empty", ...plain, "--extract", "full");
  assert.deepEqual(fs.readdirSync(p("full")), ["old.txt"]);
  fs.writeFileSync(p("a-file"), "x");
  fails(2, "cannot use --extract", ...plain, "--extract", "a-file");
  fails(2, "cannot use --extract", ...plain, "--extract", "a-file/sub");
  // An existing empty directory is fine; DIR gets the usual mode (not mkdtemp's 0700).
  fs.mkdirSync(p("empty-out"));
  ok(...plain, "--extract", "empty-out");
  assert.deepEqual(fs.readFileSync(p("empty-out/index.html")), fs.readFileSync(p("app/index.html")));
  ok(...plain, "--extract", "fresh-out");
  const umask = process.umask();
  assert.equal(fs.statSync(p("fresh-out")).mode & 0o777, 0o777 & ~umask);
});

test("SIGTERM during --extract removes the staged (unverified) files and exits 143", async () => {
  // The bundle arrives through a FIFO, so the run is caught mid-stream deterministically.
  execFileSync("mkfifo", [p("slow.zip")]);
  const child = spawn(process.execPath, [CLI, "verify", "plain/manifest.json", "--trust", "trust-a.json", "--app", APP,
    "--native", "5.0.0", "--bundle", "slow.zip", "--extract", "sig-out"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const writer = await fs.promises.open(p("slow.zip"), "w");
  const staged = () => fs.readdirSync(dir).filter((n) => n.startsWith(".sig-out.otaseal-staging-"));
  let code;
  try {
    const zip = fs.readFileSync(p("plain/bundle.zip"));
    await writer.write(zip.subarray(0, zip.length - 200)); // every file, not the central directory
    for (let i = 0; i < 500 && !(staged().length === 1 && fs.readdirSync(p(staged()[0])).length > 0); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(staged().length, 1, "files were being staged");
    child.kill("SIGTERM");
    // The handler removes the staging folder, then exits (which waits for the pending read).
    for (let i = 0; i < 500 && staged().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
  } finally {
    // EOF for the child's pending read: Node's exit waits for its thread pool.
    await writer.close();
    if (child.exitCode === null) setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    ({ code } = await exited);
  }
  assert.equal(code, 143);
  assert.deepEqual(staged(), []);
  assert.equal(fs.existsSync(p("sig-out")), false);
});

test("--json reports a rejection with ok:false and the code", () => {
  const r = cli("verify", "plain/manifest.json", "--trust", "trust-a.json", "--app", "com.example.other", "--json");
  assert.equal(r.status, 1);
  const report = JSON.parse(r.stdout);
  assert.equal(report.ok, false);
  assert.equal(report.code, "APP_MISMATCH");
  assert.ok(report.message.length > 0);
});

test("trust rotate needs the old AND the new threshold; the new root then governs", () => {
  ok("trust", "rotate", "--from", "trust.json", "--key", "keys/b.pub", "--key", "keys/c.pub", "--threshold", "2",
    "--sign-with", "keys/a.key", "--sign-with", "keys/b.key", "--sign-with", "keys/c.key", "--out", "trust-v2.json");
  fails(1, "SIGNATURE_THRESHOLD", "trust", "rotate", "--from", "trust.json", "--key", "keys/b.pub", "--key", "keys/c.pub",
    "--threshold", "2", "--sign-with", "keys/b.key", "--sign-with", "keys/c.key", "--out", "bad.json");
  fails(1, "SIGNATURE_THRESHOLD", "trust", "rotate", "--from", "trust.json", "--key", "keys/c.pub",
    "--sign-with", "keys/a.key", "--sign-with", "keys/b.key", "--out", "bad.json");
  assert.equal(fs.existsSync(p("bad.json")), false);
  const info = JSON.parse(ok("inspect", "trust-v2.json", "--json").stdout);
  assert.equal(info.trustRoot.version, 2);
  assert.equal(info.signatures.length, 3);
  // The encrypted release is signed by a and b: under v2 (b, c; 2 of 2) only b counts.
  fails(1, "SIGNATURE_THRESHOLD", "verify", "enc/manifest.json", "--trust", "trust-v2.json", "--app", APP,
    "--channel", "beta", "--platform", "android");
  ok("seal", "app", "--app", APP, "--version", "2.1.0", "--key", "keys/b.key", "--key", "keys/c.key", "--out", "v2rel");
  ok("verify", "v2rel/manifest.json", "--trust", "trust-v2.json", "--app", APP, "--bundle", "v2rel/bundle.zip");
});

test("inspect shows manifests, trust roots and bundles without trusting them", () => {
  const m = JSON.parse(ok("inspect", "enc/manifest.json", "--json").stdout);
  assert.equal(m.payloadType, "application/vnd.otaseal.manifest+json; version=1");
  assert.equal(m.manifest.version, "2.0.0");
  assert.equal(m.signatures.length, 2);
  assert.match(ok("inspect", "enc/manifest.json").stdout, /UNVERIFIED/);
  assert.equal(JSON.parse(ok("inspect", "enc/bundle.bin", "--json").stdout).kind, "encrypted bundle (Tink AES-GCM-HKDF stream)");
  assert.equal(JSON.parse(ok("inspect", "plain/bundle.zip", "--json").stdout).kind, "zip bundle");
  assert.equal(JSON.parse(ok("inspect", "trust.json", "--json").stdout).kind, "trust root document");
  fs.writeFileSync(p("empty"), "");
  assert.equal(JSON.parse(ok("inspect", "empty", "--json").stdout).kind, "unknown bytes");
});

test("--help on every command; usage errors exit 2 with one line", () => {
  assert.match(ok().stdout, /Usage: otaseal <command>/);
  assert.match(ok("--help").stdout, /Exit codes/);
  for (const c of [["keygen"], ["enckey"], ["trust", "init"], ["trust", "rotate"], ["seal"], ["sign"], ["verify"], ["inspect"]]) {
    assert.match(ok(...c, "--help").stdout, /^Usage: otaseal /, c.join(" "));
  }
  fails(2, "unknown command", "frobnicate");
  fails(2, "trust takes", "trust", "burn");
  fails(2, "unknown option --nope", "keygen", "--out", "x", "--nope");
  fails(2, "--out is required", "keygen");
  fails(2, "--out needs a value", "keygen", "--out");
  fails(2, "--app is required", "seal", "app", "--version", "1.0.0", "--key", "keys/a.key", "--out", "o");
  fails(2, "SemVer", "seal", "app", "--app", APP, "--version", "1.0", "--key", "keys/a.key", "--out", "o");
  fails(2, "SemVer", "verify", "plain/manifest.json", "--trust", "trust.json", "--app", APP, "--installed", "latest");
  fails(2, "--expires", "seal", "app", "--app", APP, "--version", "1.0.0", "--expires", "soon", "--key", "keys/a.key", "--out", "o");
  fails(2, "--segment-size", "seal", "app", "--app", APP, "--version", "1.0.0", "--key", "keys/a.key",
    "--encrypt", "keys/bundle.key", "--segment-size", "100", "--out", "o");
  fails(2, "--extract needs --bundle", "verify", "plain/manifest.json", "--trust", "trust.json", "--app", APP, "--extract", "o");
});

test("bad files: missing, corrupt PEM, wrong key types, not JSON, empty", () => {
  fails(2, "cannot read", "verify", "nope.json", "--trust", "trust.json", "--app", APP);
  fails(2, "cannot read", "seal", "no-such-dir", "--app", APP, "--version", "1.0.0", "--key", "keys/a.key", "--out", "o");
  fails(2, "cannot read", "seal", "app", "--app", APP, "--version", "1.0.0", "--key", "keys/none.key", "--out", "o");
  const pem = fs.readFileSync(p("keys/a.key"), "utf8");
  fs.writeFileSync(p("truncated.key"), pem.slice(0, pem.length - 30));
  fails(2, "KEY_MALFORMED", "seal", "app", "--app", APP, "--version", "1.0.0", "--key", "truncated.key", "--out", "o");
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  fs.writeFileSync(p("rsa.key"), rsa.privateKey.export({ type: "pkcs8", format: "pem" }));
  fs.writeFileSync(p("rsa.pub"), rsa.publicKey.export({ type: "spki", format: "pem" }));
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  fs.writeFileSync(p("p256.key"), ec.privateKey.export({ type: "pkcs8", format: "pem" }));
  fs.writeFileSync(p("p256.pub"), ec.publicKey.export({ type: "spki", format: "pem" }));
  fails(2, "KEY_MALFORMED", "seal", "app", "--app", APP, "--version", "1.0.0", "--key", "rsa.key", "--out", "o");
  fails(2, "KEY_MALFORMED", "seal", "app", "--app", APP, "--version", "1.0.0", "--key", "p256.key", "--out", "o");
  fails(2, "KEY_MALFORMED", "trust", "init", "--key", "rsa.pub", "--out", "t.json");
  fails(2, "KEY_MALFORMED", "trust", "init", "--key", "p256.pub", "--out", "t.json");
  fails(2, "KEY_MALFORMED", "trust", "init", "--key", "keys/a.key", "--out", "t.json");
  fails(2, "KEY_MALFORMED", "sign", "plain/manifest.json", "--key", "keys/a.pub");
  fs.writeFileSync(p("empty.json"), "");
  fails(1, "ENVELOPE_MALFORMED", "verify", "empty.json", "--trust", "trust.json", "--app", APP);
  fails(2, "TRUST_ROOT_MALFORMED", "verify", "plain/manifest.json", "--trust", "empty.json", "--app", APP);
  fails(2, "TRUST_ROOT_MALFORMED", "verify", "plain/manifest.json", "--trust", "keys/a.pub", "--app", APP);
  fails(2, "not an otaseal bundle key file", "verify", "enc/manifest.json", "--trust", "trust.json", "--app", APP, "--decrypt", "keys/a.key");
  fs.writeFileSync(p("bad.zip"), "PK\x03\x04 not really");
  fails(2, "input zip", "seal", "bad.zip", "--app", APP, "--version", "1.0.0", "--key", "keys/a.key", "--out", "o");
  // Hand-made input zips with a lying directory: exit 2 with a clear line, never a verdict.
  const zipOf = (body, { usize, csize = body.length, method = 8 }) => {
    const name = Buffer.from("a.txt");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(csize, 20);
    central.writeUInt32LE(usize, 24);
    central.writeUInt16LE(name.length, 28);
    const cdAt = local.length + name.length + body.length;
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(1, 8);
    end.writeUInt16LE(1, 10);
    end.writeUInt32LE(central.length + name.length, 12);
    end.writeUInt32LE(cdAt, 16);
    return Buffer.concat([local, name, body, central, name, end]);
  };
  const sealZip = (file, bytes) => {
    fs.writeFileSync(p(file), bytes);
    return fails(2, "input zip", "seal", file, "--app", APP, "--version", "1.0.0", "--key", "keys/a.key", "--out", "o");
  };
  const bomb = zlib.deflateRawSync(Buffer.alloc(10 << 20));
  assert.match(sealZip("bomb.zip", zipOf(bomb, { usize: 100 })).stderr, /larger than its stated size/);
  assert.match(sealZip("corrupt.zip", zipOf(Buffer.from([0xff, 0xff, 0xff]), { usize: 3 })).stderr, /corrupt/);
  assert.match(sealZip("past-end.zip", zipOf(Buffer.from("abc"), { usize: 3, csize: 1 << 20, method: 0 })).stderr, /past the end/);
  fs.mkdirSync(p("linked"));
  fs.writeFileSync(p("linked/index.html"), "x");
  fs.symlinkSync("/etc/passwd", p("linked/passwd"));
  fails(2, "symbolic link", "seal", "linked", "--app", APP, "--version", "1.0.0", "--key", "keys/a.key", "--out", "o");
  fs.mkdirSync(p("empty-dir"));
  fails(2, "holds no files", "seal", "empty-dir", "--app", APP, "--version", "1.0.0", "--key", "keys/a.key", "--out", "o");
  assert.equal(fs.existsSync(p("o")), false, "no output written by failed seals");
});

test("npx otaseal runs the package's bin in the repo", () => {
  const r = spawnSync("npx", ["--no-install", "otaseal", "--version"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version);
});

test("keygen and enckey never write through a symbolic link, dangling or not", () => {
  // A dangling link where the private key would go: today's existsSync() misses it and
  // writeFileSync() follows it, so the key lands in www/ (and a later `seal www` ships it).
  fs.mkdirSync(p("ln/www"), { recursive: true });
  fs.mkdirSync(p("ln/keys"));
  fs.symlinkSync("../www/leaked.key", p("ln/keys/otaseal.key"));
  fails(2, "symbolic link", "keygen", "--out", "ln/keys");
  assert.equal(fs.existsSync(p("ln/www/leaked.key")), false, "no key written through the dangling link");
  // A .pub link to an unrelated file: never overwritten, and no private key is left behind.
  fs.writeFileSync(p("ln/unrelated.txt"), "keep me");
  fs.mkdirSync(p("ln/k2"));
  fs.symlinkSync("../unrelated.txt", p("ln/k2/otaseal.pub"));
  fails(2, "refusing to overwrite", "keygen", "--out", "ln/k2");
  assert.equal(fs.readFileSync(p("ln/unrelated.txt"), "utf8"), "keep me");
  assert.equal(fs.existsSync(p("ln/k2/otaseal.key")), false);
  // An output directory that is a link (keys -> www), or has one among its components.
  fs.symlinkSync("www", p("ln/keys-link"));
  fails(2, "symbolic link", "keygen", "--out", "ln/keys-link");
  fails(2, "symbolic link", "keygen", "--out", "ln/keys-link/sub");
  fails(2, "symbolic link", "enckey", "--out", "ln/keys-link/bundle.key");
  assert.deepEqual(fs.readdirSync(p("ln/www")), []);
  // enckey: a dangling link as the key file itself.
  fs.symlinkSync("../www/bundle.key", p("ln/keys/bundle.key"));
  fails(2, "refusing to overwrite", "enckey", "--out", "ln/keys/bundle.key");
  assert.equal(fs.existsSync(p("ln/www/bundle.key")), false);
  // The ordinary case still works, and creates missing directories.
  ok("keygen", "--out", "ln/fresh/keys");
  assert.equal(fs.statSync(p("ln/fresh/keys/otaseal.key")).mode & 0o777, 0o600);
  ok("enckey", "--out", "ln/fresh/keys/bundle.key");
  assert.equal(fs.statSync(p("ln/fresh/keys/bundle.key")).mode & 0o777, 0o600);
});

test("a bundle-key file whose keyId is not its key's id is refused (KEY_MALFORMED)", () => {
  const doc = JSON.parse(fs.readFileSync(p("keys/bundle.key"), "utf8"));
  const other = JSON.parse(fs.readFileSync(p("keys/other.key"), "utf8"));
  fs.writeFileSync(p("mislabelled.key"), JSON.stringify({ ...doc, keyId: other.keyId }, null, 2));
  const r = fails(2, "KEY_MALFORMED", "seal", "app", "--app", APP, "--version", "1.0.0", "--key", "keys/a.key",
    "--encrypt", "mislabelled.key", "--out", "mislabelled-out");
  assert.doesNotMatch(r.stderr, new RegExp(doc.key.slice(0, 12).replace(/[+/]/g, ".")), "the secret is not echoed");
  fails(2, "KEY_MALFORMED", "verify", "enc/manifest.json", "--trust", "trust.json", "--app", APP, "--channel", "beta",
    "--platform", "android", "--bundle", "enc/bundle.bin", "--decrypt", "mislabelled.key");
  fails(2, "KEY_MALFORMED", "config", "--trust", "trust.json", "--app", APP, "--bundle-key", "mislabelled.key", "--out", "cfg/x.ts");
  assert.equal(fs.existsSync(p("cfg/x.ts")), false);
  fs.writeFileSync(p("extra.key"), JSON.stringify({ ...doc, note: 1 }));
  fails(2, "KEY_MALFORMED", "config", "--trust", "trust.json", "--app", APP, "--bundle-key", "extra.key", "--out", "cfg/x.ts");
});

test("seal --out refuses foreign files and replaces only its own stale outputs", () => {
  ok("seal", "app", "--app", APP, "--version", "2.0.0", "--key", "keys/a.key", "--encrypt", "keys/bundle.key", "--out", "reseal-out");
  assert.ok(fs.existsSync(p("reseal-out/bundle.bin")));
  // Re-sealing unencrypted into the same directory: the old bundle.bin goes, not left beside bundle.zip.
  ok("seal", "app", "--app", APP, "--version", "2.0.0", "--key", "keys/a.key", "--out", "reseal-out");
  assert.deepEqual(fs.readdirSync(p("reseal-out")).sort(), ["bundle.zip", "manifest.json"]);
  fs.writeFileSync(p("reseal-out/notes.txt"), "mine");
  fails(2, "is not empty", "seal", "app", "--app", APP, "--version", "2.0.1", "--key", "keys/a.key", "--out", "reseal-out");
  assert.equal(fs.readFileSync(p("reseal-out/notes.txt"), "utf8"), "mine");
});

test("seal --exclude globs and a warning for dot-files that would ship", () => {
  writeApp(p("dotted"));
  fs.writeFileSync(p("dotted/.DS_Store"), "x");
  fs.writeFileSync(p("dotted/js/app.js.map"), "{}");
  fs.mkdirSync(p("dotted/node_modules/x"), { recursive: true });
  fs.writeFileSync(p("dotted/node_modules/x/i.js"), "1");
  fs.writeFileSync(p("dotted/assets/.env"), "SECRET=1");
  const warned = ok("seal", "dotted", "--app", APP, "--version", "2.0.0", "--key", "keys/a.key", "--out", "dotted-1");
  assert.match(warned.stderr, /warning: 2 dot-file\(s\) will ship in the bundle: \.DS_Store, assets\/\.env/);
  const r = ok("seal", "dotted", "--app", APP, "--version", "2.0.0", "--key", "keys/a.key", "--out", "dotted-2", "--json",
    "--exclude", ".*", "--exclude", "*.map", "--exclude", "node_modules");
  assert.equal(r.stderr, "");
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.release.files.map((f) => f.path).sort(), ["assets/empty.txt", "assets/img/noise.bin", "index.html", "js/app.js"]);
  assert.deepEqual(out.excluded.sort(), [".DS_Store", "assets/.env", "js/app.js.map", "node_modules/x/i.js"]);
  const paths = JSON.parse(ok("seal", "dotted", "--app", APP, "--version", "2.0.0", "--key", "keys/a.key", "--out", "dotted-3", "--json",
    "--exclude", "assets/**", "--exclude", "js/*.map", "--exclude", "node_modules/").stdout).release.files.map((f) => f.path);
  assert.deepEqual(paths.sort(), [".DS_Store", "index.html", "js/app.js"]);
  fails(2, "left no files", "seal", "dotted", "--app", APP, "--version", "2.0.0", "--key", "keys/a.key", "--out", "dotted-4", "--exclude", "**");
});

test("usage mistakes exit 2, also as JSON on stdout with --json; otaseal help CMD", () => {
  fails(2, "--platform must be one of android, ios, web", "seal", "app", "--app", APP, "--version", "1.0.0", "--platform", "windows",
    "--key", "keys/a.key", "--out", "o");
  fails(2, "--platform must be one of", "verify", "plain/manifest.json", "--trust", "trust-a.json", "--app", APP, "--platform", "windows");
  const r = cli("seal", "app", "--app", APP, "--version", "1.0", "--key", "keys/a.key", "--out", "o", "--json");
  assert.equal(r.status, 2);
  const report = JSON.parse(r.stdout);
  assert.equal(report.ok, false);
  assert.equal(report.exitCode, 2);
  assert.match(report.message, /SemVer/);
  const unknown = cli("verify", "--nope", "--json");
  assert.equal(unknown.status, 2);
  assert.match(JSON.parse(unknown.stdout).message, /unknown option --nope/);
  // A rejection with --json is one JSON document on stdout, not two.
  const rej = cli("verify", "plain/manifest.json", "--trust", "trust.json", "--app", APP, "--native", "5.0.0", "--json");
  assert.equal(rej.status, 1);
  assert.equal(JSON.parse(rej.stdout).code, "SIGNATURE_THRESHOLD");
  for (const c of [["seal"], ["trust", "init"], ["rollout"], ["reseal"], ["config"], ["verify"]]) {
    assert.equal(ok("help", ...c).stdout, ok(...c, "--help").stdout, c.join(" "));
  }
  assert.match(ok("help").stdout, /reseal/);
  fails(2, "unknown command", "help", "frobnicate");
  fails(2, "--percent must be a percentage", "rollout", "plain/manifest.json", "--trust", "trust-a.json", "--percent", "101", "--key", "keys/a.key");
  fails(2, "--rollout must be a percentage", "seal", "app", "--app", APP, "--version", "1.0.0", "--rollout", "ten", "--key", "keys/a.key", "--out", "o");
});

test("verify names the platform it checked; sizes are human-readable", () => {
  const r = JSON.parse(ok("verify", "plain/manifest.json", "--trust", "trust-a.json", "--app", APP, "--native", "5.0.0", "--json").stdout);
  assert.equal(r.platform, "ios");
  assert.equal(r.platformSource, "first listed in the manifest");
  const chosen = JSON.parse(ok("verify", "plain/manifest.json", "--trust", "trust-a.json", "--app", APP, "--native", "5.0.0",
    "--platform", "android", "--json").stdout);
  assert.equal(chosen.platform, "android");
  assert.equal(chosen.platformSource, "--platform");
  const human = ok("verify", "plain/manifest.json", "--trust", "trust-a.json", "--app", APP, "--native", "5.0.0", "--bundle", "plain/bundle.zip").stdout;
  assert.match(human, /bundle: \d+(\.\d)? KiB \(\d+ bytes\)/);
  assert.match(ok("seal", "app", "--app", APP, "--version", "2.0.0", "--key", "keys/a.key", "--out", "sizes").stdout, /\d+(\.\d)? KiB \(\d+ bytes\)/);
});

test("staged rollout: seal --rollout, verify --bucket, and rollout widens and halts with new signatures", () => {
  ok("seal", "app", "--app", APP, "--version", "2.2.0", "--rollout", "10%", "--key", "keys/a.key", "--key", "keys/b.key", "--out", "staged");
  const base = ["verify", "staged/manifest.json", "--trust", "trust.json", "--app", APP, "--platform", "ios", "--installed", "2.0.0"];
  ok(...base, "--bucket", "99999", "--bundle", "staged/bundle.zip");
  fails(1, "ROLLOUT_EXCLUDED", ...base, "--bucket", "100000");
  fails(1, "ROLLOUT_EXCLUDED", ...base); // no bucket: fail closed
  fails(2, "--bucket must be", ...base, "--bucket", "1000000");
  const before = JSON.parse(ok("inspect", "staged/manifest.json", "--json").stdout).manifest;
  assert.equal(before.rollout, 100000);
  // Hand-editing the fraction breaks the signatures: the host cannot widen it.
  const env = JSON.parse(fs.readFileSync(p("staged/manifest.json"), "utf8"));
  const payload = Buffer.from(env.payload, "base64").toString().replace('"rollout":100000', '"rollout":1000000');
  fs.writeFileSync(p("staged-edited.json"), JSON.stringify({ ...env, payload: Buffer.from(payload).toString("base64") }));
  fails(1, "SIGNATURE_THRESHOLD", "verify", "staged-edited.json", "--trust", "trust.json", "--app", APP, "--installed", "2.0.0", "--bucket", "500000");
  // Widening: a new signature over the same content; the second signer adds theirs.
  const w = JSON.parse(ok("rollout", "staged/manifest.json", "--trust", "trust.json", "--percent", "50", "--key", "keys/a.key", "--json").stdout);
  assert.equal(w.rolloutBefore, 100000);
  assert.equal(w.rollout, 500000);
  fails(1, "SIGNATURE_THRESHOLD", ...base, "--bucket", "400000");
  ok("sign", "staged/manifest.json", "--key", "keys/b.key");
  ok(...base, "--bucket", "400000", "--bundle", "staged/bundle.zip");
  const after = JSON.parse(ok("inspect", "staged/manifest.json", "--json").stdout).manifest;
  assert.deepEqual([after.version, after.bundle, after.files], [before.version, before.bundle, before.files]);
  // A manifest that does not verify is never re-signed.
  fails(1, "SIGNATURE_THRESHOLD", "rollout", "staged-edited.json", "--trust", "trust.json", "--percent", "100", "--key", "keys/a.key", "--out", "x.json");
  assert.equal(fs.existsSync(p("x.json")), false);
  // Halt: 0 % excludes every bucket; and a halted release can be resumed.
  assert.match(ok("rollout", "staged/manifest.json", "--trust", "trust.json", "--percent", "0", "--key", "keys/a.key", "--key", "keys/b.key").stdout, /halted/);
  fails(1, "ROLLOUT_EXCLUDED", ...base, "--bucket", "0");
  ok("rollout", "staged/manifest.json", "--trust", "trust.json", "--percent", "100", "--key", "keys/a.key", "--key", "keys/b.key");
  ok(...base, "--bundle", "staged/bundle.zip");
  assert.equal(JSON.parse(ok("inspect", "staged/manifest.json", "--json").stdout).manifest.rollout, null);
});

test("reseal withdraws by rolling forward to an earlier release's exact files and shows the diff", () => {
  writeApp(p("bad"));
  fs.copyFileSync(p("app/assets/img/noise.bin"), p("bad/assets/img/noise.bin"));
  fs.writeFileSync(p("bad/js/app.js"), "throw new Error('bad');\n");
  fs.writeFileSync(p("bad/new.js"), "1");
  ok("seal", "bad", "--app", APP, "--version", "2.1.0", "--channel", "beta", "--platform", "android", "--key", "keys/a.key",
    "--key", "keys/b.key", "--encrypt", "keys/bundle.key", "--segment-size", "65536", "--out", "bad-rel");
  const args = ["reseal", "--from", "enc/manifest.json", "--bundle", "enc/bundle.bin", "--trust", "trust.json", "--decrypt", "keys/bundle.key",
    "--against", "bad-rel/manifest.json", "--key", "keys/a.key", "--key", "keys/b.key"];
  fails(2, "must be newer than the withdrawn 2.1.0", ...args, "--version", "2.1.0", "--out", "w0");
  fails(2, "must be newer than the re-sealed 2.0.0", "reseal", "--from", "enc/manifest.json", "--bundle", "enc/bundle.bin", "--trust", "trust.json",
    "--decrypt", "keys/bundle.key", "--version", "1.9.0", "--key", "keys/a.key", "--out", "w0");
  // The good release must verify: a tampered bundle is refused, nothing is written.
  flipByte(p("enc/bundle.bin"), p("enc-flipped.bin"), 70_000);
  fails(1, "DECRYPT_", "reseal", "--from", "enc/manifest.json", "--bundle", "enc-flipped.bin", "--trust", "trust.json", "--decrypt", "keys/bundle.key",
    "--version", "2.1.1", "--key", "keys/a.key", "--out", "w1");
  assert.equal(fs.existsSync(p("w1/manifest.json")), false);
  const human = ok(...args, "--version", "2.1.1", "--out", "withdraw").stdout;
  assert.match(human, /withdrawing 2\.1\.0: installs on it \(and on 2\.0\.0\) take 2\.1\.1/);
  assert.match(human, /changed {3}js\/app\.js/);
  assert.match(human, /removed {3}new\.js/);
  assert.match(human, /unchanged 3 file\(s\)/);
  // Devices on the bad release take it; it holds exactly the good files, still encrypted.
  const v = JSON.parse(ok("verify", "withdraw/manifest.json", "--trust", "trust.json", "--app", APP, "--channel", "beta", "--platform", "android",
    "--installed", "2.1.0", "--bundle", "withdraw/bundle.bin", "--decrypt", "keys/bundle.key", "--json").stdout);
  const good = JSON.parse(ok("verify", "enc/manifest.json", "--trust", "trust.json", "--app", APP, "--channel", "beta", "--platform", "android",
    "--bundle", "enc/bundle.bin", "--decrypt", "keys/bundle.key", "--json").stdout);
  assert.deepEqual(v.files, good.files);
  assert.equal(v.release.manifest.bundle.zipSha256 !== undefined, true);
  assert.equal(v.release.manifest.encryption.segmentSize, 65536);
  assert.equal(v.release.manifest.version, "2.1.1");
});

test("config writes a typed module, JSON, and edits capacitor.config.json", () => {
  const r = JSON.parse(ok("config", "--trust", "trust.json", "--app", APP, "--channel", "beta", "--bundle-key", "keys/bundle.key",
    "--manifest-url", "https://updates.example.com/a/beta/manifest.json", "--out", "cfg/otaseal.config.mjs", "--json").stdout);
  assert.equal(r.trustVersion, 1);
  assert.equal(fs.statSync(p("cfg/otaseal.config.mjs")).mode & 0o777, 0o600, "a module with bundle keys is private");
  const cfg = execFileSync(process.execPath, ["--input-type=module", "-e",
    `import c from ${JSON.stringify(p("cfg/otaseal.config.mjs"))}; console.log(JSON.stringify({ ...c, decryptionKeys: c.decryptionKeys.map((k) => Buffer.from(k).toString("base64")), frozen: Object.isFrozen(c) }));`], { encoding: "utf8" });
  const c = JSON.parse(cfg);
  const keyDoc = JSON.parse(fs.readFileSync(p("keys/bundle.key"), "utf8"));
  assert.deepEqual([c.app, c.channel, c.frozen], [APP, "beta", true]);
  assert.deepEqual(c.decryptionKeys, [keyDoc.key]);
  assert.deepEqual(c.decryptionKeyIds, [keyDoc.keyId]);
  assert.equal(c.trust, fs.readFileSync(p("trust.json"), "utf8").trim());
  ok("config", "--trust", "trust-v2.json", "--app", APP, "--out", "cfg/c.json");
  const j = JSON.parse(fs.readFileSync(p("cfg/c.json"), "utf8"));
  assert.equal(j.channel, "production");
  assert.deepEqual(j.bundleKeys, []);
  fs.writeFileSync(p("capacitor.config.json"), JSON.stringify({ appId: APP, plugins: { CapacitorUpdater: { autoUpdate: true } } }));
  assert.match(ok("config", "--trust", "trust.json", "--app", APP, "--capacitor-config", "capacitor.config.json", "--out", "cfg/d.ts").stdout,
    /autoUpdate: true -> false/);
  assert.equal(JSON.parse(fs.readFileSync(p("capacitor.config.json"), "utf8")).plugins.CapacitorUpdater.autoUpdate, false);
  fails(2, "TRUST_ROOT_MALFORMED", "config", "--trust", "keys/a.pub", "--app", APP, "--out", "cfg/e.ts");
  fails(2, "--out must end in", "config", "--trust", "trust.json", "--app", APP, "--out", "cfg/e.txt");
  fails(2, "--app must be", "config", "--trust", "trust.json", "--app", "bad app", "--out", "cfg/e.ts");
});

// ---- issue 10: seal ZIP reads what ordinary tools write; seal DIR takes UTF-8 names ----------

const hasTool = (name) => spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
const signedPaths = (manifestFile) =>
  JSON.parse(Buffer.from(JSON.parse(fs.readFileSync(p(manifestFile), "utf8")).payload, "base64").toString("utf8"))
    .files.map((f) => f.path)
    .sort();

test("seal DIR: a UTF-8 file name (Schrift-ü.woff2) seals, verifies and extracts; a decomposed name is sealed as NFC", () => {
  const root = p("utf8-app");
  fs.mkdirSync(path.join(root, "fonts"), { recursive: true });
  fs.writeFileSync(path.join(root, "index.html"), "<!doctype html><link rel=preload href=fonts/Schrift-ü.woff2>\n");
  fs.writeFileSync(path.join(root, "fonts/Schrift-ü.woff2"), "wOF2 one");
  fs.writeFileSync(path.join(root, "fonts/Gro\u00dfe-e\u0301.woff2"), "wOF2 two"); // NFD on disk
  ok("seal", "utf8-app", "--app", APP, "--version", "2.0.0", "--key", "keys/a.key", "--out", "utf8-rel");
  assert.deepEqual(signedPaths("utf8-rel/manifest.json"), ["fonts/Gro\u00dfe-\u00e9.woff2", "fonts/Schrift-ü.woff2", "index.html"]);
  ok("verify", "utf8-rel/manifest.json", "--trust", "trust-a.json", "--app", APP, "--bundle", "utf8-rel/bundle.zip",
    "--extract", "utf8-out");
  assert.equal(fs.readFileSync(p("utf8-out/fonts/Schrift-ü.woff2"), "utf8"), "wOF2 one");
  assert.equal(fs.readFileSync(p("utf8-out/fonts/Gro\u00dfe-\u00e9.woff2"), "utf8"), "wOF2 two");
  // The sealed zip itself is a valid input zip (UTF-8 flag set) and seals to the same bytes.
  ok("seal", "utf8-rel/bundle.zip", "--app", APP, "--version", "2.0.0", "--key", "keys/a.key", "--out", "utf8-rel2");
  assert.deepEqual(fs.readFileSync(p("utf8-rel2/bundle.zip")), fs.readFileSync(p("utf8-rel/bundle.zip")));
});

test("seal DIR refuses what a device would install differently: Unicode case collisions, a re-rooted layout", () => {
  fs.mkdirSync(p("collide"), { recursive: true });
  fs.writeFileSync(p("collide/index.html"), "x");
  fs.writeFileSync(p("collide/\u00e9.js"), "a");
  fs.writeFileSync(p("collide/\u00c9.js"), "b");
  fails(1, "MANIFEST_DUPLICATE_PATH", "seal", "collide", "--app", APP, "--version", "1.0.0", "--key", "keys/a.key", "--out", "o");
  fs.mkdirSync(p("lonely/www"), { recursive: true });
  fs.writeFileSync(p("lonely/www/index.html"), "x");
  fails(1, "LAYOUT_REROOTED", "seal", "lonely", "--app", APP, "--version", "1.0.0", "--key", "keys/a.key", "--out", "o");
  fs.mkdirSync(p("macos/__MACOSX"), { recursive: true });
  fs.writeFileSync(p("macos/index.html"), "x");
  fs.writeFileSync(p("macos/__MACOSX/._index.html"), "x");
  fails(1, "PATH_RESERVED", "seal", "macos", "--app", APP, "--version", "1.0.0", "--key", "keys/a.key", "--out", "o");
  assert.equal(fs.existsSync(p("o")), false);
});

test("seal ZIP: zips from zip -r (top folder), jar, bsdtar (./) and Python (stream) seal and verify", () => {
  const src = p("tools-src");
  writeApp(path.join(src, "dist"));
  fs.writeFileSync(path.join(src, "dist/Schrift-ü.woff2"), "font");
  const want = ["Schrift-ü.woff2", "assets/empty.txt", "assets/img/noise.bin", "index.html", "js/app.js"];
  const pyStream = [
    "import os,sys,zipfile",
    "class W:",
    "  def __init__(s,f): s.f=f",
    "  def write(s,b): return s.f.write(b)",
    "  def flush(s): s.f.flush()",
    "z=zipfile.ZipFile(W(open(sys.argv[1],'wb')),'w',zipfile.ZIP_DEFLATED)",
    "for d,_,fs in sorted(os.walk('.')):",
    "  for f in sorted(fs):",
    "    q=os.path.join(d,f)[2:]",
    "    with z.open(q,'w') as o: o.write(open(q,'rb').read())",
    "z.close()",
  ].join("\n");
  const makers = [
    ["zip", "zip-top.zip", src, ["-q", "-r", "OUT", "dist"]],
    ["jar", "jar.zip", path.join(src, "dist"), ["cfM", "OUT", "."]],
    ["bsdtar", "bsdtar.zip", path.join(src, "dist"), ["--format", "zip", "-cf", "OUT", "."]],
    ["python3", "py-stream.zip", path.join(src, "dist"), ["-c", pyStream, "OUT"]],
  ];
  let ran = 0;
  for (const [tool, file, cwd, args] of makers) {
    if (!hasTool(tool)) continue;
    execFileSync(tool, args.map((a) => (a === "OUT" ? p(file) : a)), { cwd, stdio: "ignore" });
    const out = `rel-${file}`;
    ok("seal", file, "--app", APP, "--version", "2.0.0", "--key", "keys/a.key", "--out", out);
    assert.deepEqual(signedPaths(`${out}/manifest.json`), want, file);
    ok("verify", `${out}/manifest.json`, "--trust", "trust-a.json", "--app", APP, "--bundle", `${out}/bundle.zip`,
      "--extract", `${out}-x`);
    assert.deepEqual(fs.readFileSync(p(`${out}-x/js/app.js`)), fs.readFileSync(path.join(src, "dist/js/app.js")), file);
    ran++;
  }
  assert.ok(ran >= 1, "no zip tool available");
});

test("seal ZIP refuses input zips a device would install differently, exit 2 with the core's code", () => {
  // index.html as a symlink, made by OS X (host 19): ZIPFoundation would create a link.
  const name = Buffer.from("index.html");
  const body = Buffer.from("app.js");
  const crc = zlib.crc32(body);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(body.length, 18);
  local.writeUInt32LE(body.length, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE((19 << 8) | 30, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(body.length, 20);
  central.writeUInt32LE(body.length, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt32LE((0o120777 << 16) >>> 0, 38);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(30 + name.length + body.length, 16);
  fs.writeFileSync(p("osx-link.zip"), Buffer.concat([local, name, body, central, name, end]));
  fails(2, "input zip: ZIP_SYMLINK", "seal", "osx-link.zip", "--app", APP, "--version", "1.0.0", "--key", "keys/a.key", "--out", "o");
  // A lone top folder beside a dot-file: Android and iOS would re-root differently.
  if (hasTool("zip")) {
    fs.mkdirSync(p("dotted/www"), { recursive: true });
    fs.writeFileSync(p("dotted/www/index.html"), "x");
    fs.writeFileSync(p("dotted/.DS_Store"), "x");
    execFileSync("zip", ["-q", "-r", p("dotted.zip"), "www", ".DS_Store"], { cwd: p("dotted"), stdio: "ignore" });
    fails(2, "input zip: LAYOUT_REROOTED", "seal", "dotted.zip", "--app", APP, "--version", "1.0.0", "--key", "keys/a.key", "--out", "o");
  }
  assert.equal(fs.existsSync(p("o")), false);
});
