// The README's "Securing @capawesome/capacitor-live-update" snippet type-checks as written,
// against the built `otaseal` entries and the real @capawesome/capacitor-live-update types.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const HEADING = "## Securing @capawesome/capacitor-live-update";

test("the README's Capawesome snippet type-checks against the real plugin types", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const at = readme.indexOf(HEADING);
  assert.ok(at >= 0, `README has no ${HEADING}`);
  const next = readme.indexOf("\n## ", at + HEADING.length);
  const m = /```ts\n([\s\S]*?)```/.exec(readme.slice(at, next < 0 ? undefined : next));
  assert.ok(m, "no ts block in the section");
  assert.match(m[1], /capawesomeBackend\(LiveUpdate, \{ capacitor: Capacitor \}\)/);
  // Inside the package, so "otaseal" and "otaseal/capacitor" resolve to this checkout's dist/.
  fs.mkdirSync(path.join(ROOT, "target"), { recursive: true });
  const dir = fs.mkdtempSync(path.join(ROOT, "target", "capawesome-readme-"));
  try {
    fs.writeFileSync(path.join(dir, "snippet.mts"), m[1]);
    fs.writeFileSync(path.join(dir, "raw.d.ts"), 'declare module "*?raw" { const text: string; export default text; }\n'); // as Vite's client types
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    const r = spawnSync(
      process.execPath,
      [tsc, "--noEmit", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext", "--types", "node", "--skipLibCheck", path.join(dir, "raw.d.ts"), path.join(dir, "snippet.mts")],
      { cwd: ROOT, encoding: "utf8" },
    );
    assert.equal(r.status, 0, `the snippet does not type-check:\n${r.stdout}${r.stderr}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
