// Benchmark fixtures: a deterministic web-app-like file tree sealed (encrypted, signed) with
// otaseal itself. Run as a child process (sealing holds everything in memory; the harness
// process must stay small):   node bench/lib/fixtures.mjs <dir> <bundleMiB> <files>
// Writes <dir>/{bundle.bin, envelope.json, trust.json, key.bin, meta.json}.
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";

const require = createRequire(import.meta.url);

/** splitmix32: a tiny seeded PRNG, so every run gets the same files. */
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const WORDS = ("function const let return import export default class extends await async " +
  "document window querySelector addEventListener className style display flex margin padding " +
  "color background border width height transform transition opacity render props state useEffect " +
  "component module require object string number boolean undefined null true false this new").split(" ");

/** Text that compresses about 3-4:1, like minified JS/CSS. */
function text(next, size) {
  const out = Buffer.alloc(size);
  let at = 0;
  while (at < size) {
    const r = next();
    const w = WORDS[r % WORDS.length];
    const sep = "(){};.,=:\n "[(r >>> 8) % 11];
    at += out.write(w + sep + ((r >>> 16) % 7 === 0 ? (r >>> 20).toString(36) : ""), at);
  }
  return new Uint8Array(out.buffer, out.byteOffset, size);
}

/** Incompressible bytes, like images and fonts (stored, not deflated). */
function binary(next, size) {
  const out = new Uint8Array(size);
  const words = new Uint32Array(out.buffer, 0, size >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = next();
  for (let i = words.length * 4; i < size; i++) out[i] = next() & 255;
  return out;
}

/** About `bundleBytes` of zip in `count` files: ~70% of the zip is binary assets. */
export function makeFiles(bundleBytes, count, seed = 1) {
  const next = rng(seed);
  const files = [];
  const binaryShare = 0.7;
  const textCount = Math.round(count * 0.75);
  const binCount = count - textCount;
  const binAvg = (bundleBytes * binaryShare) / binCount;
  const textAvg = ((bundleBytes * (1 - binaryShare)) * 3.2) / textCount; // ~3.2:1 deflate
  for (let i = 0; i < count; i++) {
    const isText = i % 4 !== 3;
    const avg = isText ? textAvg : binAvg;
    // Sizes spread 0.1×..1.9× the average.
    const size = Math.max(1, Math.round(avg * (0.1 + 1.8 * (next() / 2 ** 32))));
    const dir = `assets/${(i % 37).toString(36)}/${(i % 5).toString(36)}`;
    const name = isText ? `${dir}/chunk-${i.toString(36)}.js` : `${dir}/img-${i.toString(36)}.png`;
    files.push({ path: i === 0 ? "index.html" : name, data: isText ? text(next, size) : binary(next, size) });
  }
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, mib, count] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
  const ota = require(path.resolve(import.meta.dirname, "../../pkg/node/otaseal.js"));
  const t0 = performance.now();
  const files = makeFiles(mib * 2 ** 20, count, mib * 1000 + count);
  const { privateKeyPem, publicKeyPem } = ota.keygen();
  const trust = ota.trustInit([publicKeyPem], 1);
  const { key } = ota.bundleKeyGenerate();
  const now = Math.floor(Date.now() / 1000);
  const sealed = ota.seal(
    files,
    { app: "com.example.bench", channel: "production", platforms: ["ios", "android", "web"], version: "2.0.0",
      issuedAt: now - 60, expiresAt: now + 30 * 86400 },
    [privateKeyPem],
    { key },
  );
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "bundle.bin"), sealed.bundle);
  fs.writeFileSync(path.join(dir, "envelope.json"), sealed.envelopeJson);
  fs.writeFileSync(path.join(dir, "trust.json"), trust);
  fs.writeFileSync(path.join(dir, "key.bin"), key);
  const rawBytes = files.reduce((n, f) => n + f.data.length, 0);
  const meta = { files: files.length, rawBytes, zipBytes: sealed.manifest.bundle.zipLength,
    bundleBytes: sealed.bundle.length, sealMs: Math.round(performance.now() - t0), expiresAt: now + 30 * 86400 };
  fs.writeFileSync(path.join(dir, "meta.json"), JSON.stringify(meta, null, 2));
  console.log(JSON.stringify(meta));
}
