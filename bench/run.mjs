// otaseal benchmark harness (issues 5 and 11): `npm run bench` builds the release package, then
// measures otaseal against its peers side by side in one run and prints PASS/FAIL per target.
// Rounds are interleaved (every implementation once per round, rotating the order) because
// the machines are shared and noisy; figures are medians with min–max.
//   BENCH_ROUNDS=n   rounds per section (default 7; full opens use ceil(n * 4/7))
//   BENCH_QUICK=1    smaller inputs and 3 rounds (a smoke run; not for the record)
//   BENCH_FULL=1     also the sealer build's (SIMD) full open and the in-memory Opener's peak
//                    RSS (for comparison; they add about 2 minutes)
// Results: bench/results/<date>.json and .md, and bench/results/latest.md.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { createSHA256 } from "hash-wasm";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { nobleDecryptor, nodeDecryptor, nodeEncrypt } from "./lib/tink.mjs";
import { chunks, openJsLibs, openNative, openOtasealWasm, openOtasealWebCrypto } from "./lib/pipelines.mjs";
import { browserColdStarts, buildViteApp } from "./lib/browser.mjs";

const root = path.resolve(import.meta.dirname, "..");
const quick = process.env.BENCH_QUICK === "1";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (quick ? 3 : 7));
const OPEN_ROUNDS = Math.max(3, Math.ceil((ROUNDS * 4) / 7));
const full = process.env.BENCH_FULL === "1";
const MiB = 1 << 20;
const started = Date.now();
const load = [os.loadavg()];
const log = (...a) => console.error("[bench]", ...a);

// ---------------------------------------------------------------------------------------
// The two shipped modules (scripts/build-wasm.sh): the verifier apps load (pkg/web, no SIMD)
// through the web glue, and the sealer (pkg/node, +simd128) the CLI and Node use. Plus the
// WebCrypto path compiled from ts/accel.
const app = await import(new URL("../pkg/web/otaseal.js", import.meta.url));
app.initSync({ module: fs.readFileSync(path.join(root, "pkg/web/otaseal_bg.wasm")) });
const builds = { app, node: createRequire(import.meta.url)(path.join(root, "pkg/node/otaseal.js")) };
const APP = "otaseal wasm (app verifier, baseline)";
const NODE = "otaseal wasm (Node sealer, simd128)";
const { WebCryptoOpener } = await import(new URL("../dist/accel/webcrypto.js", import.meta.url));
const subtle = globalThis.crypto.subtle;

// ---------------------------------------------------------------------------------------
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });

/** Runs every case once per round, rotating the order; `value(ms, result)` turns a timing
 * into the reported figure. Round 0 is a warm-up (V8 tiers up) and is not recorded. */
async function interleaved(cases, rounds, value) {
  const samples = Object.fromEntries(cases.map((c) => [c.name, []]));
  const names = cases.map((c) => c.name);
  for (let r = 0; r <= rounds; r++) {
    const order = cases.map((_, i) => cases[(i + r) % cases.length]);
    for (const c of order) {
      const t0 = performance.now();
      const result = await c.run();
      const ms = performance.now() - t0;
      if (r > 0) samples[c.name].push(value(ms, result));
    }
  }
  return Object.fromEntries(names.map((n) => [n, stats(samples[n])]));
}

const results = { sections: {}, targets: [] };
const mbps = (bytes) => (ms) => bytes / 1e6 / (ms / 1e3);

