// The native filesystem installer (filesystemBackend) against recording doubles of the real
// @capacitor/filesystem and WebView plugins: encrypted releases are decrypted and verified in
// JS, written through a staging folder, switched to without persisting, persisted only on
// notifyAppReady, rolled back by a cold start, and never written when anything fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { filesystemBackend } from "../../dist/capacitor.js";
import { APP_FILES, BUILTIN, recordingFilesystem, recordingWebView } from "./filesystem-double.mjs";
import { APP, BASE, CHANNEL, NOW, files, keys, ota, rejects, routesFor, seal, fakeFetch } from "./client-fixtures.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const k = keys();
const { randomBytes } = await import("node:crypto");
const big = randomBytes(2_000_000).toString("base64"); // several appendFile pieces
const enc = seal(k, "2.0.0", { encrypt: true, segmentSize: 65536, extra: { "assets/big.txt": big } });
const plain = seal(k, "3.0.0");
const url = (name) => `${BASE}/${name}/manifest.json`;

function setup({ native = true, fs = recordingFilesystem(), webView = recordingWebView(), storage = ota.memoryStorage(), routes = {} } = {}) {
  const backend = filesystemBackend(fs.plugin, { webView: webView.plugin, capacitor: { isNativePlatform: () => native } });
  const client = ota.createUpdateClient({
    trust: k.trust, app: APP, channel: CHANNEL, platform: "ios", backend, storage, bundledVersion: "1.0.0",
    fetch: fakeFetch({ ...routesFor("enc", enc), ...routesFor("plain", plain), ...routes }, { chunk: 65536 }),
    clock: () => NOW * 1000, decryptionKeys: [k.bundleKey.key],
  });
  return { fs, webView, backend, client, storage };
}

