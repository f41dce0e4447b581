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
  rollout     re-sign a release with a new staged-rollout fraction (widen, narrow, halt)
  reseal      withdraw a bad release: re-seal an earlier release's exact files as a newer version
  verify      verify a manifest (and a bundle) like an app would
  inspect     show a manifest, trust root or bundle without trusting it
  config      write what the app pins (trust root, bundle keys, app, channel) as a module

Run 'otaseal help <command>' or 'otaseal <command> --help' for a command's options.
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
                   [--min-native VER] [--expires DURATION|RFC3339] [--url URL] [--rollout PERCENT]
                   [--exclude GLOB ...] --key SIGNING.key [--key ...] [--encrypt KEYFILE]
                   [--segment-size BYTES] --out OUTDIR [--json]

Writes OUTDIR/bundle.zip (or bundle.bin when encrypted) and OUTDIR/manifest.json (the DSSE
envelope). OUTDIR must be empty or hold only these outputs of an earlier seal (they are
replaced; anything else is refused). Defaults: channel "production", platforms ios and
android, expires 30d, rollout 100%.
DURATION is a number with s, m, h or d (e.g. 90d). PERCENT is 0-100 with up to 4 decimals
(10, 0.5%); it is signed as parts per million (docs/FORMAT.md §3.7).
--exclude GLOB leaves matching files out: * and ? match within a path component, ** across
components; a GLOB without / is matched against every file and directory name (e.g. '*.map',
'.DS_Store'). Dot-files that would ship are warned about.`,
  rollout: `Usage: otaseal rollout MANIFEST --trust trust.json --percent PERCENT --key SIGNING.key [--key ...]
                      [--expires DURATION|RFC3339] [--out FILE] [--json]

Re-signs a release with a new staged-rollout fraction: same version, same bundle bytes, same
files, new issuedAt/expiresAt (default 30d). MANIFEST must verify against the trust root
first. Widen (10 -> 50 -> 100), narrow, or halt (0). Signatures are made only by --key;
further signers add theirs with 'otaseal sign'. Writes FILE (default: MANIFEST in place).`,
  reseal: `Usage: otaseal reseal --from GOOD/manifest.json --bundle GOOD/bundle.zip|bin --trust trust.json
                     --version SEMVER [--against BAD/manifest.json] [--decrypt KEYFILE]
                     [--encrypt KEYFILE] [--expires DURATION|RFC3339] [--url URL]
                     --key SIGNING.key [--key ...] --out OUTDIR [--json]

Withdraws a bad release by rolling forward: verifies the earlier good release (signatures,
bundle, every file; its expiry is not checked) and seals exactly its files again as SEMVER,
with its app, channel, platforms and minimum native version. SEMVER must be newer than the
good release and than --against (the release being withdrawn), so every install takes it.
Encrypted releases stay encrypted with the same key unless --encrypt names another.
Prints the file-level difference between --against and the new release.`,
  config: `Usage: otaseal config --trust trust.json --app ID [--channel C] [--bundle-key KEYFILE ...]
                     [--manifest-url URL] [--capacitor-config capacitor.config.json]
                     --out FILE.ts|FILE.js|FILE.json [--json]

Writes what the app pins, checked first: the trust root (must load), the bundle keys (each
key file's keyId must be its key's id), the app id and channel. FILE.ts/.js is a typed module
exporting 'otasealConfig' (bundle keys as Uint8Array); FILE.json the same as JSON (keys in
Base64). With --capacitor-config, sets plugins.CapacitorUpdater.autoUpdate to false there
(otaseal drives the updater) and reports a Capgo publicKey it finds.
A bundle key inside an app is not secret from whoever holds the app: it keeps bundles
unreadable on the host and on the way.`,
  sign: `Usage: otaseal sign MANIFEST --key K.key [--out FILE] [--json]

Adds a signature by K to the manifest envelope (in place unless --out is given).`,
  verify: `Usage: otaseal verify MANIFEST --trust trust.json --app ID [--channel C] [--platform P]
                     [--bundle FILE] [--decrypt KEYFILE] [--installed VER] [--native VER]
                     [--bucket N] [--extract DIR] [--json]

Verifies the manifest as the app would (signatures, app, channel, platform, version, expiry,
staged rollout with --bucket N).
With --bundle, streams the bundle through the opener (length, SHA-256, decryption, strict zip,
every file), in constant memory. With --extract, files are staged in a hidden directory beside
DIR and moved to DIR only after everything passed; DIR must not exist or be empty.
Defaults: channel "production"; without --platform the first platform the manifest lists is
checked, and named as such (report.platform, report.platformSource in --json).`,
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

const PLATFORMS = ["android", "ios", "web"];

/** A platform name the manifest can carry (docs/FORMAT.md §3.1); anything else is a usage error. */
function platform(text, what = "--platform") {
  if (!PLATFORMS.includes(text)) throw new CliError(`${what} must be one of ${PLATFORMS.join(", ")}, got ${JSON.stringify(text)}`);
  return text;
}

/** 1435 → "1.4 KiB (1435 bytes)". */
function size(n) {
  if (n < 1024) return `${n} bytes`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]} (${n} bytes)`;
}

const ROLLOUT_FULL = 1_000_000;