// ---------------------------------------------------------------------------------------
// 1. SHA-256, 32 MiB in 1 MiB chunks.
{
  const size = (quick ? 8 : 32) * MiB;
  const data = crypto.randomFillSync(new Uint8Array(size));
  const parts = [...chunks(data)];
  const expected = crypto.createHash("sha256").update(data).digest("hex");
  const hw = await createSHA256();
  const otaseal = (ota) => () => {
    const h = new ota.BenchSha256();
    for (const p of parts) h.update(p);
    const d = h.digest();
    h.free();
    return d;
  };
  const cases = [
    { name: APP, run: otaseal(builds.app) },
    { name: NODE, run: otaseal(builds.node) },
    { name: "hash-wasm", run: () => { hw.init(); for (const p of parts) hw.update(p); return hw.digest("hex"); } },
    { name: "@noble/hashes", run: () => { const h = nobleSha256.create(); for (const p of parts) h.update(p); return Buffer.from(h.digest()).toString("hex"); } },
    { name: "WebCrypto (one-shot digest: no streaming API)", run: async () => Buffer.from(await subtle.digest("SHA-256", data)).toString("hex") },
    { name: "node:crypto", run: () => { const h = crypto.createHash("sha256"); for (const p of parts) h.update(p); return h.digest("hex"); } },
  ];
  for (const c of cases) if ((await c.run()) !== expected) throw new Error(`SHA-256 mismatch: ${c.name}`);
  log(`SHA-256 ${size / MiB} MiB × ${ROUNDS} rounds`);
  results.sections.sha256 = { unit: "MB/s", input: `${size / MiB} MiB in 1 MiB chunks`, figures: await interleaved(cases, ROUNDS, mbps(size)) };
}

// ---------------------------------------------------------------------------------------
// 2. Stream decryption (Tink AES-GCM-HKDF, 1 MiB segments), 32 MiB.
{
  const size = (quick ? 8 : 32) * MiB;
  const segmentSize = MiB;
  const plain = crypto.randomFillSync(new Uint8Array(size));
  const key = crypto.randomBytes(32);
  const ad = new TextEncoder().encode("otaseal bundle v1\x00com.example.bench\x002.0.0");
  const ct = nodeEncrypt(key, ad, segmentSize, plain);
  const parts = [...chunks(ct)];
  const otaseal = (ota) => () => {
    const d = new ota.BenchDecryptor(key, ad, segmentSize);
    let n = 0;
    for (const p of parts) n += d.push(p);
    n += d.finish();
    d.free();
    return n;
  };
  const peer = (make) => () => {
    let n = 0;
    const d = make(key, ad, segmentSize, (p) => { n += p.length; });
    for (const p of parts) d.push(p);
    d.finish();
    return n;
  };
  // otaseal's WebCrypto path (WebCryptoOpener) over a stand-in for the wasm opener that only
  // counts plaintext: the segment framing and WebCrypto calls are exactly the shipped code.
  const keyId = builds.app.bundleKeyId(key);
  const webcrypto = async () => {
    let n = 0;
    const stub = {
      release: { manifest: { encryption: { keyId, segmentSize, associatedData: Buffer.from(ad).toString("hex"), header: Buffer.from(ct.subarray(0, 40)).toString("hex") } } },
      pushDelivered() {}, pushDecrypted(p) { n += p.length; }, checkComplete() {},
      segmentError(i) { return new Error(`segment ${i}`); }, finishDecrypted() { return n; },
    };
    const fast = await WebCryptoOpener.create(stub, [key]);
    for (const p of parts) await fast.push(p);
    return fast.finish();
  };
  // The ceiling of any WebCrypto path: bare AES-GCM decrypts of the same segments, one at a
  // time (key derivation, framing and nonces done beforehand).
  const rawKey = await subtle.importKey("raw", crypto.hkdfSync("sha256", key, ct.subarray(1, 33), ad, 32), "AES-GCM", false, ["decrypt"]);
  const segments = [];
  for (let at = 40, i = 0; at < ct.length; i++) {
    const end = Math.min(i === 0 ? segmentSize : at + segmentSize, ct.length);
    const iv = new Uint8Array(12);
    iv.set(ct.subarray(33, 40));
    new DataView(iv.buffer).setUint32(7, i);
    iv[11] = end === ct.length ? 1 : 0;
    segments.push({ iv, data: ct.slice(at, end) });
    at = end;
  }
  const rawWebCrypto = async () => {
    let n = 0;
    for (const s of segments) n += (await subtle.decrypt({ name: "AES-GCM", iv: s.iv }, rawKey, s.data)).byteLength;
    return n;
  };
  const cases = [
    { name: APP, run: otaseal(builds.app) },
    { name: NODE, run: otaseal(builds.node) },
    { name: "otaseal WebCrypto path", run: webcrypto },
    { name: "WebCrypto AES-GCM alone (reference: the ceiling of any WebCrypto path)", run: rawWebCrypto },
    { name: "@noble/ciphers", run: peer(nobleDecryptor) },
    { name: "node:crypto", run: peer(nodeDecryptor) },
  ];
  for (const c of cases) if ((await c.run()) !== size) throw new Error(`decrypt length: ${c.name}`);
  log(`stream decryption ${size / MiB} MiB × ${ROUNDS} rounds`);
  results.sections.decrypt = { unit: "MB/s (ciphertext)", input: `${size / MiB} MiB, 1 MiB segments, fed in 1 MiB chunks`, figures: await interleaved(cases, ROUNDS, mbps(ct.length)) };
}

