// The Capawesome backend against a recording double of the real LiveUpdatePlugin: it pins
// exactly the signed zip hash, refuses off a native platform, refuses encrypted releases, a
// plugin too old to pin and a plugin that auto-updates by itself; next/set/ready map as
// documented; the floor falls back to the plugin's current bundle; a native rollback
// blocklists. The double and the backend type-check against the plugin's definitions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { capawesomeBackend, capawesomeBundleId } from "../../dist/capacitor.js";
import { recordingLiveUpdate } from "./capawesome-double.mjs";
import { APP, BASE, CHANNEL, NOW, keys, ota, rejects, routesFor, seal, fakeFetch } from "./client-fixtures.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const k = keys();
const v2 = seal(k, "2.0.0");
const v3 = seal(k, "3.0.0");
const enc = seal(k, "2.0.0", { encrypt: true, segmentSize: 4096 });
const zipUrl = (name) => `${BASE}/${name}/bundle.zip`;
const url = (name) => `${BASE}/${name}/manifest.json`;
const idOf = (sealed) => `otaseal-${sealed.manifest.bundle.zipSha256}-${sealed.manifest.version}`;

function setup({ native = true, served, storage = ota.memoryStorage(), double: d, ...plugin } = {}) {
  const double = d ?? recordingLiveUpdate({ served: served ?? { [zipUrl("v2")]: v2.bundle, [zipUrl("v3")]: v3.bundle }, ...plugin });
  const fetch = fakeFetch({ ...routesFor("v2", v2), ...routesFor("v3", v3), ...routesFor("enc", enc) });
  const client = ota.createUpdateClient({
    trust: k.trust,
    app: APP,
    channel: CHANNEL,
    platform: "ios",
    backend: capawesomeBackend(double.plugin, { capacitor: { isNativePlatform: () => native } }),
    storage,
    fetch,
    clock: () => NOW * 1000,
    bundledVersion: "1.0.0",
  });
  return { double, client, fetch, storage };
}
const calls = (double, method) => double.calls.filter((c) => c.method === method);

