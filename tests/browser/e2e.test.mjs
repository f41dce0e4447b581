// Browser end-to-end: the test page in real headless Chromium against the local update
// server. Every tamper button's code; the web fallback's happy path, rollback and interrupted
// download; and the same sealed release verified in Node and in Chromium gives the same JSON.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { writeFileSync } from "node:fs";
import { OUTPUT, start, runVariant } from "./harness.mjs";
import * as ota from "../../dist/node.js";

const TIMEOUT = 2500;
let h;

before(async () => {
  h = await start({ appReadyTimeoutMs: TIMEOUT });
  await h.openTestPage();
});

after(async () => {
  if (h) {
    await h.page.screenshot({ path: path.join(OUTPUT, "test-page.png"), fullPage: true }).catch(() => undefined);
    writeFileSync(path.join(OUTPUT, "console.log"), h.logs.join("\n") + "\n");
    await h.stop();
  }
});

test("the page shows each check; every tamper button is rejected with its code", async () => {
  for (const v of h.server.config.variants.filter((x) => !x.hidden)) {
    const r = await runVariant(h.page, v.id);
    assert.equal(r.code, v.expect ?? "OK", `${v.id}: ${r.text}`);
  }
  // The last accepted run shows its checks: signatures with keyids, policy, version, expiry,
  // bundle hash, decryption and every file.
  await runVariant(h.page, "encrypted");
  const rows = await h.page.$$eval("#checks tbody tr", (trs) => trs.map((tr) => [tr.id, tr.dataset.status, tr.querySelector(".details").textContent]));
  const byId = Object.fromEntries(rows.map(([id, status, details]) => [id, { status, details }]));
  assert.equal(byId["row-sig"].status, "pass");
  assert.match(byId["row-sig"].details, new RegExp(h.server.config.signerKeyid));
  assert.match(byId["row-policy"].details, /com\.example\.sample/);
  assert.match(byId["row-version"].details, /2\.0\.0 > installed 1\.0\.0/);
  assert.equal(byId["row-decrypt"].status, "pass");
  assert.match(byId["row-bundle"].details, /sha256 [0-9a-f]{64}/);
  const files = await h.page.$$eval("#files li", (lis) => lis.map((li) => li.textContent));
  assert.ok(files.some((f) => /version\.txt .*sha256 [0-9a-f]{64}/.test(f)), files.join("\n"));
  await h.page.screenshot({ path: path.join(OUTPUT, "checks-encrypted.png"), fullPage: true });
});

test("a rejected variant marks the failing check and the ones not reached", async () => {
  await runVariant(h.page, "expired");
  const status = await h.page.$$eval("#checks tbody tr", (trs) => Object.fromEntries(trs.map((tr) => [tr.id, tr.dataset.status])));
  assert.deepEqual(
    [status["row-sig"], status["row-policy"], status["row-version"], status["row-expiry"], status["row-files"]],
    ["pass", "pass", "pass", "fail", "skipped"],
  );
});

test("a flipped byte never shows the bundle length and SHA-256 as passed", async () => {
  // The bundle's length and SHA-256 are checked at its end (steps 17-20); a file hash fails
  // first, so that row was never reached. It used to show "✓ pass, 0 / N bytes".
  const r = await runVariant(h.page, "flipped-byte");
  assert.equal(r.code, "HASH_MISMATCH");
  const rows = await h.page.$$eval("#checks tbody tr", (trs) =>
    Object.fromEntries(trs.map((tr) => [tr.id, [tr.dataset.status, tr.querySelector(".status").textContent, tr.querySelector(".details").textContent]])),
  );
  assert.deepEqual(rows["row-files"].slice(0, 1), ["fail"]);
  assert.equal(rows["row-bundle"][0], "skipped", JSON.stringify(rows["row-bundle"]));
  assert.match(rows["row-bundle"][1], /not run/);
  assert.doesNotMatch(rows["row-bundle"][2], /\d+ \/ \d+ bytes/);
  for (const id of ["row-sig", "row-policy", "row-version", "row-expiry"]) assert.equal(rows[id][0], "pass", id);
});