// ---------------------------------------------------------------------------------------
// 3. Ed25519 verify (a 256-byte message, one key).
{
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ed25519");
  const msg = crypto.randomBytes(256);
  const sig = crypto.sign(null, msg, privateKey);
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(12);
  const webKey = await subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
  const batch = (n, one) => async () => {
    for (let i = 0; i < n; i++) if (!(await one())) throw new Error("verify failed");
    return n;
  };
  const syncBatch = (n, one) => () => {
    for (let i = 0; i < n; i++) if (!one()) throw new Error("verify failed");
    return n;
  };
  const N = quick ? 200 : 1000;
  const keys = { app: new builds.app.BenchEd25519Key(raw), node: new builds.node.BenchEd25519Key(raw) };
  const cases = [
    { name: APP, run: syncBatch(N, () => keys.app.verify(msg, sig)) },
    { name: NODE, run: syncBatch(N, () => keys.node.verify(msg, sig)) },
    { name: "node:crypto", run: syncBatch(N, () => crypto.verify(null, msg, publicKey, sig)) },
    { name: "WebCrypto", run: batch(N, () => subtle.verify({ name: "Ed25519" }, webKey, sig, msg)) },
    { name: "@noble/curves", run: syncBatch(Math.max(20, N / 10), () => ed25519.verify(sig, msg, raw)) },
  ];
  log(`Ed25519 verify × ${ROUNDS} rounds`);
  results.sections.ed25519 = { unit: "verifies/s", input: "256-byte message, one signature; every implementation decodes the public key once", figures: await interleaved(cases, ROUNDS, (ms, n) => n / (ms / 1e3)) };
}

// ---------------------------------------------------------------------------------------
// Fixtures (sealed by otaseal in a child process; cached in bench/.cache).
function fixture(name, mib, files) {
  const dir = path.join(root, "bench/.cache", `${name}-${mib}MiB-${files}-v1`);
  if (!fs.existsSync(path.join(dir, "meta.json")) || JSON.parse(fs.readFileSync(path.join(dir, "meta.json"))).expiresAt < Date.now() / 1000 + 86400) {
    log(`sealing fixture ${name}: ~${mib} MiB, ${files} files`);
    execFileSync(process.execPath, ["--max-old-space-size=4096", path.join(root, "bench/lib/fixtures.mjs"), dir, String(mib), String(files)], { stdio: ["ignore", "ignore", "inherit"] });
  }
  return dir;
}
function readFixture(dir) {
  return {
    dir,
    meta: JSON.parse(fs.readFileSync(path.join(dir, "meta.json"))),
    bundle: new Uint8Array(fs.readFileSync(path.join(dir, "bundle.bin"))),
    envelopeJson: fs.readFileSync(path.join(dir, "envelope.json"), "utf8"),
    trustJson: fs.readFileSync(path.join(dir, "trust.json"), "utf8"),
    key: new Uint8Array(fs.readFileSync(path.join(dir, "key.bin"))),
  };
}

