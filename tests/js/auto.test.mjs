// autoBackend (ts/auto.ts): which backend each platform gets, and every refusal's code. The
// native plugins are the recording doubles type-checked against the real plugin definitions
// (capgo-double.mjs, filesystem-double.mjs); the browser path runs for real in Chromium in
// tests/bundlers/web-fallback.test.mjs. Here in Node the web path must refuse cleanly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { autoBackend } from "../../dist/capacitor.js";
import { recordingUpdater } from "./capgo-double.mjs";
import { recordingFilesystem, recordingWebView } from "./filesystem-double.mjs";
import { APP, CHANNEL, NOW, keys, ota, routesFor, seal, fakeFetch } from "./client-fixtures.mjs";

const capacitor = (platform) => ({ isNativePlatform: () => platform !== "web", getPlatform: () => platform });
const WEB = { scope: "https://app.example.com/", builtinVersion: "1.0.0" };

async function rejects(promise, code) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.name, "UpdateError");
    assert.equal(e.code, code, e.message);
    return true;
  });
}

test("iOS and Android with plain releases: the Capgo backend, for the reported platform", async () => {
  for (const platform of ["ios", "android"]) {
    const capgo = recordingUpdater();
    const r = await autoBackend({ capacitor: capacitor(platform), capgo: capgo.plugin, web: WEB });
    assert.equal(r.kind, "capgo");
    assert.equal(r.platform, platform);
    assert.equal(r.backend.name, "capgo");
    assert.equal(r.reloading, false);
    assert.equal(r.webUpdater, null);
  }
});

test("the Capgo backend it returns installs a verified release end to end", async () => {
  const k = keys();
  const sealed = seal(k, "2.0.0");
  const capgo = recordingUpdater({ served: { "https://updates.example.com/app/plain/bundle.zip": sealed.bundle } });
  const { backend, platform } = await autoBackend({ capacitor: capacitor("ios"), capgo: capgo.plugin, capgoOptions: { verifyInJs: true } });
  const client = ota.createUpdateClient({
    trust: k.trust, app: APP, channel: CHANNEL, platform, backend, bundledVersion: "1.0.0",
    fetch: fakeFetch(routesFor("plain", sealed)), clock: () => NOW * 1000,
  });
  const release = await client.check("https://updates.example.com/app/plain/manifest.json");
  assert.equal(release?.manifest.version, "2.0.0");
  await client.download(release);
  await client.apply(release, "next");
  const download = capgo.calls.find((c) => c.method === "download");
  assert.equal(download.args.checksum, sealed.zipSha256, "the plugin pins the signed checksum");
});

test("iOS and Android with encrypted releases: the filesystem backend, activating a staged release", async () => {
  const fs = recordingFilesystem();
  const webView = recordingWebView();
  const r = await autoBackend({ capacitor: capacitor("android"), encrypted: true, filesystem: { plugin: fs.plugin, webView: webView.plugin } });
  assert.equal(r.kind, "filesystem");
  assert.equal(r.platform, "android");
  assert.equal(r.backend.accepts, "files");
  assert.equal(r.reloading, false, "nothing was staged with next");
});

test("encrypted releases on native: a release handed to next is activated by the next autoBackend (reloading)", async () => {
  const k = keys();
  const sealed = seal(k, "2.0.0", { encrypt: true });
  const fs = recordingFilesystem();
  const webView = recordingWebView();
  const start = () => autoBackend({ capacitor: capacitor("ios"), encrypted: true, filesystem: { plugin: fs.plugin, webView: webView.plugin } });
  const first = await start();
  assert.equal(first.reloading, false);
  const client = ota.createUpdateClient({
    trust: k.trust, app: APP, channel: CHANNEL, platform: first.platform, backend: first.backend, bundledVersion: "1.0.0",
    fetch: fakeFetch(routesFor("enc", sealed)), clock: () => NOW * 1000, decryptionKeys: [k.bundleKey.key],
  });
  const release = await client.check("https://updates.example.com/app/enc/manifest.json");
  await client.download(release);
  await client.apply(release, "next");
  assert.equal(webView.calls.length, 0, "next does not switch the running page");
  // The next start: the staged release is switched to, and the page must stop there.
  const second = await start();
  assert.equal(second.reloading, true);
  assert.match(webView.path, /otaseal-2\.0\.0-[0-9a-f]{16}$/);
  assert.equal((await start()).reloading, false, "only once");
});

test("a browser: the web fallback; in Node (no Cache Storage) it refuses with CLIENT_WEB_UNAVAILABLE", async () => {
  await rejects(autoBackend({ capacitor: capacitor("web"), capgo: recordingUpdater().plugin, web: WEB }), "CLIENT_WEB_UNAVAILABLE");
  await rejects(
    autoBackend({ capacitor: capacitor("web"), web: { ...WEB, serviceWorker: "/sw.js" } }),
    "CLIENT_WEB_UNAVAILABLE",
  );
});

test("every missing part and wrong argument is CLIENT_INVALID_ARGUMENT", async () => {
  const capgo = recordingUpdater().plugin;
  await rejects(autoBackend(undefined), "CLIENT_INVALID_ARGUMENT");
  await rejects(autoBackend({ capgo }), "CLIENT_INVALID_ARGUMENT");
  await rejects(autoBackend({ capacitor: { isNativePlatform: () => true }, capgo }), "CLIENT_INVALID_ARGUMENT");
  await rejects(autoBackend({ capacitor: capacitor("ios"), capgo, encrypted: "yes" }), "CLIENT_INVALID_ARGUMENT");
  await rejects(autoBackend({ capacitor: capacitor("web"), capgo }), "CLIENT_INVALID_ARGUMENT"); // no web options
  await rejects(autoBackend({ capacitor: capacitor("ios"), web: WEB }), "CLIENT_INVALID_ARGUMENT"); // no capgo
  await rejects(autoBackend({ capacitor: capacitor("ios"), capgo, encrypted: true }), "CLIENT_INVALID_ARGUMENT"); // no filesystem
  await rejects(autoBackend({ capacitor: capacitor("electron"), capgo }), "CLIENT_INVALID_ARGUMENT");
});