/** "10", "10%", "0.5%", "12.3456" → parts per million, exactly (no floating point). */
function percent(text, what = "--percent") {
  const m = /^(\d{1,3})(?:\.(\d{1,4}))?%?$/.exec(text);
  const ppm = m ? Number(m[1]) * 10_000 + Number((m[2] ?? "").padEnd(4, "0")) : NaN;
  if (!m || ppm > ROLLOUT_FULL) throw new CliError(`${what} must be a percentage 0-100 with up to 4 decimals (e.g. 10 or 0.5%), got ${JSON.stringify(text)}`);
  return ppm;
}

/** 100000 → "10%". */
function ppmText(ppm) {
  if (ppm === null || ppm === undefined) return "100% (every install)";
  const whole = Math.floor(ppm / 10_000);
  const frac = String(ppm % 10_000).padStart(4, "0").replace(/0+$/, "");
  return `${whole}${frac ? `.${frac}` : ""}%`;
}

/** A --exclude glob as a RegExp over archive paths. */
function globRegExp(glob) {
  if (!glob || glob.includes("\\")) throw new CliError(`--exclude needs a glob with / separators, got ${JSON.stringify(glob)}`);
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      i++;
      if (glob[i + 1] === "/") {
        i++;
        re += "(?:.*/)?";
      } else re += ".*";
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/**
 * Applies --exclude globs to the files read from DIR or ZIP. A glob without "/" matches any
 * path component (so 'node_modules' or '.DS_Store' leave whole subtrees or files out); one
 * with "/" matches the whole path, or a directory prefix of it.
 */
function excludeFiles(files, globs) {
  const rules = globs.map((g) => ({ g, re: globRegExp(g.replace(/\/+$/, "")), anywhere: !g.replace(/\/+$/, "").includes("/") }));
  const excluded = [];
  const kept = files.filter((f) => {
    const parts = f.path.split("/");
    const hit = rules.some(({ re, anywhere }) =>
      anywhere ? parts.some((c) => re.test(c)) : parts.some((_, i) => re.test(parts.slice(0, i + 1).join("/"))),
    );
    if (hit) excluded.push(f.path);
    return !hit;
  });
  return { kept, excluded };
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

/**
 * Reads a bundle-key file written by `otaseal enckey` (docs/FORMAT.md §5.9). The core's reader
 * (`bundleKeyFromFile`) refuses a file whose keyId is not its key's id: KEY_MALFORMED.
 */
function readBundleKey(file) {
  const w = loadWasm();
  if (w.bundleKeyFromFile) {
    const text = readText(file, "key file");
    try {
      return w.bundleKeyFromFile(text).key;
    } catch (e) {
      if (e?.name === "OtaError") throw new CliError(`${file}: ${e.code}: ${e.message}`, USAGE, e.code);
      throw e;
    }
  }
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

/** True when anything is at `file`, a dangling symbolic link included (existsSync follows links). */
function lexists(file) {
  try {
    fs.lstatSync(file);
    return true;
  } catch (e) {
    if (e.code === "ENOENT") return false;
    throw new CliError(`cannot use ${file}: ${e.code ?? e.message}`);
  }
}

/** A key file is never overwritten, and never written through a link (dangling or not). */
function refuseExisting(file) {
  if (!lexists(file)) return;
  const link = fs.lstatSync(file).isSymbolicLink();
  throw new CliError(`${file} exists${link ? " and is a symbolic link" : ""}: refusing to overwrite a key file or write through it`);
}

function out(json, human, value) {
  if (json) process.stdout.write(JSON.stringify(value, null, 2) + "\n");
  else process.stdout.write(human + "\n");
}

/**
 * Refuses a key output directory reached through a symbolic link: a link (say keys -> www)
 * would put a private key where a later `seal www` ships it. Every component of the path as
 * given is checked (for an absolute path, the components below the current directory when it
 * lies inside it, else the last one), then the directory is created if missing.
 */
function keyDirectory(dir) {
  const given = path.normalize(dir);
  const abs = path.resolve(given);
  const cwd = process.cwd();
  let parts;
  if (!path.isAbsolute(given)) parts = given.split(path.sep).filter((c) => c && c !== ".");
  else if (abs.startsWith(cwd + path.sep)) parts = abs.slice(cwd.length + 1).split(path.sep);
  else parts = null;
  const check = (p) => {
    let st;
    try {
      st = fs.lstatSync(p);
    } catch (e) {
      if (e.code === "ENOENT") return false;
      throw new CliError(`cannot use ${p}: ${e.code ?? e.message}`);
    }
    if (st.isSymbolicLink()) throw new CliError(`${p} is a symbolic link: refusing to write a key through it`);
    if (!st.isDirectory()) throw new CliError(`${p} is not a directory`);
    return true;
  };
  if (parts) {
    let at = path.isAbsolute(given) ? cwd : ".";
    for (const c of parts) {
      if (c === "..") {
        at = path.join(at, c);
        continue;
      }
      at = path.join(at, c);
      if (!check(at)) break;
    }
  } else check(abs);
  try {
    fs.mkdirSync(abs, { recursive: true });
  } catch (e) {
    throw new CliError(`cannot create ${dir}: ${e.code ?? e.message}`);
  }
  // Re-check after creating: nothing may have been swapped for a link meanwhile.
  if (parts) {
    let at = path.isAbsolute(given) ? cwd : ".";
    for (const c of parts) check((at = path.join(at, c)));
  } else check(abs);
}

/**
 * Creates a key file exclusively: O_CREAT|O_EXCL fails on any existing path, a dangling
 * symbolic link included, and O_NOFOLLOW refuses a link as the last component. A key is never
 * written through a link and never overwrites anything.
 */
function createKeyFile(file, data, mode) {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
  let fd;
  try {
    fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | (O_NOFOLLOW ?? 0), mode);
  } catch (e) {
    if (e.code === "EEXIST" || e.code === "ELOOP") {
      const link = (() => {
        try {
          return fs.lstatSync(file).isSymbolicLink();
        } catch {
          return false;
        }
      })();
      throw new CliError(`${file} exists${link ? " (a symbolic link)" : ""}: refusing to overwrite or write through it`);
    }
    throw new CliError(`cannot write ${file}: ${e.code ?? e.message}`);
  }
  try {
    fs.fchmodSync(fd, mode);
    const bytes = Buffer.from(data);
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw new CliError(`cannot write ${file}: ${e.code ?? e.message}`);
  }
  fs.closeSync(fd);
}

function cmdKeygen(w, argv) {
  const o = parseArgs(argv, { out: "one", name: "one", json: "bool" });
  const dir = need(o, "out");
  const name = o.name ?? "otaseal";
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new CliError(`--name must be letters, digits, . _ -`);
  const keyFile = path.join(dir, `${name}.key`);
  const pubFile = path.join(dir, `${name}.pub`);
  keyDirectory(dir);
  for (const f of [keyFile, pubFile]) refuseExisting(f);
  const k = w.keygen();
  createKeyFile(keyFile, k.privateKeyPem, 0o600);
  try {
    createKeyFile(pubFile, k.publicKeyPem, 0o644);
  } catch (e) {
    fs.rmSync(keyFile, { force: true });
    throw e;
  }
  out(o.json, `keyid ${k.keyid}\nprivate key: ${keyFile} (keep it secret)\npublic key:  ${pubFile}`, {
    keyid: k.keyid,
    privateKey: keyFile,
    publicKey: pubFile,
  });
}

function cmdEnckey(w, argv) {
  const o = parseArgs(argv, { out: "one", json: "bool" });
  const file = need(o, "out");
  keyDirectory(path.dirname(file));
  refuseExisting(file);
  const k = w.bundleKeyGenerate();
  // docs/FORMAT.md §5.9: the core reads it back (and checks the key id) before it is kept.
  const doc = { type: "otaseal-bundle-key", keyId: k.keyId, key: Buffer.from(k.key).toString("base64") };
  const text = JSON.stringify(doc, null, 2) + "\n";
  if (w.bundleKeyFromFile && w.bundleKeyFromFile(text).keyId !== k.keyId) throw new CliError("internal error: key file round trip");
  createKeyFile(file, text, 0o600);
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
    rollout: "one",
    exclude: "list",
    out: "one",
    json: "bool",
  });
  if (o._.length !== 1) throw new CliError("seal takes one DIR or ZIP (see --help)");
  o.platform.forEach((pl) => platform(pl));
  const rollout = o.rollout === undefined ? undefined : percent(o.rollout, "--rollout");
  const dir = need(o, "out");
  const stale = sealOutputDirectory(dir);
  const input = o._[0];
  let stat;
  try {
    stat = fs.statSync(input);
  } catch (e) {
    throw new CliError(`cannot read ${input}: ${e.code ?? e.message}`);
  }
  const read = stat.isDirectory() ? readDirectory(input) : readZip(w, readBytes(input, "zip"));
  const { kept: files, excluded } = excludeFiles(read, o.exclude);
  if (files.length === 0) throw new CliError(`--exclude left no files to seal`);
  const warnings = dotFileWarnings(files);
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
  if (rollout !== undefined && rollout < ROLLOUT_FULL) info.rollout = rollout;
  const keys = need(o, "key").map((f) => readText(f, "signing key"));
  const encryption = o.encrypt
    ? {
        key: readBundleKey(o.encrypt),
        segmentSize: o["segment-size"] ? integer(o["segment-size"], "--segment-size", 4096, 8 << 20) : undefined,
      }
    : null;
  const sealed = w.seal(files, info, keys, encryption);
  // Warn only about what will actually ship: a refused seal prints its one error line.
  for (const wn of warnings) process.stderr.write(`otaseal: warning: ${wn}\n`);
  const written = writeRelease(dir, sealed, stale);
  const m = sealed.manifest;
  out(
    o.json,
    [
      `sealed ${m.app} ${m.version} (${m.channel}; ${m.platforms.join(", ")}), ${m.files.length} file(s), ${size(m.files.reduce((a, f) => a + f.size, 0))}`,
      ...releaseLines(m, written),
      ...(excluded.length ? [`excluded: ${excluded.length} file(s): ${excluded.slice(0, 5).join(", ")}${excluded.length > 5 ? ", …" : ""}`] : []),
    ].join("\n"),
    { ...written, release: m, excluded, warnings },
  );
}