// ---------------------------------------------------------------------------------------
// 4. Full open of a sealed, encrypted bundle.
const open50 = fixture("open", quick ? 10 : 50, quick ? 600 : 3000);
{
  const fx = readFixture(open50);
  const cases = [
    { name: "otaseal (WebCrypto segments)", run: () => openOtasealWebCrypto(builds.app, WebCryptoOpener, fx) },
    { name: "otaseal (wasm only)", run: () => openOtasealWasm(builds.app, fx) },
    ...(full ? [{ name: "otaseal (wasm only, Node sealer, simd128)", run: () => openOtasealWasm(builds.node, fx) }] : []),
    { name: "JS libraries (noble + hash-wasm + fflate)", run: () => openJsLibs(fx) },
    { name: "node:crypto + zlib", run: () => openNative(fx) },
  ];
  log(`full open: ${(fx.bundle.length / MiB).toFixed(1)} MiB, ${fx.meta.files} files × ${OPEN_ROUNDS} rounds`);
  results.sections.open = {
    unit: "ms",
    input: `sealed encrypted bundle ${(fx.bundle.length / MiB).toFixed(1)} MiB (zip ${(fx.meta.zipBytes / MiB).toFixed(1)} MiB, ${(fx.meta.rawBytes / MiB).toFixed(1)} MiB in ${fx.meta.files} files), 1 MiB chunks, bundle in memory`,
    figures: await interleaved(cases, OPEN_ROUNDS, (ms, n) => {
      if (n !== fx.meta.files) throw new Error(`opened ${n} of ${fx.meta.files} files`);
      return ms;
    }),
  };
}

// ---------------------------------------------------------------------------------------
// 5. Peak RSS of a streamed open of ~200 MiB (child processes).
{
  const dir = fixture("rss", quick ? 40 : 200, quick ? 1000 : 6000);
  const run = (mode) => JSON.parse(execFileSync(process.execPath, [path.join(root, "bench/lib/rss-child.mjs"), dir, mode], { encoding: "utf8" }));
  log("peak RSS (child processes)");
  const figures = {};
  for (const mode of full ? ["wasm", "webcrypto", "memory"] : ["wasm", "webcrypto"]) figures[mode] = run(mode);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, "meta.json")));
  results.sections.rss = { unit: "MiB", input: `bundle ${(meta.bundleBytes / MiB).toFixed(1)} MiB, ${(meta.rawBytes / MiB).toFixed(1)} MiB in ${meta.files} files, read from disk in 1 MiB chunks; files to a disk sink (pending)`, figures };
}

