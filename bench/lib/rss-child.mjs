// Peak RSS of a streamed open, in a fresh process.
//   node bench/lib/rss-child.mjs <fixture dir> <wasm|webcrypto|memory>
// The bundle is read from disk in 1 MiB chunks; files go as pending to a disk sink (one file
// per entry under a temporary directory, removed afterwards) — or, for "memory", the plain
// Opener keeps them in wasm memory (the non-streaming comparison).
// Baseline = RSS after loading the wasm and verifying the manifest (opener constructed), just
// before streaming; peak = the largest RSS sampled after every chunk and at the end. (The
// process-lifetime maxRSS is also reported: loading and compiling the module briefly peaks
// above the streaming level.)
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const [dir, mode] = process.argv.slice(2);
const glue = await import(new URL("../../pkg/web/otaseal.js", import.meta.url));
glue.initSync({ module: fs.readFileSync(new URL("../../pkg/web/otaseal_bg.wasm", import.meta.url)) });
const { WebCryptoOpener } = await import(new URL("../../dist/accel/webcrypto.js", import.meta.url));
const envelopeJson = fs.readFileSync(path.join(dir, "envelope.json"), "utf8");
const trustJson = fs.readFileSync(path.join(dir, "trust.json"), "utf8");
const key = new Uint8Array(fs.readFileSync(path.join(dir, "key.bin")));
const policy = { app: "com.example.bench", channel: "production", platform: "web", installedVersion: "1.0.0", now: Math.floor(Date.now() / 1000) };
const staging = fs.mkdtempSync(path.join(os.tmpdir(), "otaseal-pending-"));
let fd = -1;
let n = 0;
const sink = {
  startFile() { fd = fs.openSync(path.join(staging, String(n++)), "w"); },
  write(data) { fs.writeSync(fd, data); },
  endFile() { fs.closeSync(fd); },
};
const mib = (kb) => kb / 1024;
const opener = mode === "memory"
  ? new glue.Opener(envelopeJson, trustJson, policy, [key])
  : new glue.SinkOpener(envelopeJson, trustJson, policy, [key], sink);
const fast = mode === "webcrypto" ? await WebCryptoOpener.create(opener, [key]) : null;
const rss = () => process.memoryUsage().rss / 2 ** 20;
const baseline = rss();
let peak = baseline;
const t0 = performance.now();
const fh = fs.openSync(path.join(dir, "bundle.bin"), "r");
const buf = new Uint8Array(1 << 20);
for (;;) {
  const got = fs.readSync(fh, buf, 0, buf.length, null);
  if (got === 0) break;
  if (fast) await fast.push(buf.subarray(0, got));
  else opener.push(buf.subarray(0, got));
  peak = Math.max(peak, rss());
}
const result = fast ? await fast.finish() : opener.finish();
const ms = performance.now() - t0;
peak = Math.max(peak, rss());
const maxRss = mib(process.resourceUsage().maxRSS);
fs.rmSync(staging, { recursive: true, force: true });
console.log(JSON.stringify({ mode, files: (result.files ?? result.manifest.files).length, baselineMiB: baseline, peakMiB: peak, growthMiB: peak - baseline, processMaxRssMiB: maxRss, ms }));
