#!/usr/bin/env node
// otaseal CLI: a thin layer over the same wasm build the apps use (pkg/node).
// Exit codes: 0 valid / done, 1 rejected (error code and message printed), 2 usage or I/O error.
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { createHash } from "node:crypto";

const require = createRequire(import.meta.url);

const USAGE = 2;
const REJECTED = 1;

/** An error meant for the user: one line, no stack. */
class CliError extends Error {
  constructor(message, exitCode = USAGE, code = "USAGE") {
    super(message);
    this.exitCode = exitCode;
    this.code = code;
  }
}

// Codes that mean "an input file (key, trust root, argument) is unusable", not "the release
// was rejected".
const INPUT_CODES = new Set([
  "INVALID_ARGUMENT",
  "KEY_MALFORMED",
  "KEY_WEAK",
  "KEYID_MISMATCH",
  "TRUST_ROOT_MALFORMED",
  "TRUST_DUPLICATE_KEY",
  "TRUST_THRESHOLD_INVALID",
  "RANDOM_UNAVAILABLE",
]);

function loadWasm() {
  try {
    return require("../pkg/node/otaseal.js");
  } catch (e) {
    throw new CliError(`the wasm build is missing (pkg/node): run 'npm run build' first (${e.code ?? e.message})`);
  }
}

const HELP = {
  main: `otaseal — sign, encrypt and verify over-the-air web bundles for Capacitor apps

Usage: otaseal <command> [options]

Commands:
  keygen      create an Ed25519 signing key pair
  enckey      create a 256-bit bundle-encryption key
  trust init  create a trust root from public keys
  trust rotate  sign trust root N+1 with the old and the new keys
  seal        zip, hash, optionally encrypt and sign a release
  sign        add a signature to a manifest (k-of-n thresholds)
  verify      verify a manifest (and a bundle) like an app would
  inspect     show a manifest, trust root or bundle without trusting it

Run 'otaseal <command> --help' for a command's options.
Exit codes: 0 ok, 1 rejected (prints the error code), 2 usage or I/O error.`,
  keygen: `Usage: otaseal keygen --out DIR [--name NAME] [--json]

Writes NAME.key (PKCS#8 PEM, mode 0600) and NAME.pub (SPKI PEM) into DIR and prints the keyid
(lowercase hex SHA-256 of the raw public key). NAME defaults to "otaseal".`,
  enckey: `Usage: otaseal enckey --out FILE [--json]

Writes a new 256-bit bundle-encryption key (JSON, mode 0600) and prints its key id.`,
  "trust init": `Usage: otaseal trust init --key A.pub [--key B.pub ...] [--threshold K] [--version N] --out trust.json [--json]

Creates a trust root document: the keys allowed to sign releases and how many must (K, default 1).
Ship this file inside the app: it is the pinned root.`,
  "trust rotate": `Usage: otaseal trust rotate --from old.json --key NEW.pub [--key ...] [--threshold K]
                           --sign-with old.key [--sign-with new.key ...] --out new.json [--json]

Creates trust root N+1 as a signed envelope. It is accepted only when signed by a threshold of
the old root AND a threshold of the new one; this command checks that before writing.`,
  seal: `Usage: otaseal seal DIR|ZIP --app ID --version SEMVER [--channel C] [--platform ios|android|web ...]
                   [--min-native VER] [--expires DURATION|RFC3339] [--url URL]
                   --key SIGNING.key [--key ...] [--encrypt KEYFILE] [--segment-size BYTES]
                   --out OUTDIR [--json]

Writes OUTDIR/bundle.zip (or bundle.bin when encrypted) and OUTDIR/manifest.json (the DSSE
envelope). Defaults: channel "production", platforms ios and android, expires 30d.
DURATION is a number with s, m, h or d (e.g. 90d).`,
  sign: `Usage: otaseal sign MANIFEST --key K.key [--out FILE] [--json]

Adds a signature by K to the manifest envelope (in place unless --out is given).`,
  verify: `Usage: otaseal verify MANIFEST --trust trust.json --app ID [--channel C] [--platform P]
                     [--bundle FILE] [--decrypt KEYFILE] [--installed VER] [--native VER]
                     [--extract DIR] [--json]

Verifies the manifest as the app would (signatures, app, channel, platform, version, expiry).
With --bundle, streams the bundle through the opener (length, SHA-256, decryption, strict zip,
every file), in constant memory. With --extract, files are staged in a hidden directory beside
DIR and moved to DIR only after everything passed; DIR must not exist or be empty.
Defaults: channel "production"; without --platform the first platform the manifest lists is used.`,
  inspect: `Usage: otaseal inspect MANIFEST|TRUST|BUNDLE [--json]

Shows what a file claims, WITHOUT verifying it.`,
};