// ---------------------------------------------------------------------------------------
// 6. Package size, the bytes otaseal adds to a Vite app, and cold start (Node and Chromium).
{
  const gz = (file) => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
  const size = (rel) => ({ raw: fs.statSync(path.join(root, rel)).size, gzip: gz(path.join(root, rel)) });
  const jsGlue = ["pkg/web/otaseal.js", "dist/browser.js", "dist/accel/webcrypto.js", "dist/accel/simd.js"].filter((f) => fs.existsSync(path.join(root, f)));
  const glueGzip = jsGlue.reduce((n, f) => n + gz(path.join(root, f)), 0);
  log("Vite build of a minimal app importing otaseal");
  const vite = await buildViteApp();
  const sum = (xs, k) => xs.reduce((n, x) => n + x[k], 0);
  const wasmAssets = vite.assets.filter((a) => a.file.endsWith(".wasm"));
  // Modules an app carries: .wasm files plus modules inlined in its JavaScript.
  const wasmModules = wasmAssets.length + sum(vite.assets, "inlined");
  results.sections.size = {
    unit: "bytes",
    figures: {
      "otaseal_bg.wasm (app verifier, pkg/web)": size("pkg/web/otaseal_bg.wasm"),
      "otaseal_bg.wasm (Node sealer, pkg/node; not in apps)": size("pkg/node/otaseal_bg.wasm"),
      "JS glue (gzip, each file separately)": { files: jsGlue, gzip: glueGzip },
      [`Vite app: everything emitted (${vite.assets.length} assets; wasm modules: ${wasmAssets.length} as files, ${wasmModules - wasmAssets.length} inlined; the app's own code is ~0.5 KB)`]:
        { files: vite.assets.map((a) => a.file), raw: sum(vite.assets, "raw"), gzip: sum(vite.assets, "gzip"), wasmFiles: wasmAssets.length, wasmModules },
    },
  };
  // A typical release manifest (20 files) and the 50 MiB fixture's (3000 files).
  const small = fixture("small", 1, 20);
  const manifests = { "20 files": small, [`${quick ? 600 : 3000} files`]: open50 };
  const cold = {};
  log(`cold start × ${ROUNDS} fresh processes per manifest`);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [label, dir] of Object.entries(manifests)) {
      for (const mode of r % 2 ? ["opener", "verifyRelease"] : ["verifyRelease", "opener"]) {
        const out = execFileSync(process.execPath, [path.join(root, "bench/lib/cold-child.mjs"), path.join(root, "pkg/web/otaseal_bg.wasm"), dir, mode], { encoding: "utf8" });
        (cold[`${label}, ${mode === "opener" ? "new SinkOpener (verify, no JS conversion)" : "verifyRelease"}`] ??= []).push(JSON.parse(out));
      }
    }
  }
  const pick = (xs, k) => stats(xs.map((x) => x[k]));
  results.sections.cold = {
    unit: "ms",
    input: "app verifier module, fresh node process: compile + instantiate (initSync), then the first verification: verifyRelease (which also returns the whole manifest as JS objects) or new SinkOpener (the same checks, no conversion)",
    figures: Object.fromEntries(Object.entries(cold).flatMap(([b, xs]) => [
      [`${b}: instantiate`, pick(xs, "instantiateMs")], [`${b}: first verification`, pick(xs, "verifyMs")], [`${b}: total`, pick(xs, "totalMs")],
    ])),
  };
  log(`browser cold start × ${ROUNDS} fresh contexts per CPU throttling rate`);
  const browserCold = await browserColdStarts(vite.app, small, ROUNDS);
  fs.rmSync(vite.app, { recursive: true, force: true });
  results.sections.browserCold = {
    unit: "ms",
    input: "headless Chromium, the Vite app above: a fresh browser context each time (no HTTP or code cache), import(\"otaseal\") (fetch + evaluate the entry chunk, which fetches, compiles and instantiates the wasm), then the first verifyRelease of the 20-file manifest; CPU throttling by CDP Emulation.setCPUThrottlingRate",
    figures: Object.fromEntries(Object.entries(browserCold).flatMap(([rate, xs]) => [
      [`×${rate}: import (fetch, compile, instantiate)`, pick(xs, "importMs")], [`×${rate}: first verification`, pick(xs, "verifyMs")], [`×${rate}: total`, pick(xs, "totalMs")],
    ])),
  };
}

