// The bundler matrix: Vite, webpack 5, esbuild and Rollup each build a tiny app that imports
// `otaseal` with no otaseal-specific configuration, from the packed tarball installed by npm
// into a fresh project; each built app then runs the release vectors (sealed releases with
// declared outcomes) in headless Chromium. Also prints the bytes each bundler's output gains
// from otaseal (the app minus the same bundler's build of an empty app), raw and gzip.
// The Angular CLI is in tests/bundlers/angular.test.mjs (run by scripts/test-angular.sh: its
// install is too heavy for every run of the suite). Needs `bash scripts/build.sh` first.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { build as viteBuild } from "vite";
import webpack from "webpack";
import * as esbuild from "esbuild";
import { rollup } from "rollup";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import { copyApp, expectedResults, freshProject, launchChromium, runPage, serve, sizeOf } from "./lib.mjs";

const html = (script, type = "module") =>
  `<!doctype html>\n<html><head><meta charset="utf-8"><title>otaseal</title></head>\n<body><pre id="out">running…</pre>\n<script ${type === "module" ? 'type="module"' : "defer"} src="${script}"></script></body></html>\n`;

// Each builder: (project dir, entry file name, output dir) → writes a servable app into out.
const BUILDERS = {
  async vite(dir, entry, out) {
    // Vite builds from an HTML page; one page per entry.
    const root = path.join(dir, `page-${path.basename(entry, ".js")}`);
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, "index.html"), html(`../${entry}`));
    await viteBuild({ root, logLevel: "error", configFile: false, build: { outDir: out, emptyOutDir: true } });
  },
  async webpack(dir, entry, out) {
    const stats = await new Promise((resolve, reject) =>
      webpack({ mode: "production", context: dir, entry: `./${entry}`, output: { path: out, filename: "main.js" } }, (e, s) => (e ? reject(e) : resolve(s))),
    );
    if (stats.hasErrors()) throw new Error(stats.toString("errors-only"));
    fs.writeFileSync(path.join(out, "index.html"), html("main.js", "classic"));
  },
  async esbuild(dir, entry, out) {
    // `format: "esm"`: otaseal's entry uses top-level await, which esbuild's default iife cannot hold.
    await esbuild.build({ entryPoints: [path.join(dir, entry)], bundle: true, format: "esm", minify: true, outfile: path.join(out, "main.js"), logLevel: "error" });
    fs.writeFileSync(path.join(out, "index.html"), html("main.js"));
  },
  async rollup(dir, entry, out) {
    // node-resolve is how Rollup finds packages in node_modules at all; no otaseal-specific option.
    const bundle = await rollup({ input: path.join(dir, entry), plugins: [nodeResolve({ browser: true })], onwarn() {} });
    await bundle.write({ dir: out, format: "es", entryFileNames: "main.js" });
    await bundle.close();
    fs.writeFileSync(path.join(out, "index.html"), html("main.js"));
  },
};

// The rows: bundler × entry. `vite (otaseal/asset)` is the documented opt-in to a separate .wasm file.
const ROWS = [
  { name: "vite", builder: "vite", entry: "main.js", wasmFile: false },
  { name: "vite (otaseal/asset)", builder: "vite", entry: "main-asset.js", wasmFile: true },
  { name: "webpack", builder: "webpack", entry: "main.js", wasmFile: true },
  { name: "esbuild", builder: "esbuild", entry: "main.js", wasmFile: false },
  { name: "rollup", builder: "rollup", entry: "main.js", wasmFile: false },
];

let browser;
let project;
const sizes = [];

before(async () => {
  project = freshProject("matrix");
  copyApp(project, ["main.js", "blank.js"]);
  fs.writeFileSync(path.join(project, "main-asset.js"), fs.readFileSync(path.join(project, "main.js"), "utf8").replace('from "otaseal"', 'from "otaseal/asset"'));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (sizes.length) {
    const kb = (n) => (n / 1024).toFixed(1).padStart(8);
    console.log("\nbytes otaseal adds to the built app (KiB; app minus the same bundler's empty app)\n" +
      "bundler                   raw     gzip   files\n" +
      sizes.map((s) => `${s.name.padEnd(22)}${kb(s.raw)} ${kb(s.gzip)}   ${s.files}`).join("\n"));
  }
});

for (const row of ROWS) {
  test(`${row.name}: a build of an app importing otaseal verifies the release vectors in Chromium`, { timeout: 240_000 }, async () => {
    const out = path.join(project, `dist-${row.name.replace(/\W+/g, "-")}`);
    const blank = `${out}-blank`;
    await BUILDERS[row.builder](project, row.entry, out);
    await BUILDERS[row.builder](project, "blank.js", blank);
    const app = sizeOf(out);
    const empty = sizeOf(blank);
    const wasm = app.files.filter((f) => f.endsWith(".wasm"));
    assert.equal(wasm.length > 0, row.wasmFile, `wasm files emitted: ${wasm}`);
    sizes.push({ name: row.name, raw: app.raw - empty.raw, gzip: app.gzip - empty.gzip, files: app.files.filter((f) => !f.endsWith(".html")).join(" ") });

    fs.copyFileSync(path.join(project, "vectors.json"), path.join(out, "vectors.json"));
    const server = await serve(out);
    try {
      const { result, errors } = await runPage(browser, server.url);
      assert.equal(result.error, undefined, result.error);
      assert.deepEqual(errors, []);
      const expected = expectedResults();
      assert.equal(result.results.length, expected.length);
      expected.forEach((c, i) => assert.deepEqual(result.results[i], c.expect, c.name));
      assert.ok(result.codes > 10, "errorCodes()");
    } finally {
      await server.close();
    }
  });
}
