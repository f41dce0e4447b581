// Cold start, in a fresh process: compile + instantiate the wasm module, then the first
// manifest verification.   node bench/lib/cold-child.mjs <wasm file> <fixture dir> [verifyRelease|opener]
// "verifyRelease" (default) returns the whole manifest as JS objects; "opener" constructs a
// SinkOpener, which runs the same verification (steps 1-12) and converts nothing.
// Prints {"instantiateMs", "verifyMs", "totalMs"}. Reading the file is not timed.
import * as fs from "node:fs";
import * as path from "node:path";

const [wasmFile, dir, mode = "verifyRelease"] = process.argv.slice(2);
const bytes = fs.readFileSync(wasmFile);
const envelopeJson = fs.readFileSync(path.join(dir, "envelope.json"), "utf8");
const trustJson = fs.readFileSync(path.join(dir, "trust.json"), "utf8");
const glue = await import(new URL("../../pkg/web/otaseal.js", import.meta.url));
const c0 = process.cpuUsage(); const t0 = performance.now();
glue.initSync({ module: bytes });
const t1 = performance.now();
const policy = {
  app: "com.example.bench", channel: "production", platform: "web", installedVersion: "1.0.0",
  now: Math.floor(Date.now() / 1000),
};
let files;
if (mode === "opener") {
  const key = new Uint8Array(fs.readFileSync(path.join(dir, "key.bin")));
  const opener = new glue.SinkOpener(envelopeJson, trustJson, policy, [key], { startFile() {}, write() {}, endFile() {} });
  files = 1;
  opener.free();
} else {
  files = glue.verifyRelease(envelopeJson, trustJson, policy).manifest.files.length;
}
const t2 = performance.now();
if (!files) throw new Error("no files");
const c = process.cpuUsage(c0); console.log(JSON.stringify({ totalMs: +(t2 - t0).toFixed(1), cpuMs: +((c.user + c.system) / 1000).toFixed(1) }));
