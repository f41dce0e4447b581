// The README's CI quickstart, run as written (with `npx otaseal` pointing at this checkout), so
// the documented commands and flags stay true.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

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

test("the CI quickstart runs as written and ends with a VALID --json report", () => {
  const script = shBlock("## Quickstart: sealing in CI")
    .split("\n")
    .filter((line) => !line.startsWith("npm install")) // the package is this checkout
    .join("\n");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "otaseal-readme-"));
  fs.mkdirSync(path.join(dir, "dist/assets"), { recursive: true });
  fs.writeFileSync(path.join(dir, "dist/index.html"), "<!doctype html><h1>2.4.0</h1>\n");
  fs.writeFileSync(path.join(dir, "dist/assets/app.js"), "console.log('2.4.0');\n");
  const prelude = `set -euo pipefail\nnpx() { shift; node ${JSON.stringify(path.join(ROOT, "cli/otaseal.mjs"))} "$@"; }\n`;
  const r = spawnSync("bash", ["-c", prelude + script], { cwd: dir, encoding: "utf8" });
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