/** Minimal strict flag parser: --name value, repeated flags collect into arrays. */
function parseArgs(argv, spec) {
  const out = { _: [] };
  for (const [name, kind] of Object.entries(spec)) if (kind === "list") out[name] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      out._.push(arg);
      continue;
    }
    const name = arg.slice(2);
    const kind = spec[name];
    if (!kind) throw new CliError(`unknown option ${arg} (see --help)`);
    if (kind === "bool") {
      out[name] = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined || value.startsWith("--")) throw new CliError(`${arg} needs a value`);
    if (kind === "list") out[name].push(value);
    else if (out[name] !== undefined) throw new CliError(`${arg} given twice`);
    else out[name] = value;
  }
  return out;
}

function need(opts, name) {
  if (opts[name] === undefined || (Array.isArray(opts[name]) && opts[name].length === 0)) {
    throw new CliError(`--${name} is required (see --help)`);
  }
  return opts[name];
}

function readText(file, what) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new CliError(`cannot read ${what} ${file}: ${e.code ?? e.message}`);
  }
}

function readBytes(file, what) {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new CliError(`cannot read ${what} ${file}: ${e.code ?? e.message}`);
  }
}

function writeFile(file, data, mode = 0o644) {
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, data, { mode });
    fs.chmodSync(file, mode);
  } catch (e) {
    throw new CliError(`cannot write ${file}: ${e.code ?? e.message}`);
  }
}

function integer(text, what, min, max) {
  if (!/^[0-9]+$/.test(text)) throw new CliError(`${what} must be a whole number, got ${JSON.stringify(text)}`);
  const n = Number(text);
  if (n < min || n > max) throw new CliError(`${what} must be ${min}..${max}, got ${n}`);
  return n;
}

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

function semver(text, what) {
  if (text !== undefined && !SEMVER.test(text)) {
    throw new CliError(`${what} must be a SemVer 2.0 version like 1.2.3, got ${JSON.stringify(text)}`);
  }
  return text;
}

/** "30d", "12h", "90m", "3600s" or an RFC 3339 UTC time → Unix seconds. */
function expiry(text, now) {
  const m = /^([0-9]+)([smhd])$/.exec(text);
  if (m) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[m[2]];
    const secs = Number(m[1]) * unit;
    if (secs <= 0) throw new CliError(`--expires must be in the future, got ${text}`);
    return now + secs;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(text)) {
    const t = Date.parse(text);
    if (!Number.isNaN(t)) return Math.floor(t / 1000);
  }
  throw new CliError(`--expires must be a duration (90d, 12h, 30m, 60s) or YYYY-MM-DDTHH:MM:SSZ, got ${JSON.stringify(text)}`);
}

