// The web fallback's service worker (otaseal/sw) in Node, over a fake worker scope and the
// in-memory Cache Storage, with the real wasm core injected: it serves a bundle only after
// verifying its stored envelope against the root in the worker script (or a rotation it
// fetched and verified from that root), and hashes every file it serves. The same worker runs
// in Chromium in tests/browser/sw-verify.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createWebUpdater, webBackend } from "../../dist/web.js";
import { installServiceWorker } from "../../dist/sw.js";
import { memoryCaches, withCaches } from "./caches-double.mjs";
import { APP, BASE, CHANNEL, NOW, fakeFetch, keys, ota, routesFor, seal } from "./client-fixtures.mjs";

const k = keys();
const second = ota.keygen();
const rotation2 = ota.trustRotate(k.trust, [second.publicKeyPem], 1, [k.signer.privateKeyPem, second.privateKeyPem]);
const bySecond = seal(k, "2.0.0", { signer: second });
const SCOPE = "https://app.example/app/";
const trustUrl = (n) => `${BASE}/trust/${n}.json`;
const BUILTIN = "<h1>builtin</h1>";

/** A service worker over `caches`: `get(path)` is what a navigation to `path` receives. */
function worker(caches, options) {
  const listeners = {};
  const network = [];
  const routes = { [trustUrl(2)]: rotation2 };
  const scope = {
    registration: { scope: SCOPE },
    caches,
    clients: { claim: async () => {}, matchAll: async () => [] },
    skipWaiting: async () => {},
    async fetch(request) {
      network.push(request.url);
      const body = routes[request.url];
      if (body !== undefined) return new Response(body);
      return request.url.startsWith(SCOPE) ? new Response(BUILTIN) : new Response("not found", { status: 404 });
    },
    addEventListener: (type, listener) => (listeners[type] = listener),
  };
  installServiceWorker(scope, { trust: k.trust, app: APP, channel: CHANNEL, builtinVersion: "1.0.0", core: ota, clock: () => NOW * 1000, ...options });
  return {
    network,
    async get(path) {
      let response = null;
      const waits = [];
      listeners.fetch({
        request: { url: new URL(path, SCOPE).href, method: "GET", mode: "navigate" },
        respondWith: (p) => (response = p),
        waitUntil: (p) => waits.push(p),
      });
      assert.ok(response, "the worker answers requests inside its scope");
      return (await response).text();
    },
  };
}

/** Installs `sealed` with a real client over the web updater (as a page would) and activates it. */
async function installed(sealed, clientOptions = {}) {
  const updater = await createWebUpdater({ scope: SCOPE, builtinVersion: "1.0.0", reload: () => {}, clock: () => NOW * 1000 });
  const client = ota.createUpdateClient({
    trust: k.trust, app: APP, channel: CHANNEL, platform: "web", backend: webBackend(updater), clock: () => NOW * 1000,
    fetch: fakeFetch({ ...routesFor("r", sealed), [trustUrl(2)]: rotation2 }), ...clientOptions,
  });
  const release = await client.check(`${BASE}/r/manifest.json`);
  await client.download(release);
  await client.apply(release, "set");
  return updater;
}

test("service worker: serves a verified bundle; after a trust rotation only with rotationUrl (fetched and verified from its own root)", async () => {
  const caches = memoryCaches();
  await withCaches(caches, async () => {
    await installed(bySecond, { rotationUrl: `${BASE}/trust/{version}.json` });
  });
  // The root in the worker script does not trust the new key: the site's own files.
  const plain = worker(caches);
  assert.equal(await plain.get("index.html"), BUILTIN);
  // With rotationUrl the worker fetches rotation 2 (and 3: 404), verifies it from its root, and serves 2.0.0.
  const rotating = worker(caches, { rotationUrl: `${BASE}/trust/{version}.json`, transport: "https-only" });
  assert.match(await rotating.get("index.html"), /<h1>2\.0\.0<\/h1>/);
  assert.deepEqual(rotating.network.filter((u) => u.includes("/trust/")), [trustUrl(2), trustUrl(3)]);
  assert.equal(await rotating.get("version.txt"), "2.0.0");
  // A stored file changed afterwards is not served, and the bundle is dropped.
  const cacheName = (await caches.keys()).find((n) => n.includes(":bundle:"));
  await (await caches.open(cacheName)).put(new URL("version.txt", SCOPE).href, new Response("6.6.6"));
  assert.equal(await rotating.get("version.txt"), BUILTIN);
  assert.equal(await rotating.get("index.html"), BUILTIN);
  assert.throws(() => worker(caches, { trust: "" }), { code: "CLIENT_INVALID_ARGUMENT" });
  assert.throws(() => worker(caches, { rotationUrl: "http://evil.example/{version}.json" }), { code: "CLIENT_INSECURE_URL" });
});

test("service worker: a bundle signed for the pinned root is served; one not above builtinVersion or for another app is not", async () => {
  const v2 = seal(k, "2.0.0");
  const caches = memoryCaches();
  await withCaches(caches, () => installed(v2));
  assert.match(await worker(caches).get("index.html"), /<h1>2\.0\.0<\/h1>/);
  assert.equal(await worker(caches, { builtinVersion: "2.0.0" }).get("index.html"), BUILTIN);
  assert.equal(await worker(caches, { app: "com.example.other" }).get("index.html"), BUILTIN);
});
