// The web fallback's service worker serves only what it verified itself (issue 14, item 1),
// in real headless Chromium: any script of the origin can write Cache Storage, so a page
// (here the test page at "/", outside the worker's "/app/" scope) plants a bundle and a state
// entry; the worker must not serve it, and the client's floor must not move. A genuine bundle
// whose stored file is changed afterwards is not served either.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { writeFileSync } from "node:fs";
import { OUTPUT, start, runVariant } from "./harness.mjs";

let h;

before(async () => {
  h = await start({ appReadyTimeoutMs: 2500 });
  await h.openTestPage();
});

after(async () => {
  if (h) {
    writeFileSync(path.join(OUTPUT, "sw-verify-console.log"), h.logs.join("\n") + "\n");
    await h.stop();
  }
});

/** What /app/ shows now: the version on the page and its whole text. */
async function openApp() {
  await h.page.goto(new URL("/app/", h.server.url).href);
  await h.page.waitForSelector("#ready[data-state=ok]", { timeout: 15_000 });
  return { version: (await h.page.textContent("#version")).trim(), body: await h.page.textContent("body") };
}

test("web fallback: a bundle and state planted in Cache Storage by a page outside the scope are not served and do not raise the floor", async () => {
  // From "/" (outside /app/): a bundle of the attacker's, listed as current and confirmed at
  // 99.0.0, with the genuine signed envelope of 2.0.0 stored next to it (its files are not 2.0.0's).
  const planted = await h.page.evaluate(async () => {
    const scope = new URL("/app/", location.href);
    const id = "b-0123456789abcdef";
    const bundle = await caches.open(`otaseal:/app/:bundle:${id}`);
    const page = '<!doctype html><h1>Sample app <span id="version">EVIL</span></h1><p id="ready" data-state="ok">planted</p>';
    await bundle.put(new URL("index.html", scope).href, new Response(page, { headers: { "content-type": "text/html" } }));
    await bundle.put(new URL("version.txt", scope).href, new Response("99.0.0"));
    const meta = await caches.open("otaseal:/app/:meta");
    const state = {
      v: 1,
      bundles: [{ id, version: "99.0.0", downloaded: new Date().toISOString(), checksum: "a".repeat(64), status: "success" }],
      current: id, next: null, lastSuccessful: id, pendingSince: null,
    };
    await meta.put(new URL("__otaseal__/state.json", scope).href, new Response(JSON.stringify(state)));
    const genuine = await (await fetch("/releases/valid/manifest.json")).text();
    await meta.put(new URL(`__otaseal__/envelope/${id}`, scope).href, new Response(genuine));
    return id;
  });
  const app = await openApp();
  assert.equal(app.version, "1.0.0", "the site's own files, not the planted bundle");
  assert.doesNotMatch(app.body, /EVIL|planted/);
  await h.page.screenshot({ path: path.join(OUTPUT, "sw-planted-not-served.png"), fullPage: true });

  await h.openTestPage();
  const status = await h.page.evaluate(async () => {
    const s = await window.otaseal.client.status();
    return { floor: s.floor.version, source: s.floor.source, corrupt: s.stateCorrupt, current: (await window.otaseal.updater.current()).bundle.id };
  });
  assert.equal(status.current, planted, "the planted state does select a bundle…");
  assert.deepEqual([status.floor, status.source, status.corrupt], ["1.0.0", "bundledVersion", true], "…but the floor stays, reported corrupt");
  // And the genuine 2.0.0 is not refused as a downgrade.
  assert.equal((await runVariant(h.page, "valid")).code, "OK");
});

test("web fallback: a genuine installed bundle whose stored file is changed is no longer served", async () => {
  await h.openTestPage();
  assert.equal((await runVariant(h.page, "valid")).code, "OK");
  await Promise.all([h.page.waitForURL("**/app/"), h.page.click("#apply-next")]);
  await h.page.waitForSelector("#ready[data-state=ok]", { timeout: 15_000 });
  assert.equal((await h.page.textContent("#version")).trim(), "2.0.0", "the verified release is served");
  await h.openTestPage();
  await h.page.evaluate(async () => {
    const scope = new URL("/app/", location.href);
    const { bundle } = await window.otaseal.updater.current();
    const cache = await caches.open(`otaseal:/app/:bundle:${bundle.id}`);
    const key = new URL("index.html", scope).href;
    const original = await (await cache.match(key)).text();
    const tampered = original.replace("</body>", "<script>document.title='TAMPERED'</script></body>").replace(/Sample app/, "TAMPERED app");
    await cache.put(key, new Response(tampered, { headers: { "content-type": "text/html" } }));
  });
  const app = await openApp();
  assert.doesNotMatch(app.body, /TAMPERED/);
  assert.equal(app.version, "1.0.0", "the site's own index.html instead");
});
