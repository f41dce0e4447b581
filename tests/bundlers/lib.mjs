// Shared parts of the bundler matrix: the packed tarball installed into fresh project
// directories, a static server for built apps, Chromium, and size accounting.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const APP_SRC = path.join(import.meta.dirname, "app");
// Playwright adds its own fresh --user-data-dir.
export const CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
  "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

// Every temporary directory made here is removed when the process exits.
const made = [];
process.on("exit", () => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});
/** A new temporary directory, removed at exit. */
export function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

let packed = null;
/** `npm pack` of this checkout (built beforehand: scripts/build.sh), once per process. */
export function packTarball() {
  if (packed) return packed;
  const dir = tempDir("otaseal-pack-");
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  packed = path.join(dir, JSON.parse(out)[0].filename);
  return packed;
}

/**
 * A fresh project directory with `otaseal` installed from the tarball by npm, as a user would
 * (`npm install ./otaseal-x.y.z.tgz`; the package has no dependencies, so this is offline), and
 * `links` (package names) resolved to this checkout's node_modules (the bundlers' own helpers
 * and the Capacitor packages, installed once by `npm ci`).
 */
export function freshProject(name, { links = [] } = {}) {
  const dir = tempDir(`otaseal-${name}-`);
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `app-${name}`, private: true, type: "module" }, null, 2));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", "--no-package-lock", packTarball()], { cwd: dir, stdio: "pipe" });
  for (const pkg of links) {
    const target = path.join(dir, "node_modules", pkg);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.symlinkSync(path.join(ROOT, "node_modules", pkg), target, "dir");
  }
  return dir;
}

/** Copies the test app's sources (tests/bundlers/app) and the release vectors into `dir`. */
export function copyApp(dir, files) {
  for (const f of files) fs.copyFileSync(path.join(APP_SRC, f), path.join(dir, f));
  fs.copyFileSync(path.join(ROOT, "tests/fixtures/vectors/releases.json"), path.join(dir, "vectors.json"));
}

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json", ".css": "text/css" };

/** Serves `dir` on 127.0.0.1 (a secure context: service workers and Cache Storage work). */
export async function serve(dir) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    let file = path.join(dir, decodeURIComponent(url.pathname));
    if (!file.startsWith(dir)) return res.writeHead(403).end();
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!fs.existsSync(file)) return res.writeHead(404).end("not found");
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(fs.readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) };
}

export async function launchChromium() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** Opens `url` and waits for the app's `window.__otaseal` verdict; page errors are collected. */
export async function runPage(browser, url, { timeout = 60_000 } = {}) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForFunction(() => window.__otaseal !== undefined, null, { timeout });
    return { result: await page.evaluate(() => window.__otaseal), errors };
  } finally {
    await context.close();
  }
}

/** Sum of raw and gzip (level 9, per file, as a server would send them) sizes of the files under `dir`. */
export function sizeOf(dir, filter = () => true) {
  let raw = 0;
  let gzip = 0;
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (filter(p)) {
        const bytes = fs.readFileSync(p);
        raw += bytes.length;
        gzip += zlib.gzipSync(bytes, { level: 9 }).length;
        files.push(path.relative(dir, p));
      }
    }
  };
  walk(dir);
  return { raw, gzip, files };
}

/** The release vectors' declared outcomes, as the app reports them. */
export function expectedResults() {
  const doc = JSON.parse(fs.readFileSync(path.join(ROOT, "tests/fixtures/vectors/releases.json"), "utf8"));
  return doc.cases.map((c) => ({ name: c.name, expect: c.expect }));
}