// ---------------------------------------------------------------------------------------
// Targets (issues 5 and 11), from this run's medians.
const S = results.sections;
const m = (sec, name) => S[sec].figures[name].median;
const target = (what, value, ok, detail) => results.targets.push({ what, value, pass: ok, detail });
const ratio = (a, b) => a / b;
{
  for (const b of [APP, NODE]) {
    const r = ratio(m("sha256", b), m("sha256", "hash-wasm"));
    target(`SHA-256 ≥ 1.2× hash-wasm ${b.replace("otaseal wasm ", "")}`, `${r.toFixed(2)}×`, r >= 1.2);
  }
  const en = ratio(m("ed25519", APP), m("ed25519", "@noble/curves"));
  target("Ed25519 verify ≥ 8× @noble/curves (app verifier)", `${en.toFixed(1)}×`, en >= 8);
  const ed = ratio(m("ed25519", APP), m("ed25519", "node:crypto"));
  target("Ed25519 verify ≥ 0.8× node:crypto (app verifier)", `${ed.toFixed(2)}×`, ed >= 0.8);
  for (const b of [APP, NODE]) {
    const dn = ratio(m("decrypt", b), m("decrypt", "@noble/ciphers"));
    target(`Stream decryption, wasm only ≥ 1.5× @noble/ciphers ${b.replace("otaseal wasm ", "")}`, `${dn.toFixed(2)}×`, dn >= 1.5);
  }
  const bare = "WebCrypto AES-GCM alone (reference: the ceiling of any WebCrypto path)";
  const dw = ratio(m("decrypt", "otaseal WebCrypto path"), m("decrypt", bare));
  const dn = ratio(m("decrypt", "otaseal WebCrypto path"), m("decrypt", "node:crypto"));
  target("Stream decryption, WebCrypto path ≥ 0.85× bare WebCrypto AES-GCM", `${dw.toFixed(2)}× (node:crypto: ${dn.toFixed(2)}×)`, dw >= 0.85);
  for (const [v, limit] of [["otaseal (WebCrypto segments)", 2.5], ["otaseal (wasm only)", 4]]) {
    const js = ratio(m("open", "JS libraries (noble + hash-wasm + fflate)"), m("open", v));
    target(`Full open: ${v} ≥ 2× faster than JS libraries`, `${js.toFixed(2)}×`, js >= 2);
    const nat = ratio(m("open", v), m("open", "node:crypto + zlib"));
    target(`Full open: ${v} within ${limit}× of node:crypto + zlib`, `${nat.toFixed(2)}× slower`, nat <= limit);
  }
  for (const mode of ["wasm", "webcrypto"]) {
    const g = S.rss.figures[mode].growthMiB;
    target(`Peak RSS, streamed open (${mode}) ≤ baseline + 64 MiB`, `+${g.toFixed(1)} MiB`, g <= 64);
  }
  const g = S.size.figures["otaseal_bg.wasm (app verifier, pkg/web)"].gzip;
  target("App verifier module ≤ 100 KB gzip", `${(g / 1000).toFixed(1)} KB`, g <= 100_000);
  target("App verifier module ≤ 60 KB gzip (stretch)", `${(g / 1000).toFixed(1)} KB`, g <= 60_000);
  const v = Object.entries(S.size.figures).find(([k]) => k.startsWith("Vite app"))[1];
  target("Vite app: one wasm module (a file or inlined)", `${v.wasmModules} (${v.wasmFiles} as files); all assets ${(v.raw / 1000).toFixed(1)} KB raw, ${(v.gzip / 1000).toFixed(1)} KB gzip`, v.wasmModules === 1);
  for (const [label, limit] of [["20 files", 10], [`${quick ? 600 : 3000} files`, 20]]) {
    for (const mode of ["verifyRelease", "new SinkOpener (verify, no JS conversion)"]) {
      const c = m("cold", `${label}, ${mode}: total`);
      target(`Cold start in Node (compile + instantiate + first verify; ${label}, ${mode}) ≤ ${limit} ms`, `${c.toFixed(1)} ms`, c <= limit);
    }
  }
  const c1 = m("browserCold", "×1: total");
  const c4 = m("browserCold", "×4: total");
  target("Cold start in Chromium (fresh context; import, fetch + compile + instantiate, first 20-file verify) ≤ 25 ms", `${c1.toFixed(1)} ms (×4 CPU throttling: ${c4.toFixed(1)} ms)`, c1 <= 25);
}