/** The lines every sealing command prints about a release. */
function releaseLines(m, written) {
  return [
    `bundle:   ${written.bundle} (${size(m.bundle.length)}, sha256 ${m.bundle.sha256})`,
    `zip sha256 (updater checksum): ${m.bundle.zipSha256}`,
    m.encryption ? `encrypted with key id ${m.encryption.keyId}` : "not encrypted",
    `rollout:  ${ppmText(m.rollout)}`,
    `expires:  ${m.expiresAt}`,
    `manifest: ${written.manifest}`,
  ];
}

const SEAL_OUTPUTS = ["bundle.zip", "bundle.bin", "manifest.json"];

/**
 * Checks OUTDIR before anything is sealed: missing or empty is fine; holding only earlier seal
 * outputs (bundle.zip, bundle.bin, manifest.json) means those are replaced (returned, removed
 * after the new ones are written); anything else is refused, so a new bundle.zip never sits
 * beside an old bundle.bin and no unrelated file is touched.
 */
function sealOutputDirectory(dir) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if (e.code === "ENOENT") return [];
    throw new CliError(`cannot use --out ${dir}: ${e.code ?? e.message}`);
  }
  const foreign = entries.filter((e) => !(SEAL_OUTPUTS.includes(e.name) && e.isFile()));
  if (foreign.length) {
    throw new CliError(`--out ${dir} is not empty (${foreign.map((e) => e.name).slice(0, 3).join(", ")}): use a new directory per release`);
  }
  return entries.map((e) => path.join(dir, e.name));
}

