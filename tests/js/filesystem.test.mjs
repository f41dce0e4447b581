// The native filesystem installer (filesystemBackend) against recording doubles of the real
// @capacitor/filesystem and WebView plugins: encrypted releases are decrypted and verified in
// JS, written through a staging folder into the folder Capacitor iOS restores at a cold start,
// switched to without persisting, persisted only by the page the new bundle loads, rolled back
// by a cold start, and never written when anything fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { filesystemBackend } from "../../dist/capacitor.js";
import { BUILTIN, NO_CLOUD, recordingFilesystem, recordingWebView } from "./filesystem-double.mjs";
import { APP, BASE, CHANNEL, NOW, files, keys, ota, rejects, routesFor, seal, fakeFetch } from "./client-fixtures.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const k = keys();
const { randomBytes } = await import("node:crypto");
const big = randomBytes(2_000_000).toString("base64"); // several appendFile pieces
const enc = seal(k, "2.0.0", { encrypt: true, segmentSize: 65536, extra: { "assets/big.txt": big } });
const plain = seal(k, "3.0.0");
const url = (name) => `${BASE}/${name}/manifest.json`;
const folder = (id) => `ionic_built_snapshots/otaseal-${id}`;

/** One page of the app: a fresh backend and client over the same device (files, webview, storage). */
function setup({ native = true, fs = recordingFilesystem(), webView = recordingWebView(), storage = ota.memoryStorage(), routes = {} } = {}) {
  const backend = filesystemBackend(fs.plugin, { webView: webView.plugin, capacitor: { isNativePlatform: () => native } });
  const client = ota.createUpdateClient({
    trust: k.trust, app: APP, channel: CHANNEL, platform: "ios", backend, storage, bundledVersion: "1.0.0",
    fetch: fakeFetch({ ...routesFor("enc", enc), ...routesFor("plain", plain), ...routes }, { chunk: 65536 }),
    clock: () => NOW * 1000, decryptionKeys: [k.bundleKey.key],
  });
  const reload = () => setup({ native, fs, webView, storage, routes });
  return { fs, webView, backend, client, storage, reload };
}

