// The app-side figures in a real browser: a Vite production build of a minimal app that
// imports otaseal (the bytes otaseal adds to an app), and its cold start in headless Chromium
// (Debian's /usr/bin/chromium through playwright-core).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";

const root = path.resolve(import.meta.dirname, "../..");
const CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
  "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Builds bench/lib/vite-app with Vite (the package linked as node_modules/otaseal, as a
 * user's app gets it). Returns the app dir and its emitted assets with raw and gzip sizes. */
export async function buildViteApp() {
  const { build } = await import("vite");
  const app = fs.mkdtempSync(path.join(os.tmpdir(), "otaseal-bench-vite-"));
  for (const f of ["index.html", "main.js"]) fs.copyFileSync(path.join(root, "bench/lib/vite-app", f), path.join(app, f));
  fs.mkdirSync(path.join(app, "node_modules"));
  fs.symlinkSync(root, path.join(app, "node_modules/otaseal"), "dir");
  await build({ root: app, logLevel: "error", configFile: false, build: { outDir: "dist", target: "es2022" } });
  const dir = path.join(app, "dist/assets");
  const assets = fs.readdirSync(dir).sort().map((file) => {
    const bytes = fs.readFileSync(path.join(dir, file));
    // Wasm modules inlined as base64 (the default `dist/inline.js` entry): "\0asm" + version 1.
    const inlined = file.endsWith(".js") ? bytes.toString("latin1").split("AGFzbQEAAAA").length - 1 : 0;
    return { file, raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length, inlined };
  });
  return { app, assets };
}

/** Cold starts of the built app in headless Chromium: each round a fresh browser context (no
 * HTTP or code cache), at each CPU throttling rate (CDP, which also disables the cache). */
export async function browserColdStarts(app, fixtureDir, rounds, rates = [1, 4]) {
  const { preview } = await import("vite");
  const { chromium } = await import("playwright-core");
  const fixture = {
    envelopeJson: fs.readFileSync(path.join(fixtureDir, "envelope.json"), "utf8"),
    trustJson: fs.readFileSync(path.join(fixtureDir, "trust.json"), "utf8"),
    policy: { app: "com.example.bench", channel: "production", platform: "web", installedVersion: "1.0.0", now: Math.floor(Date.now() / 1000) },
  };
  const server = await preview({ root: app, logLevel: "error", configFile: false, preview: { port: 0, host: "127.0.0.1" } });
  const url = server.resolvedUrls.local[0];
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS, timeout: 60_000 });
  const out = Object.fromEntries(rates.map((r) => [r, []]));
  try {
    for (let round = 0; round <= rounds; round++) {
      for (const rate of round % 2 ? [...rates].reverse() : rates) {
        const context = await browser.newContext();
        const page = await context.newPage();
        // A fresh context has an empty HTTP cache (and so no cached wasm code). A DevTools
        // session is attached only to throttle: an attached session can change how V8 compiles.
        if (rate !== 1) {
          const cdp = await context.newCDPSession(page);
          await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
          await cdp.send("Emulation.setCPUThrottlingRate", { rate });
        }
        await page.addInitScript((fx) => { window.__fixture = fx; }, fixture);
        const errors = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        await page.goto(url);
        await page.waitForFunction(() => window.__cold !== undefined, null, { timeout: 60_000 });
        const got = await page.evaluate(() => window.__cold);
        await context.close();
        if (errors.length) throw new Error(`browser cold start: ${errors.join("; ")}`);
        // Round 0 warms the browser process itself (not the page: every context is fresh).
        if (round > 0) out[rate].push(got);
      }
    }
  } finally {
    await browser.close();
    await new Promise((resolve) => server.httpServer.close(resolve));
  }
  return out;
}