/** Writes bundle and manifest into OUTDIR, then removes stale outputs of an earlier seal. */
function writeRelease(dir, sealed, stale) {
  const bundle = path.join(dir, sealed.manifest.encryption ? "bundle.bin" : "bundle.zip");
  const manifest = path.join(dir, "manifest.json");
  writeFile(bundle, sealed.bundle);
  writeFile(manifest, sealed.envelopeJson + "\n");
  for (const f of stale) if (f !== bundle && f !== manifest) fs.rmSync(f, { force: true });
  return { bundle, manifest };
}

/** Dot-files (.DS_Store, .env, .git/…) that are about to ship in a public bundle. */
function dotFileWarnings(files) {
  const dotted = files.filter((f) => f.path.split("/").some((c) => c.startsWith(".") && c !== ".well-known"));
  if (dotted.length === 0) return [];
  const names = dotted.map((f) => f.path);
  return [
    `${names.length} dot-file(s) will ship in the bundle: ${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""} (leave them out with --exclude '.*' or --exclude .DS_Store)`,
  ];
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
    process.stderr.write(`\r[${"#".repeat(done)}${".".repeat(width - done)}] ${pct}% of ${size(total)}   `);
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
    bucket: "one",
    extract: "one",
    json: "bool",
  });
  if (o._.length !== 1) throw new CliError("verify takes one MANIFEST (see --help)");
  if (o.platform !== undefined) platform(o.platform);
  const bucket = o.bucket === undefined ? undefined : integer(o.bucket, "--bucket", 0, ROLLOUT_FULL - 1);
  const envelope = readText(o._[0], "manifest");
  const trust = readText(need(o, "trust"), "trust root");
  let checkedPlatform = o.platform;
  if (!checkedPlatform) {
    let claimed = [];
    try {
      claimed = w.inspect(envelope).manifest?.platforms ?? [];
    } catch {
      // Unreadable: verification below names the error.
    }
    checkedPlatform = claimed[0] ?? "web";
  }
  const policy = {
    app: need(o, "app"),
    channel: o.channel ?? "production",
    platform: checkedPlatform,
    installedVersion: semver(o.installed, "--installed"),
    nativeVersion: semver(o.native, "--native"),
    now: Math.floor(Date.now() / 1000),
  };
  if (bucket !== undefined) policy.rolloutBucket = bucket;
  const keys = o.decrypt.map(readBundleKey);
  if (o.extract && !o.bundle) throw new CliError("--extract needs --bundle");
  // The platform actually checked is always named: without --platform it is the first one the
  // (not yet verified) manifest lists, which says nothing about the platform you care about.
  const report = { ok: false, platform: checkedPlatform, platformSource: o.platform ? "--platform" : "first listed in the manifest", checks: [] };
  const check = (name, detail) => report.checks.push({ check: name, detail });
  try {
    const release = w.verifyRelease(envelope, trust, policy);
    const m = release.manifest;
    check("signatures", `${release.signedBy.length} trusted signature(s): ${release.signedBy.join(", ")}`);
    check("app/channel/platform", `${m.app} / ${m.channel} / ${policy.platform}${o.platform ? "" : " (first listed; pass --platform to choose)"}`);
    check("version", `${m.version}${policy.installedVersion ? ` > installed ${policy.installedVersion}` : " (no --installed floor)"}`);
    check("native", m.minNativeVersion ? `needs ${m.minNativeVersion}, have ${policy.nativeVersion}` : "no minimum");
    check("validity", `issued ${m.issuedAt}, expires ${m.expiresAt}`);
    check("rollout", m.rollout === null || m.rollout === undefined ? "every install" : `${ppmText(m.rollout)}: bucket ${bucket} is in`);
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
      check("bundle", `${size(m.bundle.length)}, sha256 ${m.bundle.sha256}`);
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
    const err = new CliError(`${e.code}: ${e.message}`, INPUT_CODES.has(e.code) ? USAGE : REJECTED, e.code);
    err.reported = Boolean(o.json);
    throw err;
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

const MANIFEST_TYPE = "application/vnd.otaseal.manifest+json; version=1";
const MANIFEST_ORDER = ["formatVersion", "app", "channel", "platforms", "version", "minNativeVersion", "issuedAt", "expiresAt", "rollout", "bundle", "encryption", "files"];

/** SemVer 2.0 §11 precedence: -1, 0, 1 (build metadata ignored). */
function compareSemver(a, b) {
  const pa = SEMVER.exec(a);
  const pb = SEMVER.exec(b);
  for (let i = 1; i <= 3; i++) {
    const d = BigInt(pa[i]) - BigInt(pb[i]);
    if (d !== 0n) return d < 0n ? -1 : 1;
  }
  if (!pa[4] || !pb[4]) return pa[4] ? -1 : pb[4] ? 1 : 0;
  const xa = pa[4].split(".");
  const xb = pb[4].split(".");
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    if (xa[i] === undefined) return -1;
    if (xb[i] === undefined) return 1;
    const na = /^\d+$/.test(xa[i]);
    const nb = /^\d+$/.test(xb[i]);
    if (na && nb) {
      const d = BigInt(xa[i]) - BigInt(xb[i]);
      if (d !== 0n) return d < 0n ? -1 : 1;
    } else if (na !== nb) return na ? -1 : 1;
    else if (xa[i] !== xb[i]) return xa[i] < xb[i] ? -1 : 1;
  }
  return 0;
}

