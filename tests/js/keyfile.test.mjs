// Bundle-key files (docs/FORMAT.md §5.9): the JS loader `otaseal/keyfile` and the core's reader
// (`bundleKeyFromFile`) accept and refuse the same files, with KEY_MALFORMED, and a file whose
// keyId is not its key's id is refused by both. Needs the package built (scripts/build.sh).
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as ota from "../../dist/node.js";
import { parseBundleKeyFile, bundleKeyIdOf, KeyFileError } from "../../dist/keyfile.js";

const key = new Uint8Array(randomBytes(32));
const keyId = ota.bundleKeyId(key);
const b64 = Buffer.from(key).toString("base64");
const good = JSON.stringify({ type: "otaseal-bundle-key", keyId, key: b64 }, null, 2) + "\n";

async function both(text) {
  const core = (() => {
    try {
      const k = ota.bundleKeyFromFile(text);
      return { ok: Buffer.from(k.key).toString("base64"), keyId: k.keyId };
    } catch (e) {
      return { code: e.code, message: e.message };
    }
  })();
  let js;
  try {
    const k = await parseBundleKeyFile(text);
    js = { ok: Buffer.from(k.key).toString("base64"), keyId: k.keyId };
  } catch (e) {
    assert.ok(e instanceof KeyFileError, `a KeyFileError, got ${e}`);
    js = { code: e.code, message: e.message };
  }
  return { core, js };
}

test("the JS loader and the core agree: a valid file, and every malformed one", async () => {
  assert.equal(await bundleKeyIdOf(key), keyId);
  const { core, js } = await both(good);
  assert.deepEqual(core, { ok: b64, keyId });
  assert.deepEqual(js, { ok: b64, keyId });
  const other = ota.bundleKeyId(new Uint8Array(32).fill(9));
  const doc = { type: "otaseal-bundle-key", keyId, key: b64 };
  const bad = {
    "keyId of another key": JSON.stringify({ ...doc, keyId: other }),
    "uppercase keyId": JSON.stringify({ ...doc, keyId: keyId.toUpperCase() }),
    "unknown member": JSON.stringify({ ...doc, comment: "x" }),
    "missing keyId": JSON.stringify({ type: doc.type, key: b64 }),
    "duplicate key member": `{"type":"otaseal-bundle-key","keyId":"${keyId}","key":"${b64}","key":"${b64}"}`,
    "wrong type": JSON.stringify({ ...doc, type: "otaseal-signing-key" }),
    "16-byte key": JSON.stringify({ ...doc, key: Buffer.alloc(16).toString("base64") }),
    "Base64 without padding": JSON.stringify({ ...doc, key: b64.replace(/=+$/, "") }),
    "Base64 with a trailing bit set": JSON.stringify({ ...doc, key: b64.slice(0, 42) + "B=" }),
    "url-safe Base64": JSON.stringify({ ...doc, key: b64.replace(/\+/g, "-").replace(/\//g, "_") }),
    "key as a number": JSON.stringify({ ...doc, key: 5 }),
    "an array": JSON.stringify([doc.type, keyId, b64]),
    "not JSON": "type=otaseal-bundle-key",
    "too large": JSON.stringify({ ...doc }) + " ".repeat(5000),
  };
  for (const [name, text] of Object.entries(bad)) {
    const r = await both(text);
    // url-safe / bit tricks may accidentally be canonical for some keys; both must still agree.
    if (r.core.ok !== undefined) {
      assert.deepEqual(r.js, r.core, name);
      continue;
    }
    assert.equal(r.core.code, "KEY_MALFORMED", `${name}: core ${JSON.stringify(r.core)}`);
    assert.equal(r.js.code, "KEY_MALFORMED", `${name}: js ${JSON.stringify(r.js)}`);
    for (const m of [r.core.message, r.js.message]) assert.ok(!m.includes(b64.slice(0, 16)), `${name}: the key is echoed: ${m}`);
  }
  const mislabelled = await both(bad["keyId of another key"]);
  assert.match(mislabelled.js.message, /mislabelled/);
  assert.match(mislabelled.core.message, /mislabelled/);
});