test("the recording double type-checks against the real LiveUpdatePlugin definitions (and so does the backend)", () => {
  const tsc = `${root}/node_modules/typescript/bin/tsc`;
  const flags = ["--noEmit", "--allowJs", "--checkJs", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext", "--types", "node", "--skipLibCheck"];
  // One tsc run: the double, and the real LiveUpdate object where the backend wants its plugin.
  fs.mkdirSync(path.join(root, "target"), { recursive: true });
  const dir = fs.mkdtempSync(path.join(root, "target", "capawesome-types-"));
  try {
    const file = path.join(dir, "uses-real-plugin.ts");
    fs.writeFileSync(
      file,
      [
        'import { LiveUpdate } from "@capawesome/capacitor-live-update";',
        'import { Capacitor } from "@capacitor/core";',
        `import { capawesomeBackend, type CapawesomePlugin } from ${JSON.stringify(path.join(root, "dist/capacitor.js"))};`,
        "const plugin: CapawesomePlugin = LiveUpdate;",
        "export const backend = capawesomeBackend(plugin, { capacitor: Capacitor });",
        "",
      ].join("\n"),
    );
    const r = spawnSync(process.execPath, [tsc, ...flags, `${root}/tests/js/capawesome-double.mjs`, file], { cwd: root, encoding: "utf8" });
    assert.equal(r.status, 0, `tsc:\n${r.stdout}${r.stderr}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("refuses off a native platform: CLIENT_NOT_NATIVE, and the plugin is never called", async () => {
  const s = setup({ native: false });
  await rejects(s.client.check(url("v2")), "CLIENT_NOT_NATIVE");
  const backend = capawesomeBackend(s.double.plugin, { capacitor: { isNativePlatform: () => false } });
  for (const f of [() => backend.current(), () => backend.next("x"), () => backend.set("x"), () => backend.notifyAppReady(), () => backend.bundleStatus("x")]) {
    await rejects(f(), "CLIENT_NOT_NATIVE");
  }
  assert.deepEqual(s.double.calls, []);
});

test("downloadBundle({ artifactType: zip, bundleId, url, checksum }) with exactly the signed zip SHA-256, after the bundle verified in JS", async () => {
  const s = setup();
  const release = await s.client.check(url("v2"));
  const dl = await s.client.download(release);
  assert.deepEqual(calls(s.double, "downloadBundle"), [
    { method: "downloadBundle", args: { artifactType: "zip", bundleId: idOf(v2), url: zipUrl("v2"), checksum: v2.manifest.bundle.zipSha256 } },
  ]);
  assert.equal(dl.id, idOf(v2));
  assert.equal(capawesomeBundleId(release), idOf(v2));
  assert.equal(dl.files, null, "the plaintext is not kept: the plugin downloads the bundle itself");
  const firstPluginCall = s.double.calls.findIndex((c) => c.method === "downloadBundle");
  assert.ok(firstPluginCall >= 0 && s.fetch.requests.some((r) => r.url === zipUrl("v2")), "the client verified every byte first");
  await s.client.apply(release, "next");
  assert.deepEqual(s.double.calls.at(-1), { method: "setNextBundle", args: { bundleId: dl.id } });
  assert.equal(calls(s.double, "reload").length, 0, "next does not reload");
});

test("a bundle swapped after JS verification is refused by the pinned checksum", async () => {
  const s = setup({ served: { [zipUrl("v2")]: v3.bundle } });
  const release = await s.client.check(url("v2"));
  const e = await rejects(s.client.download(release), "CLIENT_BACKEND_FAILED");
  assert.match(e.message, /Checksum mismatch/);
  assert.equal(s.double.bundles.size, 0);
});

test("a bundle that fails JS verification never reaches the plugin", async () => {
  const double = recordingLiveUpdate({ served: { [zipUrl("v2")]: v2.bundle } });
  const fetch = fakeFetch({ ...routesFor("v2", v2), [zipUrl("v2")]: v2.bundle.slice(0, -1) });
  const client = ota.createUpdateClient({
    trust: k.trust, app: APP, channel: CHANNEL, platform: "ios", fetch, clock: () => NOW * 1000, bundledVersion: "1.0.0",
    backend: capawesomeBackend(double.plugin, { capacitor: { isNativePlatform: () => true } }),
  });
  await rejects(client.download(await client.check(url("v2"))), "BUNDLE_TRUNCATED");
  assert.equal(calls(double, "downloadBundle").length, 0);
});

test("encrypted releases are refused with CLIENT_BACKEND_UNSUPPORTED naming filesystemBackend", async () => {
  const s = setup();
  const release = await s.client.check(url("enc"));
  const e = await rejects(s.client.download(release), "CLIENT_BACKEND_UNSUPPORTED");
  assert.match(e.message, /filesystemBackend from otaseal\/capacitor/);
  assert.match(e.message, /otaseal\/web/);
  assert.equal(calls(s.double, "downloadBundle").length, 0);
});

test("a plugin too old to pin (no getConfig, < 7.4) or set to autoUpdateStrategy background is refused before any download", async () => {
  for (const [opts, why] of [
    [{ noGetConfig: true }, /plugin ≥ 7\.4/],
    [{ autoUpdateStrategy: "background" }, /autoUpdateStrategy "background"/],
  ]) {
    const s = setup(opts);
    const release = await s.client.check(url("v2"));
    const e = await rejects(s.client.download(release), "CLIENT_BACKEND_UNSUPPORTED");
    assert.match(e.message, why);
    assert.equal(calls(s.double, "downloadBundle").length, 0);
    assert.ok(!s.fetch.requests.some((r) => r.url === zipUrl("v2")), "refused before the bundle is fetched");
  }
});

test("set → setNextBundle + reload; ready() moves the floor to the release; the floor falls back to the plugin's current bundle", async () => {
  const storage = ota.memoryStorage();
  const s = setup({ storage });
  const r = await s.client.check(url("v2"));
  const dl = await s.client.download(r);
  await s.client.apply(r, "set");
  assert.deepEqual(s.double.calls.slice(-2), [
    { method: "setNextBundle", args: { bundleId: dl.id } },
    { method: "reload", args: undefined },
  ]);
  const cur = await s.client.notifyAppReady();
  assert.deepEqual(cur, { id: dl.id, version: "2.0.0", zipSha256: v2.manifest.bundle.zipSha256, native: "8.0.0" });
  assert.equal((await s.client.status()).state.floor.version, "2.0.0");

  // State lost: the plugin's current bundle is the floor (2.0.0 is "installed", not offered again).
  const fresh = setup({ double: s.double, storage: ota.memoryStorage() });
  const status = await fresh.client.status();
  assert.deepEqual(status.floor, { version: "2.0.0", zipSha256: v2.manifest.bundle.zipSha256, source: "backend" });
  assert.equal(await fresh.client.check(url("v2")), null);
});

test("a native rollback (ready() never came) blocklists the release; with autoBlockRolledBackBundles too", async () => {
  for (const autoBlockRolledBackBundles of [false, true]) {
    const s = setup({ autoBlockRolledBackBundles });
    const r = await s.client.check(url("v2"));
    await s.client.download(r);
    await s.client.apply(r, "set");
    s.double.rollBack(); // readyTimeout: back to the default bundle
    await s.client.notifyAppReady(); // the builtin bundle starts and confirms
    await rejects(s.client.check(url("v2")), "CLIENT_BLOCKLISTED");
    assert.equal((await s.client.status()).floor.version, "1.0.0");
  }
});

test("next → restart → ready(): the release is confirmed at the next start", async () => {
  const s = setup();
  const r = await s.client.check(url("v2"));
  const dl = await s.client.download(r);
  await s.client.apply(r, "next");
  assert.equal(await capawesomeBackend(s.double.plugin, { capacitor: { isNativePlatform: () => true } }).bundleStatus(dl.id), "pending");
  s.double.restart();
  await s.client.notifyAppReady();
  assert.equal((await s.client.status()).state.floor.version, "2.0.0");
  assert.equal((await s.client.status()).state.pending, null);
});

test("a leftover download of the same release is deleted and downloaded again; the running bundle is never re-staged", async () => {
  const s = setup();
  const backend = capawesomeBackend(s.double.plugin, { capacitor: { isNativePlatform: () => true } });
  // A bundle with this id from an earlier, interrupted run (and possibly other bytes).
  s.double.bundles.set(idOf(v2), new Uint8Array([1, 2, 3]));
  const r = await s.client.check(url("v2"));
  await s.client.download(r);
  assert.deepEqual(calls(s.double, "deleteBundle"), [{ method: "deleteBundle", args: { bundleId: idOf(v2) } }]);
  assert.deepEqual(s.double.bundles.get(idOf(v2)), v2.bundle);
  await s.client.apply(r, "set");
  await rejects(backend.stage({ release: r, bundleUrl: zipUrl("v2"), manifestUrl: url("v2") }), "CLIENT_INVALID_STATE");
});

test("bundleStatus: missing, pending (next or running), error (blocked, or reset by the rollback timer)", async () => {
  const s = setup({ autoBlockRolledBackBundles: true });
  const backend = capawesomeBackend(s.double.plugin, { capacitor: { isNativePlatform: () => true } });
  assert.equal(await backend.bundleStatus("nope"), "missing");
  const r = await s.client.check(url("v2"));
  const { id } = await s.client.download(r);
  await backend.next(id);
  assert.equal(await backend.bundleStatus(id), "pending");
  await backend.set(id);
  assert.equal(await backend.bundleStatus(id), "pending");
  s.double.rollBack();
  assert.equal(await backend.bundleStatus(id), "error");
  await backend.notifyAppReady(); // blocks it natively
  assert.equal(await backend.bundleStatus(id), "error");
});

test("current(): builtin and foreign bundle ids name no version; ours name the signed version and hash", async () => {
  const s = setup();
  const backend = capawesomeBackend(s.double.plugin, { capacitor: { isNativePlatform: () => true } });
  assert.deepEqual(await backend.current(), { id: "builtin", version: null, zipSha256: null, native: "8.0.0" });
  s.double.bundles.set("6e351b4f-69a7-415e-a057-4567df7ffe94", new Uint8Array(1)); // a Capawesome Cloud bundle
  await s.double.plugin.setNextBundle({ bundleId: "6e351b4f-69a7-415e-a057-4567df7ffe94" });
  await s.double.plugin.reload();
  assert.deepEqual(await backend.current(), { id: "6e351b4f-69a7-415e-a057-4567df7ffe94", version: null, zipSha256: null, native: "8.0.0" });
});

test("capawesomeBackend validates its arguments", () => {
  const { plugin } = recordingLiveUpdate();
  assert.throws(() => capawesomeBackend({}, { capacitor: { isNativePlatform: () => true } }), { code: "CLIENT_INVALID_ARGUMENT" });
  assert.throws(() => capawesomeBackend(null, { capacitor: { isNativePlatform: () => true } }), { code: "CLIENT_INVALID_ARGUMENT" });
  assert.throws(() => capawesomeBackend(plugin, {}), { code: "CLIENT_INVALID_ARGUMENT" });
  assert.throws(() => capawesomeBackend(plugin), { code: "CLIENT_INVALID_ARGUMENT" });
});