/** Reads a bundle-key file written by `otaseal enckey`. */
function readBundleKey(file) {
  let doc;
  try {
    doc = JSON.parse(readText(file, "key file"));
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${file} is not an otaseal bundle key file (not JSON)`);
  }
  if (doc?.type !== "otaseal-bundle-key" || typeof doc.key !== "string") {
    throw new CliError(`${file} is not an otaseal bundle key file (expected {"type":"otaseal-bundle-key",...})`);
  }
  const key = Buffer.from(doc.key, "base64");
  if (key.length !== 32 || key.toString("base64") !== doc.key) {
    throw new CliError(`${file}: the key must be 32 bytes of canonical base64`);
  }
  return new Uint8Array(key);
}

/**
 * Every regular file under dir, as archive paths. Symlinks and special files are refused. Names
 * are taken in Unicode NFC (macOS may report decomposed names); the core then applies the same
 * path and layout rules as to a zip (docs/FORMAT.md §6.2, §6.3), so two names that one device
 * file system would merge are refused, not silently overwritten.
 */
function readDirectory(dir) {
  const files = [];
  const io = (what, f) => {
    try {
      return f();
    } catch (e) {
      throw new CliError(`cannot read ${what}: ${e.code ?? e.message}`);
    }
  };
  const walk = (abs, rel) => {
    const entries = io(abs, () => fs.readdirSync(abs, { withFileTypes: true }));
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const childAbs = path.join(abs, entry.name);
      const name = entry.name.normalize("NFC");
      const childRel = rel ? `${rel}/${name}` : name;
      if (entry.isSymbolicLink()) throw new CliError(`${childAbs} is a symbolic link: bundles hold regular files only`);
      if (entry.isDirectory()) walk(childAbs, childRel);
      else if (entry.isFile()) files.push({ path: childRel, data: new Uint8Array(io(childAbs, () => fs.readFileSync(childAbs))) });
      else throw new CliError(`${childAbs} is not a regular file`);
    }
  };
  walk(dir, "");
  if (files.length === 0) throw new CliError(`${dir} holds no files`);
  return files;
}

/** What an input-zip refusal means for the publisher, by core code. */
const INPUT_ZIP_HINTS = {
  SIZE_MISMATCH: "deflate data is larger than its stated size, or ends before it: ",
  ZIP_INFLATE_FAILED: "",
  ZIP_HEADER_MISMATCH: "the zip's directory and its entries disagree: ",
  ZIP_CRC_MISMATCH: "an entry's content does not match its CRC-32: ",
  LAYOUT_REROOTED: "put index.html at the top of the zip (a lone top folder is removed for you): ",
  PATH_NOT_UTF8: "file names must be UTF-8: ",
};

/**
 * Reads the files of an input zip (the publisher's own build output, from any ordinary zip
 * tool) with the core's tolerant reader: headers, data descriptors, CRCs and sizes are checked
 * before a byte is used, and the result passes the install profile (docs/FORMAT.md §6.5).
 */
function readZip(w, buf) {
  try {
    return w.readInputZip(new Uint8Array(buf.buffer, buf.byteOffset, buf.length)).files;
  } catch (e) {
    if (e?.name !== "OtaError") throw e;
    throw new CliError(`input zip: ${e.code}: ${INPUT_ZIP_HINTS[e.code] ?? ""}${e.message}`);
  }
}

function out(json, human, value) {
  if (json) process.stdout.write(JSON.stringify(value, null, 2) + "\n");
  else process.stdout.write(human + "\n");
}

function cmdKeygen(w, argv) {
  const o = parseArgs(argv, { out: "one", name: "one", json: "bool" });
  const dir = need(o, "out");
  const name = o.name ?? "otaseal";
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new CliError(`--name must be letters, digits, . _ -`);
  const k = w.keygen();
  const keyFile = path.join(dir, `${name}.key`);
  const pubFile = path.join(dir, `${name}.pub`);
  if (fs.existsSync(keyFile)) throw new CliError(`${keyFile} exists: refusing to overwrite a private key`);
  writeFile(keyFile, k.privateKeyPem, 0o600);
  writeFile(pubFile, k.publicKeyPem, 0o644);
  out(o.json, `keyid ${k.keyid}\nprivate key: ${keyFile} (keep it secret)\npublic key:  ${pubFile}`, {
    keyid: k.keyid,
    privateKey: keyFile,
    publicKey: pubFile,
  });
}

function cmdEnckey(w, argv) {
  const o = parseArgs(argv, { out: "one", json: "bool" });
  const file = need(o, "out");
  if (fs.existsSync(file)) throw new CliError(`${file} exists: refusing to overwrite a key`);
  const k = w.bundleKeyGenerate();
  const doc = { type: "otaseal-bundle-key", keyId: k.keyId, key: Buffer.from(k.key).toString("base64") };
  writeFile(file, JSON.stringify(doc, null, 2) + "\n", 0o600);
  out(o.json, `key id ${k.keyId}\nkey: ${file} (keep it secret; the app needs it to decrypt)`, { keyId: k.keyId, file });
}

function cmdTrustInit(w, argv) {
  const o = parseArgs(argv, { key: "list", threshold: "one", version: "one", out: "one", json: "bool" });
  const keys = need(o, "key").map((f) => readText(f, "public key"));
  const threshold = integer(o.threshold ?? "1", "--threshold", 1, 1000);
  const version = integer(o.version ?? "1", "--version", 1, Number.MAX_SAFE_INTEGER);
  const doc = w.trustInit(keys, threshold, version);
  const file = need(o, "out");
  writeFile(file, doc + "\n");
  const keyids = keys.map((k) => w.publicKeyInfo(k).keyid);
  out(o.json, `trust root v${version}: ${threshold} of ${keys.length} key(s)\n${keyids.map((k) => `  ${k}`).join("\n")}\nwritten to ${file}`, {
    version,
    threshold,
    keyids,
    file,
  });
}

function cmdTrustRotate(w, argv) {
  const o = parseArgs(argv, { from: "one", key: "list", threshold: "one", "sign-with": "list", out: "one", json: "bool" });
  const old = readText(need(o, "from"), "trust root");
  const keys = need(o, "key").map((f) => readText(f, "public key"));
  const signers = need(o, "sign-with").map((f) => readText(f, "private key"));
  const threshold = integer(o.threshold ?? "1", "--threshold", 1, 1000);
  const env = w.trustRotate(old, keys, threshold, signers);
  const file = need(o, "out");
  writeFile(file, env + "\n");
  const info = w.inspect(env);
  out(o.json, `trust root v${info.trustRoot?.version}: ${threshold} of ${keys.length} key(s), signed by ${info.signatures.length} key(s)\nwritten to ${file}`, {
    version: info.trustRoot?.version,
    threshold,
    file,
  });
}

function cmdSeal(w, argv) {
  const o = parseArgs(argv, {
    app: "one",
    version: "one",
    channel: "one",
    platform: "list",
    "min-native": "one",
    expires: "one",
    url: "one",
    key: "list",
    encrypt: "one",
    "segment-size": "one",
    out: "one",
    json: "bool",
  });
  if (o._.length !== 1) throw new CliError("seal takes one DIR or ZIP (see --help)");
  const input = o._[0];
  let stat;
  try {
    stat = fs.statSync(input);
  } catch (e) {
    throw new CliError(`cannot read ${input}: ${e.code ?? e.message}`);
  }
  const files = stat.isDirectory() ? readDirectory(input) : readZip(w, readBytes(input, "zip"));
  const now = Math.floor(Date.now() / 1000);
  const info = {
    app: need(o, "app"),
    channel: o.channel ?? "production",
    platforms: o.platform.length ? o.platform : ["ios", "android"],
    version: semver(need(o, "version"), "--version"),
    minNativeVersion: semver(o["min-native"], "--min-native"),
    issuedAt: now,
    expiresAt: expiry(o.expires ?? "30d", now),
    url: o.url,
  };
  const keys = need(o, "key").map((f) => readText(f, "signing key"));
  const encryption = o.encrypt
    ? {
        key: readBundleKey(o.encrypt),
        segmentSize: o["segment-size"] ? integer(o["segment-size"], "--segment-size", 4096, 8 << 20) : undefined,
      }
    : null;
  const sealed = w.seal(files, info, keys, encryption);
  const dir = need(o, "out");
  const bundleFile = path.join(dir, encryption ? "bundle.bin" : "bundle.zip");
  writeFile(bundleFile, sealed.bundle);
  writeFile(path.join(dir, "manifest.json"), sealed.envelopeJson + "\n");
  const m = sealed.manifest;
  out(
    o.json,
    [
      `sealed ${m.app} ${m.version} (${m.channel}; ${m.platforms.join(", ")}), ${m.files.length} file(s)`,
      `bundle:   ${bundleFile} (${m.bundle.length} bytes, sha256 ${m.bundle.sha256})`,
      `zip sha256 (updater checksum): ${m.bundle.zipSha256}`,
      encryption ? `encrypted with key id ${m.encryption.keyId}` : "not encrypted",
      `expires:  ${m.expiresAt}`,
      `manifest: ${path.join(dir, "manifest.json")}`,
    ].join("\n"),
    { bundle: bundleFile, manifest: path.join(dir, "manifest.json"), release: m },
  );
}

function cmdSign(w, argv) {
  const o = parseArgs(argv, { key: "one", out: "one", json: "bool" });
  if (o._.length !== 1) throw new CliError("sign takes one MANIFEST (see --help)");
  const env = w.addSignature(readText(o._[0], "manifest"), readText(need(o, "key"), "signing key"));
  const file = o.out ?? o._[0];
  writeFile(file, env + "\n");
  const info = w.inspect(env);
  out(o.json, `${info.signatures.length} signature(s); written to ${file}`, {
    signatures: info.signatures.map((s) => s.keyid),
    file,
  });
}

function progressBar(total) {
  const tty = process.stderr.isTTY && total > 4 << 20;
  let last = -1;
  return (received) => {
    if (!tty) return;
    const pct = Math.floor((received * 100) / total);
    if (pct === last) return;
    last = pct;
    const width = 30;
    const done = Math.round((pct * width) / 100);
    process.stderr.write(`\r[${"#".repeat(done)}${".".repeat(width - done)}] ${pct}% ${received}/${total} bytes`);
    if (received >= total) process.stderr.write("\n");
  };
}

async function cmdVerify(w, argv) {
  const o = parseArgs(argv, {
    trust: "one",
    app: "one",
    channel: "one",
    platform: "one",
    bundle: "one",
    decrypt: "list",
    installed: "one",
    native: "one",
    extract: "one",
    json: "bool",
  });
  if (o._.length !== 1) throw new CliError("verify takes one MANIFEST (see --help)");
  const envelope = readText(o._[0], "manifest");
  const trust = readText(need(o, "trust"), "trust root");
  let platform = o.platform;
  if (!platform) {
    const claimed = w.inspect(envelope).manifest?.platforms ?? [];
    platform = claimed[0] ?? "web";
  }
  const policy = {
    app: need(o, "app"),
    channel: o.channel ?? "production",
    platform,
    installedVersion: semver(o.installed, "--installed"),
    nativeVersion: semver(o.native, "--native"),
    now: Math.floor(Date.now() / 1000),
  };
  const keys = o.decrypt.map(readBundleKey);
  if (o.extract && !o.bundle) throw new CliError("--extract needs --bundle");
  const report = { ok: false, checks: [] };
  const check = (name, detail) => report.checks.push({ check: name, detail });
  try {
    const release = w.verifyRelease(envelope, trust, policy);
    const m = release.manifest;
    check("signatures", `${release.signedBy.length} trusted signature(s): ${release.signedBy.join(", ")}`);
    check("app/channel/platform", `${m.app} / ${m.channel} / ${policy.platform}${o.platform ? "" : " (first listed; pass --platform to choose)"}`);
    check("version", `${m.version}${policy.installedVersion ? ` > installed ${policy.installedVersion}` : " (no --installed floor)"}`);
    check("native", m.minNativeVersion ? `needs ${m.minNativeVersion}, have ${policy.nativeVersion}` : "no minimum");
    check("validity", `issued ${m.issuedAt}, expires ${m.expiresAt}`);
    report.release = release;
    if (o.bundle) {
      // Files stream out as they are verified (to a staging directory with --extract, else
      // nowhere), so memory stays flat whatever the bundle size.
      const staging = o.extract ? new StagedExtract(o.extract) : null;
      const sink = staging ?? { startFile() {}, write() {}, endFile() {} };
      let opened;
      try {
        const opener = new w.SinkOpener(envelope, trust, policy, keys, sink);
        try {
          await streamFile(o.bundle, opener, progressBar(m.bundle.length));
          opened = opener.finish();
        } finally {
          opener.free?.();
        }
      } catch (e) {
        staging?.abort();
        throw e;
      }
      check("bundle", `${m.bundle.length} bytes, sha256 ${m.bundle.sha256}`);
      check("decryption", m.encryption ? `Tink AES-GCM-HKDF, key id ${m.encryption.keyId}` : "not encrypted");
      check("files", `${opened.manifest.files.length} file(s), every size and SHA-256 as signed`);
      report.files = opened.manifest.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 }));
      if (staging) {
        staging.commit();
        check("extract", `written to ${o.extract}`);
      }
    }
    report.ok = true;
  } catch (e) {
    if (e instanceof CliError || e?.name !== "OtaError") throw e;
    report.code = e.code;
    report.message = e.message;
    if (o.json) out(true, "", report);
    throw new CliError(`${e.code}: ${e.message}`, INPUT_CODES.has(e.code) ? USAGE : REJECTED, e.code);
  }
  out(o.json, ["VALID", ...report.checks.map((c) => `  ✓ ${c.check}: ${c.detail}`)].join("\n"), report);
}

/** Feeds a file to an opener in 1 MiB chunks. */
function streamFile(file, opener, onProgress) {
  return new Promise((resolve, reject) => {
    const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
    stream.on("data", (chunk) => {
      try {
        opener.push(chunk);
        onProgress(opener.progress().received);
      } catch (e) {
        stream.destroy();
        reject(e);
      }
    });
    stream.on("error", (e) => reject(new CliError(`cannot read bundle ${file}: ${e.code ?? e.message}`)));
    stream.on("end", resolve);
  });
}

/**
 * The `--extract` sink. Files arrive PENDING, so they go to a hidden staging directory beside
 * DIR; only `commit()` (after `finish()` verified the whole bundle) renames it to DIR, and
 * `abort()` deletes it. DIR must not exist or be empty, so old files never mix with new ones.
 */
class StagedExtract {
  constructor(dir) {
    this.dir = path.resolve(dir);
    let existing;
    try {
      existing = fs.readdirSync(this.dir);
    } catch (e) {
      if (e.code !== "ENOENT") throw new CliError(`cannot use --extract ${dir}: ${e.code ?? e.message}`);
    }
    if (existing?.length) throw new CliError(`--extract ${dir} exists and is not empty`);
    try {
      fs.mkdirSync(path.dirname(this.dir), { recursive: true });
      this.root = fs.mkdtempSync(path.join(path.dirname(this.dir), `.${path.basename(this.dir)}.otaseal-staging-`));
    } catch (e) {
      throw new CliError(`cannot create a staging directory for ${dir}: ${e.code ?? e.message}`);
    }
    this.fd = null;
    // Ctrl-C or a CI timeout must not leave pending (unverified) files behind.
    this.onSignal = (signal) => {
      this.abort();
      process.exit(signal === "SIGINT" ? 130 : 143);
    };
    process.once("SIGINT", this.onSignal);
    process.once("SIGTERM", this.onSignal);
  }
  startFile(name) {
    // The core already refuses unsafe paths; re-check that nothing lands outside the root.
    const target = path.resolve(this.root, name);
    if (!target.startsWith(this.root + path.sep)) throw new CliError(`refusing to write outside ${this.dir}: ${name}`);
    this.name = name;
    this.io(() => {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      this.fd = fs.openSync(target, "wx", 0o644);
    });
  }
  write(data) {
    this.io(() => {
      let off = 0;
      while (off < data.length) off += fs.writeSync(this.fd, data, off, data.length - off);
    });
  }
  endFile() {
    this.io(() => fs.closeSync(this.fd));
    this.fd = null;
  }
  /** A file-system failure is an I/O error (exit 2), not a rejection of the release. */
  io(action) {
    try {
      action();
    } catch (e) {
      throw new CliError(`cannot write ${this.name} under ${this.dir}: ${e.code ?? e.message}`);
    }
  }
  commit() {
    try {
      // mkdtemp makes the folder 0700; DIR gets the usual mode, as mkdir would give it.
      const umask = process.umask();
      fs.chmodSync(this.root, 0o777 & ~umask);
      if (fs.existsSync(this.dir)) fs.rmdirSync(this.dir);
      fs.renameSync(this.root, this.dir);
      this.stopListening();
    } catch (e) {
      this.abort();
      throw new CliError(`cannot move the verified files to ${this.dir}: ${e.code ?? e.message}`);
    }
  }
  abort() {
    try {
      if (this.fd !== null) fs.closeSync(this.fd);
    } catch {
      // Already closed or unusable; the directory goes anyway.
    }
    this.fd = null;
    fs.rmSync(this.root, { recursive: true, force: true });
    this.stopListening();
  }
  stopListening() {
    process.removeListener("SIGINT", this.onSignal);
    process.removeListener("SIGTERM", this.onSignal);
  }
}

function cmdInspect(w, argv) {
  const o = parseArgs(argv, { json: "bool" });
  if (o._.length !== 1) throw new CliError("inspect takes one file (see --help)");
  const bytes = readBytes(o._[0], "file");
  const text = bytes.toString("utf8");
  let info;
  if (text.trimStart().startsWith("{")) {
    if (JSON.parse(text)?._type) {
      info = { kind: "trust root document", document: JSON.parse(text) };
    } else {
      info = { kind: "envelope (UNVERIFIED)", ...w.inspect(text) };
    }
  } else {
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const kind =
      bytes.length >= 40 && bytes[0] === 0x28
        ? "encrypted bundle (Tink AES-GCM-HKDF stream)"
        : bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50
          ? "zip bundle"
          : "unknown bytes";
    info = { kind, length: bytes.length, sha256 };
  }
  out(o.json, JSON.stringify(info, null, 2), info);
}

async function main(argv) {
  const [cmd, sub] = argv;
  if (!cmd || cmd === "--help" || cmd === "-h" || cmd === "help") {
    console.log(HELP.main);
    return 0;
  }
  if (cmd === "--version") {
    console.log(JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")).version);
    return 0;
  }
  const twoWord = cmd === "trust" ? `trust ${sub ?? ""}`.trim() : cmd;
  const rest = argv.slice(cmd === "trust" ? 2 : 1);
  if (!HELP[twoWord] || twoWord === "main") {
    throw new CliError(cmd === "trust" ? "trust takes 'init' or 'rotate' (see --help)" : `unknown command ${cmd} (see --help)`);
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(HELP[twoWord]);
    return 0;
  }
  const w = loadWasm();
  const commands = {
    keygen: cmdKeygen,
    enckey: cmdEnckey,
    "trust init": cmdTrustInit,
    "trust rotate": cmdTrustRotate,
    seal: cmdSeal,
    sign: cmdSign,
    verify: cmdVerify,
    inspect: cmdInspect,
  };
  await commands[twoWord](w, rest);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof CliError) {
      process.stderr.write(`otaseal: ${e.exitCode === REJECTED ? "rejected: " : ""}${e.message}\n`);
      process.exit(e.exitCode);
    }
    // Only the core's own errors are verdicts; Node's (fs, zlib: also upper-case codes) are not.
    if (e?.name === "OtaError" && typeof e.code === "string") {
      process.stderr.write(`otaseal: ${e.code}: ${e.message}\n`);
      process.exit(INPUT_CODES.has(e.code) ? USAGE : REJECTED);
    }
    if (e instanceof SyntaxError) {
      process.stderr.write(`otaseal: not valid JSON: ${e.message}\n`);
      process.exit(USAGE);
    }
    process.stderr.write(`otaseal: internal error: ${e?.message ?? e}\n`);
    process.exit(USAGE);
  },
);
