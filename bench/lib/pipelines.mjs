// The full-open pipelines the harness times: verify the manifest, stream the bundle in 1 MiB
// chunks, decrypt, unzip, hash every file and check it against the manifest.
//   otaseal  — the wasm Opener (SinkOpener, files to a sink), wasm-only or WebCrypto segments;
//   jslibs   — @noble/curves + @noble/ciphers + hash-wasm + fflate (what an app could assemble);
//   native   — node:crypto + node:zlib (the physical-limit reference; not available in a webview).
// The peer pipelines check the same things the verifier's happy path does (signature,
// lengths, bundle / zip / file SHA-256); they are references for speed, not verifiers.
import * as crypto from "node:crypto";
import * as zlib from "node:zlib";
import { ed25519 } from "@noble/curves/ed25519.js";
import { createSHA256 } from "hash-wasm";
import { Unzip, UnzipInflate } from "fflate";
import { nobleDecryptor, nodeDecryptor } from "./tink.mjs";

export const CHUNK = 1 << 20;

export function* chunks(bytes, size = CHUNK) {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

const hexToBytes = (hex) => Uint8Array.from(Buffer.from(hex, "hex"));
const toHex = (bytes) => Buffer.from(bytes).toString("hex");

/** DSSE v1 PAE. */
function pae(type, payload) {
  const t = Buffer.from(type);
  return Buffer.concat([Buffer.from(`DSSEv1 ${t.length} `), t, Buffer.from(` ${payload.length} `), payload]);
}

/** Parses the envelope and returns [pae, signature, publicKey] for the trusted key. */
function envelopeParts(envelopeJson, trustJson) {
  const env = JSON.parse(envelopeJson);
  const trust = JSON.parse(trustJson);
  const payload = Buffer.from(env.payload, "base64");
  const key = trust.keys[0];
  const sig = env.signatures.find((s) => s.keyid === key.keyid);
  return { payload, message: pae(env.payloadType, payload), sig: Buffer.from(sig.sig, "base64"), pub: hexToBytes(key.public) };
}

function manifestOf(payload) {
  const m = JSON.parse(payload.toString());
  const files = new Map(m.files.map((f) => [f.path, f]));
  return { m, files };
}

/** A streaming reader of the local headers of a zip (no data descriptors, as otaseal writes).
 * Keeps only the unread tail between pushes (one copy of each byte, plus a file's own bytes
 * when it spans chunks). */
class LocalZipReader {
  constructor(onFile) {
    this.onFile = onFile; // (name, method, compressed bytes) => void
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    this.done = false;
  }
  push(chunk) {
    if (this.done) return;
    const c = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), c]) : c;
    this.pos = 0;
    const b = this.buf;
    while (b.length - this.pos >= 30) {
      const at = this.pos;
      if (b.readUInt32LE(at) !== 0x04034b50) {
        this.done = true; // central directory: the local entries are over
        return;
      }
      const nameLen = b.readUInt16LE(at + 26);
      const dataAt = at + 30 + nameLen + b.readUInt16LE(at + 28);
      const end = dataAt + b.readUInt32LE(at + 18);
      if (end > b.length) return;
      this.onFile(b.toString("utf8", at + 30, at + 30 + nameLen), b.readUInt16LE(at + 8), b.subarray(dataAt, end));
      this.pos = end;
    }
  }
}

/** node:crypto + zlib. */
export function openNative(fx) {
  const { payload, message, sig, pub } = envelopeParts(fx.envelopeJson, fx.trustJson);
  const pubKey = crypto.createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), pub]), format: "der", type: "spki" });
  if (!crypto.verify(null, message, pubKey, sig)) throw new Error("signature");
  const { m, files } = manifestOf(payload);
  const bundleHash = crypto.createHash("sha256");
  const zipHash = crypto.createHash("sha256");
  let seen = 0;
  const zip = new LocalZipReader((name, method, data) => {
    const plain = method === 8 ? zlib.inflateRawSync(data) : data;
    const f = files.get(name);
    if (!f || plain.length !== f.size || crypto.createHash("sha256").update(plain).digest("hex") !== f.sha256) {
      throw new Error(`file ${name}`);
    }
    seen++;
  });
  const ad = hexToBytes(m.encryption.associatedData);
  const dec = nodeDecryptor(fx.key, ad, m.encryption.segmentSize, (plain) => {
    zipHash.update(plain);
    zip.push(plain);
  });
  for (const c of chunks(fx.bundle)) {
    bundleHash.update(c);
    dec.push(c);
  }
  dec.finish();
  if (bundleHash.digest("hex") !== m.bundle.sha256 || zipHash.digest("hex") !== m.bundle.zipSha256) throw new Error("hash");
  if (seen !== files.size) throw new Error(`files ${seen}/${files.size}`);
  return seen;
}

