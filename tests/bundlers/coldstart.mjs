#!/usr/bin/env node
// Measures (prints, asserts nothing) what the inline entry costs at start compared with the
// asset entry: Vite builds of a page that imports `otaseal` (inline wasm) or `otaseal/asset`
// (a separate .wasm, streaming compilation) or nothing, each loaded N times in a fresh headless
// Chromium context from a loopback server; the figure is `performance.now()` when the app's own
// code runs (navigation start → otaseal instantiated) and the time of a first verifyRelease.
//   node tests/bundlers/coldstart.mjs [runs=15]      (after bash scripts/build.sh)
import * as fs from "node:fs";
import * as path from "node:path";
import { build as viteBuild } from "vite";
import { ROOT, freshProject, launchChromium, serve } from "./lib.mjs";

const RUNS = Number(process.argv[2] ?? 15);
const doc = JSON.parse(fs.readFileSync(path.join(ROOT, "tests/fixtures/vectors/releases.json"), "utf8"));
const ok = doc.cases.find((c) => c.expect.code === "OK");

const app = (from) => `import { verifyRelease } from "${from}";
const ready = performance.now();
const c = ${JSON.stringify({ envelope: ok.envelope, trust: ok.trust, policy: ok.policy })};
const t = performance.now();
verifyRelease(c.envelope, c.trust, c.policy);
window.__otaseal = { ready, firstVerify: performance.now() - t };
`;
const VARIANTS = {
  blank: "window.__otaseal = { ready: performance.now(), firstVerify: 0 };\n",
  inline: app("otaseal"),
  asset: app("otaseal/asset"),
  // Engines without Uint8Array.fromBase64 (before Chrome 140 / Safari 18.2) decode with atob.
  "inline-atob": app("otaseal"),
};

const dir = freshProject("coldstart");
const browser = await launchChromium();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
try {
  for (const [name, code] of Object.entries(VARIANTS)) {
    const root = path.join(dir, name);
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, "main.js"), code);
    fs.writeFileSync(path.join(root, "index.html"), '<!doctype html><meta charset="utf-8"><script type="module" src="./main.js"></script>\n');
    await viteBuild({ root, logLevel: "error", configFile: false, build: { outDir: "dist" } });
    const server = await serve(path.join(root, "dist"));
    const ready = [];
    const verify = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext();
      if (name === "inline-atob") await context.addInitScript(() => delete Uint8Array.fromBase64);
      const page = await context.newPage();
      await page.goto(server.url);
      await page.waitForFunction(() => window.__otaseal !== undefined, null, { timeout: 60_000 });
      const r = await page.evaluate(() => window.__otaseal);
      ready.push(r.ready);
      verify.push(r.firstVerify);
      await context.close();
    }
    await server.close();
    results[name] = { ready: median(ready), firstVerify: median(verify) };
  }
} finally {
  await browser.close();
}
console.log(`Chromium ${browser.version()}, ${RUNS} cold loads each, medians (ms):`);
for (const [name, r] of Object.entries(results)) {
  console.log(`  ${name.padEnd(11)} app code runs at ${r.ready.toFixed(1)} (+${(r.ready - results.blank.ready).toFixed(1)} over blank), first verifyRelease ${r.firstVerify.toFixed(1)}`);
}