// ---------------------------------------------------------------------------------------
load.push(os.loadavg());
const cpu = os.cpus();
results.machine = {
  cpu: cpu[0]?.model, cores: cpu.length, memGiB: +(os.totalmem() / 2 ** 30).toFixed(1), node: process.version,
  platform: `${os.platform()} ${os.release()}`, loadavgStart: load[0], loadavgEnd: load[1],
};
results.date = new Date(started).toISOString();
results.durationS = Math.round((Date.now() - started) / 1000);
results.rounds = { micro: ROUNDS, open: OPEN_ROUNDS, quick };

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const lines = [];
lines.push(`# otaseal benchmark — ${results.date.slice(0, 16).replace("T", " ")} UTC`, "");
lines.push(`Machine: ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memGiB} GiB, Node ${results.machine.node}, ${results.machine.platform}.`);
lines.push(`Load average (1/5/15 min) at start ${load[0].map((x) => x.toFixed(2)).join(" / ")}, at end ${load[1].map((x) => x.toFixed(2)).join(" / ")}: the machine is shared, so figures are noisy. Medians over ${ROUNDS} interleaved rounds (${OPEN_ROUNDS} for full opens) after a warm-up round, with min–max.${quick ? " QUICK RUN (smaller inputs): not for the record." : ""}`, "");
lines.push("## Targets", "", "| target | this run | |", "|---|---|---|");
for (const t of results.targets) lines.push(`| ${t.what} | ${t.value} | ${t.pass ? "PASS" : "**FAIL**"} |`);
const table = (title, sec) => {
  lines.push("", `## ${title}`, "", `${sec.input ?? ""}`, "", `| implementation | median ${sec.unit} | min–max |`, "|---|---|---|");
  for (const [n, s] of Object.entries(sec.figures)) lines.push(`| ${n} | ${fmt(s.median)} | ${fmt(s.min)}–${fmt(s.max)} |`);
};
table("SHA-256", S.sha256);
table("Stream decryption (Tink AES-256-GCM-HKDF)", S.decrypt);
table("Ed25519 verify", S.ed25519);
table("Full open (verify → stream → decrypt → unzip → hash every file)", S.open);
lines.push("", "## Peak RSS, streamed open", "", S.rss.input, "", "| mode | baseline MiB | peak MiB | growth MiB | time ms |", "|---|---|---|---|---|");
for (const [k, v] of Object.entries(S.rss.figures)) {
  const label = k === "memory" ? "memory (plain `Opener`, files kept until finish: for comparison)" : `${k} (\`SinkOpener\`, disk sink)`;
  lines.push(`| ${label} | ${v.baselineMiB.toFixed(1)} | ${v.peakMiB.toFixed(1)} | ${v.growthMiB.toFixed(1)} | ${v.ms.toFixed(0)} |`);
}
lines.push("", "## Package size", "", "| file | raw bytes | gzip -9 bytes |", "|---|---|---|");
for (const [k, v] of Object.entries(S.size.figures)) lines.push(`| ${k}${v.files ? `: ${v.files.join(", ")}` : ""} | ${v.raw ?? ""} | ${v.gzip} |`);
table("Cold start in Node", S.cold);
table("Cold start in Chromium", S.browserCold);
lines.push("", `Run took ${results.durationS} s (after the build).`, "");
const md = lines.join("\n");

const outDir = path.join(root, "bench/results");
fs.mkdirSync(outDir, { recursive: true });
const stamp = results.date.slice(0, 19).replace(/:/g, "-");
if (!quick) {
  fs.writeFileSync(path.join(outDir, `${stamp}.json`), JSON.stringify(results, null, 2) + "\n");
  fs.writeFileSync(path.join(outDir, `${stamp}.md`), md);
  fs.writeFileSync(path.join(outDir, "latest.md"), md);
}
console.log(md);
console.log("\n" + results.targets.map((t) => `${t.pass ? "PASS" : "FAIL"}  ${t.what}: ${t.value}`).join("\n"));
