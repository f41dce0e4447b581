// The README's CI quickstart, run as written in a fresh project with the tarball of this
// checkout (`npm pack`, the install path the README documents), so the documented commands and
// flags stay true; and every TypeScript snippet of the README compiled with `tsc --strict`
// against the tarball and the real Capacitor 8 packages. Needs `bash scripts/build.sh` first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import { freshProject, packTarball, tempDir } from "../bundlers/lib.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The first ```sh block after `heading`. */
function shBlock(heading) {
  const at = README.indexOf(heading);
  assert.ok(at >= 0, `README has no ${heading}`);
  const m = /```sh\n([\s\S]*?)```/.exec(README.slice(at));
  assert.ok(m, `no sh block after ${heading}`);
  return m[1];
}

test("the CI quickstart runs as written, installing the packed tarball, and ends with a VALID --json report", { timeout: 120_000 }, () => {
  const script = shBlock("## Quickstart: sealing in CI");
  // The install line the README gives, with the tarball "Installing" tells how to make.
  const install = /^npm install (?:--save-dev )?\.\/(otaseal-[\d.]+\.tgz)/m.exec(script);
  assert.ok(install, "the quickstart installs the packed tarball");
  assert.equal(install[1], path.basename(packTarball()), "the README names the tarball npm pack writes");
  assert.match(shBlock("## Installing"), /^npm pack\b/m);
  for (const m of README.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)) {
    assert.doesNotMatch(m[1], /^\s*npm (install|i) (--\S+ )*otaseal\b(?!-)/m, "the package is not on the registry");
  }
  assert.match(README, /not yet published on the npm registry/);
  const dir = tempDir("otaseal-readme-");
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "ci", private: true }));
  fs.copyFileSync(packTarball(), path.join(dir, install[1]));
  fs.mkdirSync(path.join(dir, "dist/assets"), { recursive: true });
  fs.writeFileSync(path.join(dir, "dist/index.html"), "<!doctype html><h1>2.4.0</h1>\n");
  fs.writeFileSync(path.join(dir, "dist/assets/app.js"), "console.log('2.4.0');\n");
  // The tarball has no dependencies: npm needs no registry (no audit, no update notice).
  const env = { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false", npm_config_offline: "true" };
  const r = spawnSync("bash", ["-c", `set -euo pipefail\n${script}`], { cwd: dir, encoding: "utf8", env });
  assert.equal(r.status, 0, `quickstart failed:\n${r.stderr}`);
  // The last command is `verify … --json`: its report is the last JSON document printed.
  const report = JSON.parse(r.stdout.slice(r.stdout.lastIndexOf('{\n  "ok"')));
  assert.equal(report.ok, true);
  assert.equal(report.release.signedBy.length, 2);
  assert.equal(report.release.manifest.encryption.keyId.length, 64);
  assert.deepEqual(report.files.map((f) => f.path).sort(), ["assets/app.js", "index.html"]);
});

test("the README names exactly the two set-up-and-go commands that exist", () => {
  const block = shBlock("## The two commands");
  const commands = block.split("\n").filter((l) => l.trim() && !l.startsWith("#")).map((l) => l.split("#")[0].trim());
  assert.deepEqual(commands, ["bash scripts/demo.sh", "bash scripts/test.sh"]);
  for (const c of commands) assert.ok(fs.existsSync(path.join(ROOT, c.split(" ")[1])), c);
  // CI runs the README's test command.
  assert.match(fs.readFileSync(path.join(ROOT, ".ci/run"), "utf8"), /^bash scripts\/test\.sh$/m);
});

test("every TypeScript snippet of the README compiles with tsc --strict against the tarball and Capacitor 8", { timeout: 120_000 }, () => {
  const blocks = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 2, "the README has its TypeScript snippets");
  const links = ["@capacitor/core", "@capacitor/filesystem", "@capacitor/preferences", "@capgo/capacitor-updater", "@capawesome/capacitor-live-update", "@types/node"];
  const dir = freshProject("readme-ts", { links });
  for (const p of ["@capacitor/core", "@capacitor/filesystem", "@capacitor/preferences"]) {
    const version = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", p, "package.json"), "utf8")).version;
    assert.match(version, /^8\./, `${p} ${version} is Capacitor 8`);
  }
  const files = blocks.map((text, i) => {
    fs.writeFileSync(path.join(dir, `snippet${i}.ts`), text);
    return `snippet${i}.ts`;
  });
  // What Vite's client types declare for `?raw` imports.
  fs.writeFileSync(path.join(dir, "raw.d.ts"), 'declare module "*?raw" {\n  const text: string;\n  export default text;\n}\n');
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { strict: true, target: "ES2022", module: "ESNext", moduleResolution: "Bundler", lib: ["ES2022", "DOM", "DOM.Iterable"], types: [], noEmit: true, moduleDetection: "force" },
      files: ["raw.d.ts", ...files],
    }),
  );
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json", "--listFiles"], { cwd: dir, encoding: "utf8" });
  assert.equal(r.status, 0, `tsc --strict failed:\n${r.stdout}${r.stderr}`);
  for (const d of ["otaseal/dist/inline.d.ts", "otaseal/dist/capacitor.d.ts", "@capgo/capacitor-updater/", "@capacitor/core/"]) {
    assert.ok(r.stdout.includes(d), `tsc did not check ${d}`);
  }
});
