// docs/SECURITY.md names JS tests as `tests/…/file.test.mjs::title`: each must exist with that
// exact title (the Rust references are checked by tests/attack_corpus.rs).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

test("every JS test SECURITY.md names exists", () => {
  const doc = fs.readFileSync(path.join(ROOT, "docs/SECURITY.md"), "utf8");
  const refs = [...doc.matchAll(/`(tests\/[\w/.-]+\.test\.mjs)::([^`]+)`/g)];
  assert.ok(refs.length >= 8, `only ${refs.length} JS test references`);
  for (const [, file, title] of refs) {
    const source = fs.readFileSync(path.join(ROOT, file), "utf8");
    assert.ok(source.includes(`test(${JSON.stringify(title)}`), `SECURITY.md names ${file}::${title}, which does not exist`);
  }
  assert.doesNotMatch(doc, /pending:/i, "SECURITY.md still has pending rows");
});