/** Runs a core call; its OtaError becomes a CLI error with the core's code and exit status. */
function coreCall(what, f) {
  try {
    return f();
  } catch (e) {
    if (e?.name !== "OtaError") throw e;
    throw new CliError(`${what}: ${e.code}: ${e.message}`, INPUT_CODES.has(e.code) ? USAGE : REJECTED, e.code);
  }
}

/** Verifies a release envelope's signatures and schema (steps 1-12) against a trust root, at `now`. */
function verifySigned(w, file, envelope, trust, now) {
  let claimed;
  try {
    claimed = w.inspect(envelope).manifest;
  } catch (e) {
    if (e?.name === "OtaError") throw new CliError(`${file}: ${e.code}: ${e.message}`, REJECTED, e.code);
    throw e;
  }
  if (!claimed) throw new CliError(`${file} is not a release manifest envelope`, REJECTED, "PAYLOAD_TYPE_UNKNOWN");
  // Bucket 0 is inside every rollout but a halted one (0 %).
  const policy = {
    app: claimed.app,
    channel: claimed.channel,
    platform: claimed.platforms[0],
    now: now ?? Math.floor(Date.parse(claimed.issuedAt) / 1000),
    rolloutBucket: 0,
  };
  try {
    return { release: w.verifyRelease(envelope, trust, policy), policy };
  } catch (e) {
    // The rollout is the last policy step (12a): refused only by it, everything else passed.
    // A halted release can be re-signed (resumed) like any other.
    if (e?.name === "OtaError" && e.code === "ROLLOUT_EXCLUDED" && claimed.rollout === 0) {
      return { release: { manifest: claimed, signedBy: [] }, policy, halted: true };
    }
    return coreCall(file, () => {
      throw e;
    });
  }
}

/** A manifest object → the compact payload, members in the order of docs/FORMAT.md §3. */
function manifestPayload(m) {
  const known = new Set(MANIFEST_ORDER);
  for (const k of Object.keys(m)) if (!known.has(k)) throw new CliError(`manifest member ${k} is unknown to this CLI: refusing to re-sign it`);
  const ordered = {};
  for (const k of MANIFEST_ORDER) if (m[k] !== undefined) ordered[k] = m[k];
  return JSON.stringify(ordered);
}

/** A new envelope around `payload`, signed by every key (the core validates the manifest first). */
function signPayload(w, payload, keyPems) {
  let env = JSON.stringify({ payloadType: MANIFEST_TYPE, payload: Buffer.from(payload, "utf8").toString("base64"), signatures: [] }, null, 2);
  for (const pem of keyPems) env = coreCall("signing", () => w.addSignature(env, pem));
  return env;
}