test("the doubles type-check against the real Filesystem and WebView definitions (and so does the backend)", () => {
  const tsc = `${root}/node_modules/typescript/bin/tsc`;
  const flags = ["--noEmit", "--allowJs", "--checkJs", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext", "--types", "node"];
  execFileSync(process.execPath, [tsc, ...flags, `${root}/tests/js/filesystem-double.mjs`], { cwd: root, stdio: "pipe" });
});

test("an encrypted release: verified in JS, staged, set without persisting, persisted by the new page, kept across a cold start", async () => {
  const s = setup();
  const release = await s.client.check(url("enc"));
  const dl = await s.client.download(release);
  const id = dl.id;
  assert.match(id, /^2\.0\.0-[0-9a-f]{16}$/);
  // Exactly the signed plaintext files, in the bundle folder; nothing left in staging.
  const written = s.fs.list(folder(id));
  const expected = files("2.0.0", { "assets/big.txt": big });
  assert.deepEqual([...written.keys()].sort(), expected.map((f) => f.path).sort());
  for (const f of expected) assert.deepEqual(written.get(f.path), f.data, f.path);
  assert.equal(s.fs.list("otaseal/staging").size, 0);
  assert.ok(s.fs.calls.filter((c) => c.method === "appendFile").length >= 2, "large files go in pieces");
  assert.equal(await s.backend.bundleStatus(id), "pending");

  await s.client.apply(release, "set");
  assert.deepEqual(s.webView.calls, [{ method: "setServerBasePath", args: { path: `${NO_CLOUD}/${folder(id)}` } }]);
  assert.equal(s.webView.persisted, BUILTIN, "not persisted before the release confirms");
  // The old page is on its way out: it may not confirm the release, stage or switch again.
  await rejects(s.client.notifyAppReady(), "CLIENT_INVALID_STATE");
  await rejects(s.backend.set(id), "CLIENT_INVALID_STATE");
  assert.equal(s.webView.persisted, BUILTIN);

  const page = s.reload(); // the page the new bundle loads
  assert.deepEqual(await page.backend.current(), { id, version: "2.0.0", zipSha256: release.manifest.bundle.zipSha256, native: null, envelope: enc.envelopeJson });
  await page.client.notifyAppReady();
  assert.equal(s.webView.persisted, `${NO_CLOUD}/${folder(id)}`);
  assert.equal(await page.backend.bundleStatus(id), "confirmed");
  const st = await page.client.status();
  assert.equal(st.floor.version, "2.0.0");
  assert.equal(st.state.pending, null);

  // A cold start: Capacitor iOS looks under Library/NoCloud/ionic_built_snapshots/ by folder name.
  s.webView.restart();
  assert.equal(s.webView.path, `${NO_CLOUD}/${folder(id)}`);
  assert.ok(s.fs.list(folder(id)).has("index.html"), "the restored folder holds the release");
  const after = s.reload();
  assert.equal((await after.backend.current()).version, "2.0.0");
  assert.equal(await after.backend.bundleStatus(id), "confirmed");
});

test("a release set and never confirmed is gone at the next cold start and blocklisted", async () => {
  const s = setup();
  const release = await s.client.check(url("enc"));
  await s.client.download(release);
  await s.client.apply(release, "set");
  s.webView.restart(); // the new bundle never called notifyAppReady; the user restarts the app
  assert.equal(s.webView.path, BUILTIN);
  const again = s.reload();
  const st = await again.client.status();
  assert.equal(st.state.pending, null);
  assert.deepEqual(st.state.blocklist.map((b) => b.version), ["2.0.0"]);
  await rejects(again.client.check(url("enc")), "CLIENT_BLOCKLISTED");
});

test("next: activateNext switches at the next start, racing status() blocklists nothing; replaced bundles are removed", async () => {
  const s = setup({ webView: recordingWebView({ delayMs: 20 }) });
  const r2 = await s.client.check(url("enc"));
  const d2 = await s.client.download(r2);
  await s.client.apply(r2, "next");
  assert.deepEqual(s.webView.calls, [], "next does not switch the running webview");

  const start = s.reload(); // the next start, in the builtin bundle
  const [switched, st] = await Promise.all([start.backend.activateNext(), start.client.status()]);
  assert.equal(switched, true);
  assert.deepEqual(st.state.blocklist, [], "a status() racing the switch does not blocklist the release");
  assert.equal(s.webView.path, `${NO_CLOUD}/${folder(d2.id)}`);
  await rejects(start.client.notifyAppReady(), "CLIENT_INVALID_STATE"); // the builtin page cannot confirm it

  const page = s.reload(); // the page 2.0.0 loads
  assert.equal(await page.backend.activateNext(), false, "only once");
  await page.client.notifyAppReady();
  assert.equal((await page.client.status()).floor.version, "2.0.0");
  // A later release replaces it; once that one confirms, the old folder goes.
  const r3 = await page.client.check(url("plain"));
  const d3 = await page.client.download(r3);
  await page.client.apply(r3, "set");
  const page3 = s.reload();
  await page3.client.notifyAppReady();
  assert.equal(s.fs.list(folder(d2.id)).size, 0);
  assert.ok(s.fs.list(folder(d3.id)).size > 0);
  assert.equal(await page3.backend.bundleStatus(d2.id), "missing");
  await rejects(page3.backend.set(d2.id), "CLIENT_BUNDLE_UNKNOWN");
});

test("a write failure or an abort mid-stage leaves no files and no bundle", async () => {
  const failing = setup({ fs: recordingFilesystem({ failOn: { method: "appendFile", nth: 2 } }) });
  const release = await failing.client.check(url("enc"));
  const e = await rejects(failing.client.download(release), "CLIENT_BACKEND_FAILED");
  assert.match(e.message, /appendFile failed \(injected\)/);
  assert.equal(failing.fs.list("otaseal/staging").size, 0);
  assert.equal(failing.fs.list("ionic_built_snapshots").size, 0);
  assert.deepEqual(failing.webView.calls, []);

  const controller = new AbortController();
  const fs = recordingFilesystem({ onCall: (method) => method === "writeFile" && controller.abort() });
  const aborting = setup({ fs });
  const r = await aborting.client.check(url("enc"));
  await rejects(aborting.client.download(r, { signal: controller.signal }), "CLIENT_ABORTED");
  assert.equal(fs.list("otaseal/staging").size, 0);
  assert.equal(fs.list("ionic_built_snapshots").size, 0);
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

test("the bundle list: a torn newest slot falls back to the older one, a failing read is an error, garbage trusts nothing", async () => {
  const s = setup();
  const release = await s.client.check(url("enc"));
  const { id } = await s.client.download(release); // list written once: slot 1 (seq 1)
  await s.client.apply(release, "next"); // slot 0 (seq 2)
  s.fs.put("otaseal/index-0.json", '{"v":1,"seq":3,"bundles":[{"id":"'); // torn write of the newest
  assert.equal(await s.backend.bundleStatus(id), "pending", "the older slot still knows the bundle");

  const flaky = setup({ fs: recordingFilesystem({ readError: (p) => p.endsWith("index-1.json") }) });
  await rejects(flaky.backend.current(), "CLIENT_BACKEND_FAILED");

  const g = setup();
  g.fs.put("otaseal/index-0.json", "{not json");
  g.fs.put("otaseal/index-1.json", JSON.stringify({ v: 1, seq: 9, bundles: [{ id: "../../x-0000000000000000", version: "9.0.0", zipSha256: "0", status: "confirmed" }], next: null }));
  assert.deepEqual(await g.backend.current(), { id: "builtin", version: null, zipSha256: null, native: null, envelope: null });
  assert.equal(await g.backend.bundleStatus("2.0.0-0000000000000000"), "missing");
  await rejects(g.backend.set("2.0.0-0000000000000000"), "CLIENT_BUNDLE_UNKNOWN");
});

test("bad arguments are refused", () => {
  const fs = recordingFilesystem();
  const webView = recordingWebView();
  const capacitor = { isNativePlatform: () => true };
  for (const [args, text] of [
    [[null, { webView: webView.plugin, capacitor }], /Filesystem plugin/],
    [[fs.plugin, { capacitor }], /options.webView/],
    [[fs.plugin, { webView: webView.plugin }], /options.capacitor/],
  ]) {
    assert.throws(() => filesystemBackend(...args), (e) => e.code === "CLIENT_INVALID_ARGUMENT" && text.test(e.message));
  }
});