test("the same sealed release verified in Node and in Chromium gives identical results", async () => {
  const { config, demo } = h.server;
  const policy = { app: config.app, channel: config.channel, platform: "web", installedVersion: "1.0.0", now: demo.now };
  for (const id of ["valid", "encrypted", "other-app", "expired", "untrusted-key"]) {
    const envelope = demo.sealed[id].envelopeJson;
    const inNode = (() => {
      try {
        return { ok: ota.verifyRelease(envelope, config.trust, policy) };
      } catch (e) {
        return { code: e.code, message: e.message };
      }
    })();
    const inBrowser = await h.page.evaluate(
      ([envelope, trust, policy]) => {
        try {
          return { ok: window.otaseal.ota.verifyRelease(envelope, trust, policy) };
        } catch (e) {
          return { code: e.code, message: e.message };
        }
      },
      [envelope, config.trust, policy],
    );
    assert.equal(JSON.stringify(inBrowser), JSON.stringify(inNode), id);
  }
  // And the whole bundle: the same files and hashes from the opener.
  const s = demo.sealed["encrypted"];
  const key = demo.bundleKey.key;
  const open = (o) => {
    o.push(s.bundle);
    return o.finish().files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 }));
  };
  const nodeFiles = open(new ota.Opener(s.envelopeJson, config.trust, policy, [key]));
  const browserFiles = await h.page.evaluate(
    ([env, trust, policy, bundle, key]) => {
      const { Opener } = window.otaseal.ota;
      const o = new Opener(env, trust, policy, [new Uint8Array(key)]);
      o.push(new Uint8Array(bundle));
      return o.finish().files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 }));
    },
    [s.envelopeJson, config.trust, policy, [...s.bundle], [...key]],
  );
  assert.deepEqual(browserFiles, nodeFiles);
});

test("web fallback: an aborted download leaves the running release untouched", async () => {
  const before = await h.page.evaluate(async () => (await window.otaseal.updater.current()).bundle.id);
  const r = await h.page.evaluate(async () => {
    const { client, config } = window.otaseal;
    const v = config.variants.find((x) => x.id === "slow");
    const release = await client.check(new URL(v.manifestUrl, location.href).href);
    const controller = new AbortController();
    const p = client.download(release, { signal: controller.signal, onProgress: (x) => { if (x.received > 0) controller.abort(); } });
    try {
      await p;
      return { code: "RESOLVED" };
    } catch (e) {
      const { bundles } = await window.otaseal.updater.list();
      return { code: e.code, bundles: bundles.length, caches: (await caches.keys()).filter((n) => n.includes(":bundle:")).length };
    }
  });
  assert.equal(r.code, "CLIENT_ABORTED");
  const after = await h.page.evaluate(async () => (await window.otaseal.updater.current()).bundle.id);
  assert.equal(after, before);
  assert.equal(r.caches, r.bundles, "no partial bundle cache without a state entry");
});

test("web fallback happy path: check → download → apply next → reload shows the new release → notifyAppReady", async () => {
  await h.openTestPage();
  assert.equal((await runVariant(h.page, "valid")).code, "OK");
  await Promise.all([h.page.waitForURL("**/app/"), h.page.click("#apply-next")]);
  await h.page.waitForSelector("#ready[data-state=ok]", { timeout: 15_000 });
  assert.equal(await h.page.textContent("#version"), "2.0.0");
  await h.page.screenshot({ path: path.join(OUTPUT, "sample-app-2.0.0.png"), fullPage: true });
  // Confirmed: survives the deadline and a reload.
  await h.page.waitForTimeout(TIMEOUT + 500);
  await h.page.reload();
  await h.page.waitForSelector("#ready[data-state=ok]");
  assert.equal(await h.page.textContent("#version"), "2.0.0");
  await h.openTestPage();
  const status = await h.page.evaluate(async () => {
    const s = await window.otaseal.client.status();
    return { floor: s.floor.version, pending: s.state.pending, current: s.current.version };
  });
  assert.deepEqual(status, { floor: "2.0.0", pending: null, current: "2.0.0" });
});

test("web fallback rollback: a release that never calls notifyAppReady is rolled back and blocklisted", async () => {
  await h.openTestPage();
  const r = await h.page.evaluate(async () => {
    const { client, config } = window.otaseal;
    const v = config.variants.find((x) => x.id === "no-ready");
    const release = await client.check(new URL(v.manifestUrl, location.href).href);
    await client.download(release);
    await client.apply(release, "set");
    return release.manifest.version;
  });
  assert.equal(r, "2.1.0");
  await h.page.goto(new URL("/app/", h.server.url).href);
  await h.page.waitForFunction(() => document.querySelector("#version")?.textContent === "2.1.0");
  assert.match(await h.page.textContent("#ready"), /never calls notifyAppReady/);
  // The service worker rolls back at the deadline and reloads the page: 2.0.0 again.
  await h.page.waitForSelector("#ready[data-state=ok]", { timeout: TIMEOUT + 10_000 });
  assert.equal(await h.page.textContent("#version"), "2.0.0");
  await h.openTestPage();
  const after = await h.page.evaluate(async () => {
    const { updater, client, config } = window.otaseal;
    const { bundles } = await updater.list();
    let code = null;
    try {
      await client.check(new URL(config.variants.find((x) => x.id === "no-ready").manifestUrl, location.href).href);
    } catch (e) {
      code = e.code;
    }
    return { status: bundles.find((b) => b.version === "2.1.0")?.status, code };
  });
  assert.deepEqual(after, { status: "error", code: "CLIENT_BLOCKLISTED" });
});
