// The package in a Vite production build, loaded in headless Chromium: `import … from "otaseal"`
// must resolve to the web build, the wasm asset must be emitted and fetched, and the release
// vectors must give their declared outcomes in the browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { build, preview } from "vite";
import { chromium } from "playwright-core";

const ROOT = path.resolve(import.meta.dirname, "../..");
// Playwright adds its own fresh --user-data-dir.
const CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
  "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

test("a Vite build of an app importing otaseal runs the vectors in Chromium", { timeout: 180_000 }, async () => {
  // The app lives outside the repo and gets the package through node_modules, as a user's would.
  const app = fs.mkdtempSync(path.join(os.tmpdir(), "otaseal-vite-"));
  for (const f of ["index.html", "main.js"]) fs.copyFileSync(path.join(ROOT, "tests/fixtures/vite-app", f), path.join(app, f));
  fs.mkdirSync(path.join(app, "public"));
  fs.copyFileSync(path.join(ROOT, "tests/fixtures/vectors/releases.json"), path.join(app, "public/vectors.json"));
  fs.mkdirSync(path.join(app, "node_modules"));
  fs.symlinkSync(ROOT, path.join(app, "node_modules/otaseal"), "dir");

  await build({ root: app, logLevel: "error", configFile: false, build: { outDir: "dist" } });
  const assets = fs.readdirSync(path.join(app, "dist/assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), `no .wasm asset emitted: ${assets}`);

  const server = await preview({ root: app, logLevel: "error", configFile: false, preview: { port: 0, host: "127.0.0.1" } });
  const url = server.resolvedUrls.local[0];
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS, timeout: 60_000 });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForFunction(() => window.__otaseal !== undefined, null, { timeout: 60_000 });
    const got = await page.evaluate(() => window.__otaseal);
    assert.equal(got.error, undefined, got.error);
    assert.deepEqual(errors, []);
    const doc = JSON.parse(fs.readFileSync(path.join(ROOT, "tests/fixtures/vectors/releases.json"), "utf8"));
    assert.equal(got.results.length, doc.cases.length);
    doc.cases.forEach((c, i) => assert.deepEqual(got.results[i], c.expect, c.name));
  } finally {
    await browser.close();
    await new Promise((resolve) => server.httpServer.close(resolve));
  }
});