/** @noble/curves + @noble/ciphers + hash-wasm + fflate. */
export async function openJsLibs(fx) {
  const { payload, message, sig, pub } = envelopeParts(fx.envelopeJson, fx.trustJson);
  if (!ed25519.verify(sig, message, pub)) throw new Error("signature");
  const { m, files } = manifestOf(payload);
  const [bundleHash, zipHash, fileHash] = await Promise.all([createSHA256(), createSHA256(), createSHA256()]);
  bundleHash.init();
  zipHash.init();
  let seen = 0;
  let failure;
  const unzip = new Unzip((file) => {
    const f = files.get(file.name);
    fileHash.init();
    let size = 0;
    file.ondata = (err, data, final) => {
      if (err) failure ??= err;
      fileHash.update(data);
      size += data.length;
      if (final) {
        if (!f || size !== f.size || fileHash.digest("hex") !== f.sha256) failure ??= new Error(`file ${file.name}`);
        seen++;
      }
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  const ad = hexToBytes(m.encryption.associatedData);
  const dec = nobleDecryptor(fx.key, ad, m.encryption.segmentSize, (plain) => {
    zipHash.update(plain);
    unzip.push(plain, false);
  });
  for (const c of chunks(fx.bundle)) {
    bundleHash.update(c);
    dec.push(c);
  }
  dec.finish();
  unzip.push(new Uint8Array(0), true);
  if (failure) throw failure;
  if (bundleHash.digest("hex") !== m.bundle.sha256 || zipHash.digest("hex") !== m.bundle.zipSha256) throw new Error("hash");
  if (seen !== files.size) throw new Error(`files ${seen}/${files.size}`);
  return seen;
}

export function policyFor(fx) {
  return { app: "com.example.bench", channel: "production", platform: "web", installedVersion: "1.0.0", now: Math.floor(Date.now() / 1000) };
}

/** A sink that hashes nothing and keeps nothing (the verifier already hashed each file). */
export function countingSink() {
  const sink = { files: 0, bytes: 0, startFile() { sink.files++; }, write(d) { sink.bytes += d.length; }, endFile() {} };
  return sink;
}

/** otaseal, wasm only: SinkOpener.push / finish. */
export function openOtasealWasm(ota, fx) {
  const sink = countingSink();
  const opener = new ota.SinkOpener(fx.envelopeJson, fx.trustJson, policyFor(fx), [fx.key], sink);
  try {
    for (const c of chunks(fx.bundle)) opener.push(c);
    const release = opener.finish();
    if (sink.files !== release.manifest.files.length) throw new Error("sink");
    return sink.files;
  } finally {
    opener.free();
  }
}

/** otaseal with WebCrypto segments (dist/accel/webcrypto.js). */
export async function openOtasealWebCrypto(ota, WebCryptoOpener, fx) {
  const sink = countingSink();
  const opener = new ota.SinkOpener(fx.envelopeJson, fx.trustJson, policyFor(fx), [fx.key], sink);
  try {
    const fast = await WebCryptoOpener.create(opener, [fx.key]);
    if (!fast) throw new Error("WebCrypto path unavailable");
    for (const c of chunks(fx.bundle)) await fast.push(c);
    const release = await fast.finish();
    if (sink.files !== release.manifest.files.length) throw new Error("sink");
    return sink.files;
  } finally {
    opener.free();
  }
}