test("the doubles type-check against the real Filesystem and WebView definitions (and so does the backend)", () => {
  const tsc = `${root}/node_modules/typescript/bin/tsc`;
  const flags = ["--noEmit", "--allowJs", "--checkJs", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext", "--types", "node"];
  execFileSync(process.execPath, [tsc, ...flags, `${root}/tests/js/filesystem-double.mjs`], { cwd: root, stdio: "pipe" });
});

test("an encrypted release: decrypted and verified in JS, staged, set without persisting, persisted on notifyAppReady", async () => {
  const s = setup();
  const release = await s.client.check(url("enc"));
  const dl = await s.client.download(release);
  const id = dl.id;
  assert.match(id, /^2\.0\.0-[0-9a-f]{16}$/);
  // Exactly the signed plaintext files, in the bundle folder; nothing left in staging.
  const written = s.fs.list(`otaseal/bundles/${id}`);
  const expected = files("2.0.0", { "assets/big.txt": big });
  assert.deepEqual([...written.keys()].sort(), expected.map((f) => f.path).sort());
  for (const f of expected) assert.deepEqual(written.get(f.path), f.data, f.path);
  assert.equal(s.fs.list("otaseal/staging").size, 0);
  assert.ok(s.fs.calls.filter((c) => c.method === "appendFile").length >= 2, "large files go in pieces");
  assert.equal((await s.backend.bundleStatus(id)), "pending");

  await s.client.apply(release, "set");
  assert.deepEqual(s.webView.calls, [{ method: "setServerBasePath", args: { path: `${APP_FILES}/otaseal/bundles/${id}` } }]);
  assert.equal(s.webView.persisted, BUILTIN, "not persisted before the release confirms");
  assert.deepEqual(await s.backend.current(), { id, version: "2.0.0", zipSha256: release.manifest.bundle.zipSha256, native: null });

  await s.client.notifyAppReady();
  assert.equal(s.webView.persisted, `${APP_FILES}/otaseal/bundles/${id}`);
  assert.equal(await s.backend.bundleStatus(id), "confirmed");
  const st = await s.client.status();
  assert.equal(st.floor.version, "2.0.0");
  assert.equal(st.state.pending, null);
});

test("a release set and never confirmed is gone at the next cold start and blocklisted", async () => {
  const s = setup();
  const release = await s.client.check(url("enc"));
  await s.client.download(release);
  await s.client.apply(release, "set");
  s.webView.restart(); // the new bundle never called notifyAppReady; the user restarts the app
  assert.equal(s.webView.path, BUILTIN);
  const again = setup({ fs: s.fs, webView: s.webView, storage: s.storage });
  const st = await again.client.status();
  assert.equal(st.state.pending, null);
  assert.deepEqual(st.state.blocklist.map((b) => b.version), ["2.0.0"]);
  await rejects(again.client.check(url("enc")), "CLIENT_BLOCKLISTED");
});

test("next: recorded, switched by activateNext at the next start, then confirmed; the replaced bundle is removed", async () => {
  const s = setup();
  const r2 = await s.client.check(url("enc"));
  const d2 = await s.client.download(r2);
  await s.client.apply(r2, "next");
  assert.deepEqual(s.webView.calls, [], "next does not switch the running webview");
  assert.equal(await s.backend.activateNext(), true);
  assert.equal(s.webView.path, `${APP_FILES}/otaseal/bundles/${d2.id}`);
  assert.equal(await s.backend.activateNext(), false, "only once");
  await s.client.notifyAppReady();
  // A later release replaces it; once that one confirms, the old folder goes.
  const r3 = await s.client.check(url("plain"));
  const d3 = await s.client.download(r3);
  await s.client.apply(r3, "set");
  await s.client.notifyAppReady();
  assert.equal(s.fs.list(`otaseal/bundles/${d2.id}`).size, 0);
  assert.ok(s.fs.list(`otaseal/bundles/${d3.id}`).size > 0);
  assert.equal(await s.backend.bundleStatus(d2.id), "missing");
  await rejects(s.backend.set(d2.id), "CLIENT_BUNDLE_UNKNOWN");
});

test("a write failure or an abort mid-stage leaves no files and no bundle", async () => {
  const failing = setup({ fs: recordingFilesystem({ failOn: { method: "appendFile", nth: 2 } }) });
  const release = await failing.client.check(url("enc"));
  const e = await rejects(failing.client.download(release), "CLIENT_BACKEND_FAILED");
  assert.match(e.message, /appendFile failed \(injected\)/);
  assert.equal(failing.fs.list("otaseal/staging").size, 0);
  assert.equal(failing.fs.list("otaseal/bundles").size, 0);
  assert.deepEqual(failing.webView.calls, []);

  const controller = new AbortController();
  const fs = recordingFilesystem({ onCall: (method) => method === "writeFile" && controller.abort() });
  const aborting = setup({ fs });
  const r = await aborting.client.check(url("enc"));
  await rejects(aborting.client.download(r, { signal: controller.signal }), "CLIENT_ABORTED");
  assert.equal(fs.list("otaseal/staging").size, 0);
  assert.equal(fs.list("otaseal/bundles").size, 0);
});

test("a tampered encrypted bundle never reaches the filesystem; off native nothing runs", async () => {
  const flipped = enc.bundle.slice();
  flipped[100_000] ^= 1;
  const s = setup({ routes: routesFor("bad", { ...enc, bundle: flipped }) });
  await rejects(s.client.download(await s.client.check(url("bad"))), "DECRYPT_TAG");
  assert.equal(s.fs.calls.filter((c) => c.method === "writeFile" || c.method === "appendFile").length, 0);

  const web = setup({ native: false });
  await rejects(web.client.check(url("enc")), "CLIENT_NOT_NATIVE");
  await rejects(web.backend.current(), "CLIENT_NOT_NATIVE");
  await rejects(web.backend.assertSupported(), "CLIENT_NOT_NATIVE");
  assert.deepEqual(web.fs.calls, []);
});

test("a corrupt bundle list is empty: nothing unknown is trusted; bad arguments are refused", async () => {
  const s = setup();
  s.fs.put("otaseal/index.json", "{not json");
  assert.deepEqual(await s.backend.current(), { id: "builtin", version: null, zipSha256: null, native: null });
  assert.equal(await s.backend.bundleStatus("2.0.0-0000000000000000"), "missing");
  await rejects(s.backend.set("2.0.0-0000000000000000"), "CLIENT_BUNDLE_UNKNOWN");
  const fs = recordingFilesystem();
  const webView = recordingWebView();
  const capacitor = { isNativePlatform: () => true };
  for (const [args, text] of [
    [[null, { webView: webView.plugin, capacitor }], /Filesystem plugin/],
    [[fs.plugin, { capacitor }], /options.webView/],
    [[fs.plugin, { webView: webView.plugin }], /options.capacitor/],
    [[fs.plugin, { webView: webView.plugin, capacitor, root: "../outside" }], /relative folder/],
    [[fs.plugin, { webView: webView.plugin, capacitor, root: "/abs" }], /relative folder/],
  ]) {
    assert.throws(() => filesystemBackend(...args), (e) => e.code === "CLIENT_INVALID_ARGUMENT" && text.test(e.message));
  }
});
