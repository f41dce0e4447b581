// Compares wasm builds of otaseal (e.g. opt-level experiments) on the hot paths, interleaved:
//   node bench/variants.mjs <dir with otaseal.js + otaseal_bg.wasm (wasm-bindgen --target web)>...
// Prints SHA-256 and decryption MB/s, Ed25519 verifies/s, full-open ms (50 MiB fixture from
// bench/.cache, made by run.mjs), compile+instantiate ms and gzip size, medians over rounds.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { nodeEncrypt } from "./lib/tink.mjs";
import { chunks, openOtasealWasm } from "./lib/pipelines.mjs";

const dirs = process.argv.slice(2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const MiB = 1 << 20;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const builds = [];
for (const dir of dirs) {
  const abs = path.resolve(dir);
  const glue = await import(`${new URL(`file://${abs}/otaseal.js`)}?v=${builds.length}`);
  const bytes = fs.readFileSync(path.join(abs, "otaseal_bg.wasm"));
  const t0 = performance.now();
  glue.initSync({ module: bytes });
  builds.push({ name: path.basename(abs), glue, bytes, gz: zlib.gzipSync(bytes, { level: 9 }).length, init: performance.now() - t0 });
}
const data = crypto.randomFillSync(new Uint8Array(32 * MiB));
const parts = [...chunks(data)];
const key = crypto.randomBytes(32);
const ad = new Uint8Array(8);
const ct = nodeEncrypt(key, ad, MiB, data);
const ctParts = [...chunks(ct)];
const { privateKey, publicKey } = crypto.generateKeyPairSync("ed25519");
const msg = crypto.randomBytes(256);
const sig = crypto.sign(null, msg, privateKey);
const raw = publicKey.export({ format: "der", type: "spki" }).subarray(12);
const fxDir = fs.readdirSync(path.join(import.meta.dirname, ".cache")).find((d) => d.startsWith("open-50MiB"));
const fx = fxDir && (() => {
  const d = path.join(import.meta.dirname, ".cache", fxDir);
  return { bundle: new Uint8Array(fs.readFileSync(path.join(d, "bundle.bin"))), envelopeJson: fs.readFileSync(path.join(d, "envelope.json"), "utf8"),
    trustJson: fs.readFileSync(path.join(d, "trust.json"), "utf8"), key: new Uint8Array(fs.readFileSync(path.join(d, "key.bin"))) };
})();
const res = Object.fromEntries(builds.map((b) => [b.name, { sha: [], aes: [], ed: [], open: [] }]));
for (let r = 0; r <= rounds; r++) {
  for (const b of builds) {
    const o = b.glue;
    let t = performance.now();
    const h = new o.BenchSha256();
    for (const p of parts) h.update(p);
    h.digest();
    h.free();
    const sha = 32 * MiB / 1e6 / ((performance.now() - t) / 1e3);
    t = performance.now();
    const d = new o.BenchDecryptor(key, ad, MiB);
    for (const p of ctParts) d.push(p);
    d.finish();
    d.free();
    const aes = ct.length / 1e6 / ((performance.now() - t) / 1e3);
    const k = new o.BenchEd25519Key(raw);
    t = performance.now();
    for (let i = 0; i < 500; i++) k.verify(msg, sig);
    const ed = 500 / ((performance.now() - t) / 1e3);
    k.free();
    let open = NaN;
    if (fx) {
      t = performance.now();
      openOtasealWasm(o, fx);
      open = performance.now() - t;
    }
    if (r > 0) Object.entries({ sha, aes, ed, open }).forEach(([key, v]) => res[b.name][key].push(v));
  }
}
console.log("| build | gzip bytes | raw bytes | SHA-256 MB/s | decrypt MB/s | Ed25519 verify/s | full open 50 MiB ms (wasm only) | compile+instantiate ms |");
console.log("|---|---|---|---|---|---|---|---|");
for (const b of builds) {
  const x = res[b.name];
  console.log(`| ${b.name} | ${b.gz} | ${b.bytes.length} | ${median(x.sha).toFixed(0)} | ${median(x.aes).toFixed(0)} | ${median(x.ed).toFixed(0)} | ${median(x.open).toFixed(0)} | ${b.init.toFixed(1)} |`);
}
