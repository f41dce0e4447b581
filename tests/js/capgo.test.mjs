// The capgo backend against a recording double of the real CapacitorUpdaterPlugin: it passes
// exactly the signed hashes, refuses to run off a native platform, refuses encrypted releases,
// and the double itself type-checks against the plugin's definitions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { capgoBackend, preferencesStorage } from "../../dist/capacitor.js";
import { recordingUpdater } from "./capgo-double.mjs";
import { APP, BASE, CHANNEL, NOW, keys, ota, rejects, routesFor, seal, fakeFetch } from "./client-fixtures.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const k = keys();
const v2 = seal(k, "2.0.0");
const v3 = seal(k, "3.0.0");
const enc = seal(k, "2.0.0", { encrypt: true, segmentSize: 4096 });
const zipUrl = (name) => `${BASE}/${name}/bundle.zip`;
const url = (name) => `${BASE}/${name}/manifest.json`;
const FILES = "https://files.example.com/2.0.0/";

function setup({ native = true, mode, served, extraRoutes = {} } = {}) {
  const double = recordingUpdater({ served: served ?? { [zipUrl("v2")]: v2.bundle, [zipUrl("v3")]: v3.bundle } });
  const fetch = fakeFetch({ ...routesFor("v2", v2), ...routesFor("v3", v3), ...routesFor("enc", enc), ...extraRoutes });
  const events = [];
  const client = ota.createUpdateClient({
    trust: k.trust,
    app: APP,
    channel: CHANNEL,
    platform: "ios",
    backend: capgoBackend(double.plugin, { capacitor: { isNativePlatform: () => native }, ...(mode ? { mode, filesBaseUrl: FILES } : {}) }),
    fetch,
    clock: () => NOW * 1000,
  });
  const verified = [];
  client.on("verified", (e) => verified.push(e));
  client.on("failed", (e) => events.push(e));
  client.on("rejected", (e) => events.push(e));
  return { double, client, fetch, events, verified };
}

