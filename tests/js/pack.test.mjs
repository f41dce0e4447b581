// Package hygiene, checked on what `npm pack` would ship (`npm pack --dry-run --json`): a
// LICENSE, every exported path present, source maps that carry their sources, every .wasm
// loaded by some shipped JavaScript, and no bench-only bindings in the public entry points.
// Needs `bash scripts/build.sh` first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const packed = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }))[0];
const FILES = new Set(packed.files.map((f) => f.path));
const read = (p) => fs.readFileSync(path.join(ROOT, p), "utf8");

/** Every target path in the `exports` map (conditions flattened). */
function exportTargets(node = PKG.exports, out = []) {
  if (typeof node === "string") out.push(node.replace(/^\.\//, ""));
  else for (const v of Object.values(node)) exportTargets(v, out);
  return out;
}

test("the package ships an Apache-2.0 LICENSE, as package.json and Cargo.toml declare", () => {
  assert.ok(FILES.has("LICENSE"), "no LICENSE in the tarball");
  const text = read("LICENSE");
  assert.match(text, /^\s*Apache License\s+Version 2\.0, January 2004/);
  assert.match(text, /END OF TERMS AND CONDITIONS/);
  assert.equal(PKG.license, "Apache-2.0");
  assert.match(read("Cargo.toml"), /^license = "Apache-2\.0"$/m);
});

test("every path the exports map and bin name is in the tarball; nothing from the source tree is", () => {
  for (const p of [...exportTargets(), PKG.bin.otaseal]) assert.ok(FILES.has(p), `${p} is exported but not shipped`);
  for (const f of FILES) assert.doesNotMatch(f, /^(src|tests|target|bench|fuzz|node_modules|scripts)\//, f);
});

test("every shipped source map carries its sources (shipped, or inline in sourcesContent)", () => {
  const maps = [...FILES].filter((f) => f.endsWith(".map"));
  assert.ok(maps.length > 0, "no source maps shipped (then this test should check that no sourceMappingURL dangles)");
  for (const m of maps) {
    const map = JSON.parse(read(m));
    map.sources.forEach((s, i) => {
      const shipped = FILES.has(path.posix.join(path.posix.dirname(m), map.sourceRoot ?? "", s));
      assert.ok(shipped || typeof map.sourcesContent?.[i] === "string", `${m}: source ${s} neither shipped nor inline`);
    });
  }
  // Every sourceMappingURL comment points at a shipped map.
  for (const f of [...FILES].filter((x) => /\.(m?js|d\.ts)$/.test(x))) {
    const m = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(read(f));
    if (m && !m[1].startsWith("data:")) assert.ok(FILES.has(path.posix.join(path.posix.dirname(f), m[1])), `${f} points at a missing ${m[1]}`);
  }
});

test("every shipped .wasm is loaded by some shipped JavaScript", () => {
  const js = [...FILES].filter((f) => /\.(m?js|cjs)$/.test(f));
  const loaded = new Set();
  for (const f of js) {
    for (const m of read(f).matchAll(/([\w./-]*\w\.wasm)\b/g)) {
      loaded.add(path.posix.normalize(path.posix.join(path.posix.dirname(f), m[1].replace(/^\/+/, ""))));
    }
  }
  const wasm = [...FILES].filter((f) => f.endsWith(".wasm"));
  assert.ok(wasm.length > 0);
  for (const w of wasm) assert.ok(loaded.has(w), `${w} is shipped but no shipped JavaScript loads it`);
});

test("the public entry points export no bench-only bindings, and every core binding", async () => {
  // Node gets the sealer module (pkg/node); browsers and bundlers the app verifier (pkg/web).
  for (const [entry, gluePath] of [["dist/node.js", "pkg/node/otaseal.js"], ["dist/inline.js", "pkg/web/otaseal.js"], ["dist/browser.js", "pkg/web/otaseal.js"]]) {
    const glue = await import(path.join(ROOT, gluePath));
    const bench = Object.keys(glue).filter((k) => /^Bench/.test(k));
    assert.ok(bench.length > 0, "the glue has bench bindings (src/wasm/bench.rs); bench/ imports them from pkg/");
    const core = Object.keys(glue).filter((k) => !/^Bench/.test(k) && !["default", "__esModule", "initSync"].includes(k));
    if (entry === "dist/browser.js") {
      // Its top-level await fetches the wasm (no fetch of file: URLs in Node): check its export list as text.
      const text = read(entry);
      for (const k of bench) assert.doesNotMatch(text, new RegExp(`\\b${k}\\b`), `${entry} exports ${k}`);
      for (const k of core) assert.match(text, new RegExp(`\\b${k}\\b`), `${entry} does not export the core's ${k}`);
      continue;
    }
    const mod = await import(path.join(ROOT, entry));
    for (const k of bench) assert.ok(!(k in mod), `${entry} exports ${k}`);
    for (const k of core) assert.ok(k in mod, `${entry} does not export the core's ${k}`);
  }
  // The app verifier carries no sealing.
  const web = await import(path.join(ROOT, "pkg/web/otaseal.js"));
  for (const k of ["seal", "addSignature", "keygen", "trustInit", "readInputZip"]) assert.ok(!(k in web), `the app verifier has ${k}`);
  for (const d of ["dist/node.d.ts", "dist/browser.d.ts", "dist/inline.d.ts", "dist/core-types.d.ts"]) {
    assert.doesNotMatch(read(d), /Bench/, d);
  }
});
