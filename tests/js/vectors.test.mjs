// The release vectors (tests/fixtures/vectors/releases.json) through the npm package's public
// JS API, imported as a plain ES module the way a Node 20 user would (`import … from "otaseal"`).
// The same file runs natively (tests/vectors.rs) and in wasm under Node and Chromium
// (tests/wasm.rs): every path must give the declared outcome.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { Opener, verifyRelease } from "otaseal";

const ROOT = path.resolve(import.meta.dirname, "../..");
const doc = JSON.parse(fs.readFileSync(path.join(ROOT, "tests/fixtures/vectors/releases.json"), "utf8"));

/** Runs one vector; the result has the shape of its `expect`. */
function run(c) {
  const bundle = Buffer.from(c.bundle, "base64");
  const keys = c.bundleKeys.map((k) => new Uint8Array(Buffer.from(k, "base64")));
  let opener;
  try {
    opener = new Opener(c.envelope, c.trust, c.policy, keys);
    for (let at = 0; at < bundle.length; at += c.chunk) opener.push(bundle.subarray(at, at + c.chunk));
    const { release, files } = opener.finish();
    return {
      code: "OK",
      signedBy: release.signedBy,
      files: files.map((f) => {
        // The reported hash is the hash of the bytes handed over.
        assert.equal(createHash("sha256").update(f.data).digest("hex"), f.sha256, f.path);
        return { path: f.path, size: f.size, sha256: f.sha256 };
      }),
    };
  } catch (e) {
    assert.equal(e.name, "OtaError", `${c.name}: not an OtaError: ${e?.stack ?? e}`);
    assert.ok(e instanceof Error);
    assert.ok(e.message.length > 0);
    return { code: e.code };
  } finally {
    opener?.free();
  }
}

test("every vector gives its declared outcome through the JS API", () => {
  assert.ok(doc.cases.length >= 15);
  for (const c of doc.cases) assert.deepEqual(run(c), c.expect, c.name);
});

test("verifyRelease alone agrees with the opener on policy and signature outcomes", () => {
  for (const c of doc.cases) {
    let code;
    try {
      const r = verifyRelease(c.envelope, c.trust, c.policy);
      code = "OK";
      if (c.expect.code === "OK") assert.deepEqual(r.signedBy, c.expect.signedBy);
    } catch (e) {
      code = e.code;
    }
    // Bundle-level failures only appear once bytes are pushed; everything else must match.
    if (code !== "OK") assert.equal(code, c.expect.code, c.name);
  }
});

test("the opener is disposable with `using` semantics and refuses use after finish", () => {
  const c = doc.cases[0];
  const opener = new Opener(c.envelope, c.trust, c.policy, []);
  assert.equal(typeof opener[Symbol.dispose], "function");
  opener.push(Buffer.from(c.bundle, "base64"));
  assert.deepEqual(opener.progress(), { received: Buffer.from(c.bundle, "base64").length, total: opener.release.manifest.bundle.length });
  opener.finish();
  assert.throws(() => opener.push(new Uint8Array(1)), { name: "OtaError", code: "INVALID_STATE" });
  assert.throws(() => opener.finish(), { name: "OtaError", code: "INVALID_STATE", message: /already finished/ });
  opener[Symbol.dispose]();
});