test("the recording double type-checks against the real CapacitorUpdaterPlugin definitions (and so does the backend)", () => {
  const tsc = `${root}/node_modules/typescript/bin/tsc`;
  const flags = ["--noEmit", "--allowJs", "--checkJs", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext", "--types", "node"];
  execFileSync(process.execPath, [tsc, ...flags, `${root}/tests/js/capgo-double.mjs`], { cwd: root, stdio: "pipe" });
});

test("refuses off a native platform: CLIENT_NOT_NATIVE, and the plugin is never called", async () => {
  const s = setup({ native: false });
  await rejects(s.client.check(url("v2")), "CLIENT_NOT_NATIVE");
  assert.deepEqual(s.double.calls, []);
  const backend = capgoBackend(s.double.plugin, { capacitor: { isNativePlatform: () => false } });
  for (const f of [() => backend.current(), () => backend.next("x"), () => backend.set("x"), () => backend.notifyAppReady()]) {
    await rejects(f(), "CLIENT_NOT_NATIVE");
  }
  assert.deepEqual(s.double.calls, []);
});

test("zip mode: download({ url, version, checksum }) with exactly the signed zip SHA-256, after the bundle verified in JS", async () => {
  const s = setup();
  const release = await s.client.check(url("v2"));
  const dl = await s.client.download(release);
  const download = s.double.calls.filter((c) => c.method === "download");
  assert.deepEqual(download, [{ method: "download", args: { url: zipUrl("v2"), version: "2.0.0", checksum: v2.manifest.bundle.zipSha256 } }]);
  assert.ok(s.fetch.requests.some((r) => r.url === zipUrl("v2")), "the client verified every byte first");
  assert.equal(dl.files, null, "the plaintext is not kept: the plugin downloads the bundle itself");
  assert.equal(s.verified.at(-1).files.length, 2);
  await s.client.apply(release, "next");
  assert.deepEqual(s.double.calls.at(-1), { method: "next", args: { id: dl.id } });
});

test("zip mode: a bundle swapped after JS verification is refused by the pinned checksum", async () => {
  const s = setup({ served: { [zipUrl("v2")]: v3.bundle } });
  const release = await s.client.check(url("v2"));
  const e = await rejects(s.client.download(release), "CLIENT_BACKEND_FAILED");
  assert.match(e.message, /Checksum failed/);
});

test("a bundle that fails JS verification never reaches the plugin", async () => {
  const bad = v2.bundle.slice(0, -1);
  const s = setup({ extraRoutes: { [zipUrl("v2")]: bad } });
  await rejects(s.client.download(await s.client.check(url("v2"))), "BUNDLE_TRUNCATED");
  assert.equal(s.double.calls.filter((c) => c.method === "download").length, 0);
});

test("files mode: download({ version, manifest }) with every file_hash from the signed manifest", async () => {
  const served = Object.fromEntries(
    [["index.html", `<!doctype html><title>v2.0.0</title><h1>2.0.0</h1>\n`], ["version.txt", "2.0.0"]].map(([p, t]) => [FILES + p, new TextEncoder().encode(t)]),
  );
  const s = setup({ mode: "files", served });
  const release = await s.client.check(url("v2"));
  await s.client.download(release);
  const [call] = s.double.calls.filter((c) => c.method === "download");
  assert.deepEqual(call.args.manifest, v2.manifest.files.map((f) => ({ file_name: f.path, file_hash: f.sha256, download_url: FILES + f.path })));
  assert.equal(call.args.version, "2.0.0");
  assert.equal(call.args.checksum, undefined);
  assert.ok(!s.fetch.requests.some((r) => r.url === zipUrl("v2")), "files mode does not download the zip in JS by default");
});

test("encrypted releases are refused with CLIENT_BACKEND_UNSUPPORTED naming the backend that can take them", async () => {
  const s = setup();
  const release = await s.client.check(url("enc"));
  const e = await rejects(s.client.download(release), "CLIENT_BACKEND_UNSUPPORTED");
  assert.match(e.message, /filesystemBackend from otaseal\/capacitor/);
  assert.match(e.message, /otaseal\/web/);
  assert.equal(s.double.calls.filter((c) => c.method === "download").length, 0);
});

test("set → notifyAppReady records the floor; a native rollback blocklists the release", async () => {
  const s = setup();
  const r = await s.client.check(url("v2"));
  const dl = await s.client.download(r);
  await s.client.apply(r, "set");
  assert.deepEqual(s.double.calls.filter((c) => c.method === "set"), [{ method: "set", args: { id: dl.id } }]);
  await s.client.notifyAppReady();
  assert.equal((await s.client.status()).state.floor.version, "2.0.0");
  const r3 = await s.client.check(url("v3"));
  await s.client.download(r3);
  await s.client.apply(r3, "set");
  s.double.rollBack(); // the native updater: notifyAppReady never came, back to builtin, bundle status error
  await rejects(s.client.check(url("v3")), "CLIENT_BLOCKLISTED");
});

test("capgoBackend validates its arguments", () => {
  const { plugin } = recordingUpdater();
  assert.throws(() => capgoBackend({}, { capacitor: { isNativePlatform: () => true } }), { code: "CLIENT_INVALID_ARGUMENT" });
  assert.throws(() => capgoBackend(plugin, {}), { code: "CLIENT_INVALID_ARGUMENT" });
  assert.throws(() => capgoBackend(plugin, { capacitor: { isNativePlatform: () => true }, mode: "files" }), { code: "CLIENT_INVALID_ARGUMENT" });
});

test("preferencesStorage over a @capacitor/preferences-shaped object", async () => {
  const map = new Map();
  const prefs = {
    get: async ({ key }) => ({ value: map.has(key) ? map.get(key) : null }),
    set: async ({ key, value }) => void map.set(key, value),
    remove: async ({ key }) => void map.delete(key),
  };
  const st = preferencesStorage(prefs);
  assert.equal(await st.get("a"), null);
  await st.set("a", "1");
  assert.equal(await st.get("a"), "1");
  await st.remove("a");
  assert.equal(await st.get("a"), null);
});