function cmdRollout(w, argv) {
  const o = parseArgs(argv, { trust: "one", percent: "one", key: "list", expires: "one", out: "one", json: "bool" });
  if (o._.length !== 1) throw new CliError("rollout takes one MANIFEST (see --help)");
  const ppm = percent(need(o, "percent"));
  const keys = need(o, "key").map((f) => readText(f, "signing key"));
  const file = o._[0];
  const envelope = readText(file, "manifest");
  const trust = readText(need(o, "trust"), "trust root");
  const now = Math.floor(Date.now() / 1000);
  const expiresAt = expiry(o.expires ?? "30d", now);
  // Only what a threshold of the trust root signed is re-signed: a signer never re-signs a
  // manifest it has not checked.
  const { release } = verifySigned(w, file, envelope, trust, now);
  const before = release.manifest.rollout;
  const payload = JSON.parse(Buffer.from(JSON.parse(envelope).payload, "base64").toString("utf8"));
  payload.issuedAt = new Date(now * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  payload.expiresAt = new Date(expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  if (ppm >= ROLLOUT_FULL) delete payload.rollout;
  else payload.rollout = ppm;
  const env = signPayload(w, manifestPayload(payload), keys);
  const m = w.inspect(env).manifest;
  // Same release, only the fraction and the validity window changed.
  if (m.version !== release.manifest.version || m.bundle.sha256 !== release.manifest.bundle.sha256 || m.bundle.zipSha256 !== release.manifest.bundle.zipSha256) {
    throw new CliError("internal error: the re-signed manifest names other content");
  }
  const target = o.out ?? file;
  writeFile(target, env + "\n");
  const verb = ppm === 0 ? "halted" : ppm > (before ?? ROLLOUT_FULL) ? "widened" : ppm < (before ?? ROLLOUT_FULL) ? "narrowed" : "re-signed";
  out(
    o.json,
    [
      `${verb} ${m.app} ${m.version}: rollout ${ppmText(before)} -> ${ppmText(m.rollout)}`,
      `same bundle: sha256 ${m.bundle.sha256}`,
      `signed by ${keys.length} key(s); issued ${m.issuedAt}, expires ${m.expiresAt}`,
      `manifest: ${target}`,
    ].join("\n"),
    { version: m.version, rolloutBefore: before ?? null, rollout: m.rollout, manifest: target, release: m },
  );
}

/** The file-level difference between two manifests' file lists. */
function fileDiff(from, to) {
  const a = new Map(from.map((f) => [f.path, f]));
  const b = new Map(to.map((f) => [f.path, f]));
  const diff = { added: [], removed: [], changed: [], unchanged: [] };
  for (const [p, f] of b) {
    const old = a.get(p);
    if (!old) diff.added.push({ path: p, size: f.size });
    else if (old.sha256 !== f.sha256) diff.changed.push({ path: p, from: old.size, to: f.size });
    else diff.unchanged.push(p);
  }
  for (const [p, f] of a) if (!b.has(p)) diff.removed.push({ path: p, size: f.size });
  return diff;
}

async function cmdReseal(w, argv) {
  const o = parseArgs(argv, {
    from: "one",
    bundle: "one",
    trust: "one",
    version: "one",
    against: "one",
    decrypt: "list",
    encrypt: "one",
    expires: "one",
    url: "one",
    key: "list",
    out: "one",
    json: "bool",
  });
  if (o._.length) throw new CliError("reseal takes no positional arguments (see --help)");
  const version = semver(need(o, "version"), "--version");
  const fromFile = need(o, "from");
  const envelope = readText(fromFile, "manifest");
  const trust = readText(need(o, "trust"), "trust root");
  const bundleFile = need(o, "bundle");
  const keys = need(o, "key").map((f) => readText(f, "signing key"));
  const decrypt = o.decrypt.map((f) => ({ file: f, key: readBundleKey(f) }));
  const dir = need(o, "out");
  const stale = sealOutputDirectory(dir);
  let against = null;
  if (o.against) {
    try {
      against = w.inspect(readText(o.against, "manifest")).manifest;
    } catch (e) {
      if (e?.name === "OtaError") throw new CliError(`${o.against}: ${e.code}: ${e.message}`, USAGE, e.code);
      throw e;
    }
    if (!against) throw new CliError(`${o.against} is not a release manifest`);
  }

  // 1. The good release, checked as an app would at the time it was issued (its expiry is
  //    irrelevant: the content is what is re-published).
  const { release, policy, halted } = verifySigned(w, fromFile, envelope, trust);
  const good = release.manifest;
  if (halted) throw new CliError(`${fromFile} is halted (rollout 0%): re-seal from a release that was not stopped`);
  const files = new Map();
  let current;
  const sink = {
    startFile(p) {
      current = [];
      files.set(p, current);
    },
    write(data) {
      current.push(Buffer.from(data));
    },
    endFile() {},
  };
  const opener = coreCall(fromFile, () => new w.SinkOpener(envelope, trust, policy, decrypt.map((d) => d.key), sink));
  try {
    await streamFile(bundleFile, opener, () => {});
    coreCall(bundleFile, () => opener.finish());
  } catch (e) {
    if (e?.name === "OtaError") throw new CliError(`${bundleFile}: ${e.code}: ${e.message}`, REJECTED, e.code);
    throw e;
  } finally {
    opener.free?.();
  }

  // 2. The new version must be newer than both, or installs on either refuse it (DOWNGRADE).
  if (compareSemver(version, good.version) <= 0) throw new CliError(`--version ${version} must be newer than the re-sealed ${good.version}`);
  if (against && compareSemver(version, against.version) <= 0) {
    throw new CliError(`--version ${version} must be newer than the withdrawn ${against.version}, or installs on it refuse it (DOWNGRADE)`);
  }
  if (against && (against.app !== good.app || against.channel !== good.channel)) {
    throw new CliError(`--against is ${against.app}/${against.channel}, the good release ${good.app}/${good.channel}`);
  }

  // 3. Seal the same files under the new version; encrypted stays encrypted.
  let encryption = null;
  if (o.encrypt) encryption = { key: readBundleKey(o.encrypt), segmentSize: good.encryption?.segmentSize };
  else if (good.encryption) {
    const same = decrypt.find((d) => w.bundleKeyId(d.key) === good.encryption.keyId);
    encryption = { key: same.key, segmentSize: good.encryption.segmentSize };
  }
  if (encryption && encryption.segmentSize === undefined) delete encryption.segmentSize;
  const now = Math.floor(Date.now() / 1000);
  const info = {
    app: good.app,
    channel: good.channel,
    platforms: good.platforms,
    version,
    issuedAt: now,
    expiresAt: expiry(o.expires ?? "30d", now),
  };
  if (good.minNativeVersion) info.minNativeVersion = good.minNativeVersion;
  const url = o.url ?? undefined;
  if (url) info.url = url;
  const input = [...files].map(([p, chunks]) => ({ path: p, data: new Uint8Array(Buffer.concat(chunks)) }));
  const sealed = coreCall("sealing", () => w.seal(input, info, keys, encryption));
  const m = sealed.manifest;
  const same = fileDiff(good.files, m.files);
  if (same.added.length || same.removed.length || same.changed.length) throw new CliError("internal error: the re-sealed files differ from the good release");
  const written = writeRelease(dir, sealed, stale);

  const diff = against ? fileDiff(against.files, m.files) : null;
  const lines = [
    `verified ${good.app} ${good.version}: ${release.signedBy.length} trusted signature(s), bundle and ${good.files.length} file(s) as signed (expiry not checked)`,
    against
      ? `withdrawing ${against.version}: installs on it (and on ${good.version}) take ${version}, which holds exactly the files of ${good.version}`
      : `re-sealed the files of ${good.version} as ${version}`,
  ];
  if (diff) {
    lines.push(`changes from ${against.version} to ${version}:`);
    for (const c of diff.changed) lines.push(`  changed   ${c.path} (${size(c.from)} -> ${size(c.to)})`);
    for (const c of diff.removed) lines.push(`  removed   ${c.path}`);
    for (const c of diff.added) lines.push(`  restored  ${c.path}`);
    lines.push(`  unchanged ${diff.unchanged.length} file(s)`);
  }
  lines.push(`sealed ${m.app} ${m.version} (${m.channel}; ${m.platforms.join(", ")}), ${m.files.length} file(s)`, ...releaseLines(m, written));
  out(o.json, lines.join("\n"), { ...written, from: good.version, against: against?.version ?? null, diff, release: m });
}

/** Loads a pinned trust root with the core's own loader; returns what it says about itself. */
function loadTrust(w, file) {
  const text = readText(file, "trust root");
  try {
    // The trust root is loaded before the envelope is read: ENVELOPE_MALFORMED means it loaded.
    w.verifyRelease("{}", text, { app: "x", channel: "x", platform: "web", now: 0 });
  } catch (e) {
    if (e?.name !== "OtaError") throw e;
    if (e.code !== "ENVELOPE_MALFORMED") throw new CliError(`${file}: ${e.code}: ${e.message}`, USAGE, e.code);
  }
  let doc = JSON.parse(text);
  if (doc.payloadType) doc = JSON.parse(Buffer.from(doc.payload, "base64").toString("utf8"));
  return { text: text.trim(), version: doc.version, threshold: doc.threshold, keyids: doc.keys.map((k) => k.keyid) };
}

const IDENT = /^[A-Za-z0-9._-]{1,255}$/;

function cmdConfig(w, argv) {
  const o = parseArgs(argv, {
    trust: "one",
    app: "one",
    channel: "one",
    "bundle-key": "list",
    "manifest-url": "one",
    "capacitor-config": "one",
    out: "one",
    json: "bool",
  });
  if (o._.length) throw new CliError("config takes no positional arguments (see --help)");
  const app = need(o, "app");
  const channel = o.channel ?? "production";
  if (!IDENT.test(app)) throw new CliError(`--app must be 1-255 characters of A-Z a-z 0-9 . - _`);
  if (!IDENT.test(channel) || channel.length > 64) throw new CliError(`--channel must be 1-64 characters of A-Z a-z 0-9 . - _`);
  const manifestUrl = o["manifest-url"] ?? null;
  if (manifestUrl !== null && !/^https:\/\/[^\s]+$/.test(manifestUrl)) throw new CliError(`--manifest-url must be an https:// URL`);
  const trust = loadTrust(w, need(o, "trust"));
  const keys = o["bundle-key"].map((f) => {
    const text = readText(f, "bundle key");
    const k = coreCall(f, () => w.bundleKeyFromFile(text));
    return { keyId: k.keyId, key: Buffer.from(k.key).toString("base64") };
  });
  const file = need(o, "out");
  const ext = path.extname(file);
  if (![".ts", ".js", ".mjs", ".json"].includes(ext)) throw new CliError(`--out must end in .ts, .js, .mjs or .json`);
  const summary = `trust root v${trust.version}: ${trust.threshold} of ${trust.keyids.length} key(s); ${keys.length} bundle key(s)`;
  let text;
  if (ext === ".json") {
    text = JSON.stringify({ app, channel, manifestUrl, trust: trust.text, bundleKeys: keys }, null, 2) + "\n";
  } else {
    const ts = ext === ".ts";
    const lit = (v) => JSON.stringify(v);
    text = [
      `// Generated by \`otaseal config\`: what this app pins. Regenerate it, do not edit it.`,
      `// ${summary}.`,
      `// keyids: ${trust.keyids.join(", ") || "none"}`,
      ...(keys.length ? [`// bundle key ids: ${keys.map((k) => k.keyId).join(", ")}`] : []),
      ``,
      ...(keys.length
        ? [ts ? `const bytes = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));` : `const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));`, ``]
        : []),
      ...(ts
        ? [
            `export interface OtasealConfig {`,
            `  /** App id every release must name. */`,
            `  readonly app: string;`,
            `  /** Channel every release must name. */`,
            `  readonly channel: string;`,
            `  /** Where the channel's manifest is published, if given. */`,
            `  readonly manifestUrl: string | null;`,
            `  /** The pinned trust root (JSON text), as \`createUpdateClient({ trust })\` takes it. */`,
            `  readonly trust: string;`,
            `  /** Bundle-decryption keys (32 bytes each), as \`decryptionKeys\` takes them. */`,
            `  readonly decryptionKeys: readonly Uint8Array[];`,
            `  /** Their key ids (docs/FORMAT.md §5.6), in the same order. */`,
            `  readonly decryptionKeyIds: readonly string[];`,
            `}`,
            ``,
          ]
        : []),
      `export const otasealConfig${ts ? ": OtasealConfig" : ""} = Object.freeze({`,
      `  app: ${lit(app)},`,
      `  channel: ${lit(channel)},`,
      `  manifestUrl: ${lit(manifestUrl)},`,
      `  trust: ${lit(trust.text)},`,
      `  decryptionKeys: Object.freeze([${keys.map((k) => `bytes(${lit(k.key)})`).join(", ")}]),`,
      `  decryptionKeyIds: Object.freeze(${lit(keys.map((k) => k.keyId))}),`,
      `});`,
      ``,
      `export default otasealConfig;`,
      ``,
    ].join("\n");
  }
  let capacitor = null;
  if (o["capacitor-config"]) capacitor = updateCapacitorConfig(o["capacitor-config"]);
  writeFile(file, text, keys.length ? 0o600 : 0o644);
  out(
    o.json,
    [
      `wrote ${file}: ${app} / ${channel}, ${summary}`,
      ...(keys.length ? [`  it holds bundle keys: keep it out of public repositories (the built app carries them anyway)`] : []),
      ...(capacitor ? capacitor.notes.map((n) => `${o["capacitor-config"]}: ${n}`) : []),
    ].join("\n"),
    { file, app, channel, manifestUrl, trustVersion: trust.version, keyids: trust.keyids, bundleKeyIds: keys.map((k) => k.keyId), capacitor },
  );
}

/**
 * Sets plugins.CapacitorUpdater.autoUpdate = false in a capacitor.config.json: otaseal's client
 * drives download/set/next itself after verifying (docs/MIGRATING-FROM-CAPGO.md). A Capgo
 * `publicKey` is reported, not removed: it makes the native side expect Capgo-encrypted bundles.
 */
function updateCapacitorConfig(file) {
  if (path.extname(file) !== ".json") throw new CliError(`--capacitor-config edits capacitor.config.json only; set autoUpdate: false in ${file} by hand`);
  let doc;
  try {
    doc = JSON.parse(readText(file, "Capacitor config"));
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${file} is not JSON`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new CliError(`${file} is not a JSON object`);
  const notes = [];
  doc.plugins ??= {};
  doc.plugins.CapacitorUpdater ??= {};
  const cu = doc.plugins.CapacitorUpdater;
  if (cu.autoUpdate !== false) {
    notes.push(`plugins.CapacitorUpdater.autoUpdate: ${JSON.stringify(cu.autoUpdate ?? "(unset: true)")} -> false`);
    cu.autoUpdate = false;
  } else notes.push("plugins.CapacitorUpdater.autoUpdate is already false");
  if (cu.publicKey) notes.push("plugins.CapacitorUpdater.publicKey is set (Capgo encryption): remove it once no Capgo-encrypted bundle is served");
  writeFile(file, JSON.stringify(doc, null, 2) + "\n");
  return { file, notes };
}

async function main(argv) {
  const [cmd, sub] = argv;
  if (cmd === "help" && sub) {
    // otaseal help seal | otaseal help trust init
    const topic = sub === "trust" ? `trust ${argv[2] ?? ""}`.trim() : sub;
    if (!HELP[topic] || topic === "main") throw new CliError(sub === "trust" ? "help trust takes 'init' or 'rotate'" : `unknown command ${sub} (see otaseal help)`);
    console.log(HELP[topic]);
    return 0;
  }
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
    rollout: cmdRollout,
    reseal: cmdReseal,
    verify: cmdVerify,
    inspect: cmdInspect,
    config: cmdConfig,
  };
  await commands[twoWord](w, rest);
  return 0;
}

const ARGV = process.argv.slice(2);
// With --json, a failure is also one JSON object on stdout ({ ok: false, code, message, exitCode }),
// so scripts parse one stream whatever happened.
const JSON_MODE = ARGV.includes("--json");

function jsonFailure(code, message, exitCode) {
  if (JSON_MODE) process.stdout.write(JSON.stringify({ ok: false, code, message, exitCode }, null, 2) + "\n");
}

main(ARGV).then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof CliError) {
      if (!e.reported) jsonFailure(e.code, e.message, e.exitCode);
      process.stderr.write(`otaseal: ${e.exitCode === REJECTED ? "rejected: " : ""}${e.message}\n`);
      process.exit(e.exitCode);
    }
    // Only the core's own errors are verdicts; Node's (fs, zlib: also upper-case codes) are not.
    if (e?.name === "OtaError" && typeof e.code === "string") {
      jsonFailure(e.code, e.message, INPUT_CODES.has(e.code) ? USAGE : REJECTED);
      process.stderr.write(`otaseal: ${e.code}: ${e.message}\n`);
      process.exit(INPUT_CODES.has(e.code) ? USAGE : REJECTED);
    }
    if (e instanceof SyntaxError) {
      jsonFailure("USAGE", `not valid JSON: ${e.message}`, USAGE);
      process.stderr.write(`otaseal: not valid JSON: ${e.message}\n`);
      process.exit(USAGE);
    }
    jsonFailure("INTERNAL", String(e?.message ?? e), USAGE);
    process.stderr.write(`otaseal: internal error: ${e?.message ?? e}\n`);
    process.exit(USAGE);
  },
);
