// The web fallback updater (otaseal/web) in Node, over an in-memory Cache Storage that behaves
// like the browser's where it matters here: a deleted cache is gone for later `open`s even if
// a writer still holds the old object. The browser end-to-end tests (tests/browser) run the
// same updater in Chromium with the service worker; these cover races a single page can't show.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createWebUpdater } from "../../dist/web.js";
import { APP, BASE, CHANNEL, NOW, fakeFetch, keys, ota, rejects, routesFor, seal } from "./client-fixtures.mjs";
import { memoryCaches, withCaches } from "./caches-double.mjs";

const k = keys();
const release = seal(k, "2.0.0");

/**
 * The verified download the client hands over (`otaseal: { release, files }`): produced by a
 * real client's check() and download() through a backend that captures it (fallback updaters
 * accept nothing else).
 */
const captured = await (async () => {
  let input = null;
  const backend = {
    ...ota.memoryBackend(new ota.MemoryUpdater({ builtinVersion: "1.0.0" })),
    async stage(i) {
      input = i;
      return { id: "captured", version: i.release.manifest.version };
    },
  };
  const client = ota.createUpdateClient({
    trust: k.trust, app: APP, channel: CHANNEL, platform: "web", backend, clock: () => NOW * 1000,
    fetch: fakeFetch(routesFor("v2", release)),
  });
  await client.download(await client.check(`${BASE}/v2/manifest.json`));
  return input;
})();

function verified() {
  const m = captured.release.manifest;
  return { version: m.version, checksum: m.bundle.zipSha256, url: "https://x.example/bundle.zip", otaseal: { release: captured.release, files: captured.files } };
}


const options = { scope: "https://app.example/app/", builtinVersion: "1.0.0", reload: () => {} };

test("without Cache Storage the web fallback refuses to start: CLIENT_WEB_UNAVAILABLE", async () => {
  assert.equal(globalThis.caches, undefined);
  await rejects(createWebUpdater(options), "CLIENT_WEB_UNAVAILABLE");
});

test("another page's start-up clean-up during staging: the download fails and nothing is listed", async () => {
  let puts = 0;
  const caches = memoryCaches({
    beforePut: async (name) => {
      // The second file of the bundle: a new page opens the updater, which deletes caches the
      // state does not list yet (leftovers of interrupted downloads), this one included.
      if (name.includes("bundle") && ++puts === 2) await createWebUpdater(options);
    },
  });
  await withCaches(caches, async () => {
    const updater = await createWebUpdater(options);
    const e = await rejects(updater.download(verified()), "CLIENT_BACKEND_FAILED");
    assert.match(e.message, /another page cleaned up/);
    assert.deepEqual((await updater.list()).bundles, []);
    // Without interference the same download is listed, with every file stored.
    const bundle = await updater.download(verified());
    assert.equal(bundle.version, "2.0.0");
    assert.deepEqual((await updater.list()).bundles.map((b) => b.id), [bundle.id]);
  });
});

test("the page that called set() cannot confirm the new bundle; a page of that bundle can", async () => {
  await withCaches(memoryCaches(), async () => {
    const old = await createWebUpdater(options);
    const bundle = await old.download(verified());
    await old.set({ id: bundle.id });
    await rejects(old.notifyAppReady(), "CLIENT_INVALID_STATE");
    assert.equal((await old.list()).bundles[0].status, "pending");
    const page = await createWebUpdater(options); // the reload into the new bundle
    assert.equal((await page.notifyAppReady()).bundle.id, bundle.id);
    assert.equal((await page.list()).bundles[0].status, "success");
  });
});

test("a bundle listed by someone else under the release's id is staged again, not trusted", async () => {
  await withCaches(memoryCaches(), async () => {
    const updater = await createWebUpdater(options);
    const id = `b-${captured.release.manifest.bundle.zipSha256.slice(0, 16)}`;
    // Planted: the id listed as downloaded, with a file of the attacker's and no envelope.
    await updater.store.update((s) => ({
      state: { ...s, bundles: [{ id, version: "2.0.0", downloaded: "", checksum: captured.release.manifest.bundle.zipSha256, status: "pending" }] },
      result: undefined,
    }));
    await (await caches.open(updater.store.bundleCacheName(id))).put(updater.store.keyOf("index.html"), new Response("evil"));
    assert.equal(await updater.storedFilesMatch(id, captured.release.manifest.files), false);
    const bundle = await updater.download(verified());
    assert.equal(bundle.id, id);
    assert.equal(await updater.storedFilesMatch(id, captured.release.manifest.files), true);
    assert.equal(await updater.signedEnvelope(id), release.envelopeJson);
  });
});
