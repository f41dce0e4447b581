// Issue 14, the JS layer: what the update client and its backends do when the attacker holds a
// page of the origin (an XSS), edits or wipes the client's state, listens to its events,
// hands backends content of its own, or pollutes Object.prototype. Each test failed on the
// code before the fix (see the closing note); the browser half (the service worker)
// is tests/browser/sw-verify.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { capgoBackend, filesystemBackend } from "../../dist/capacitor.js";
import { recordingUpdater } from "./capgo-double.mjs";
import { recordingFilesystem, recordingWebView } from "./filesystem-double.mjs";
import { APP, BASE, CHANNEL, NOW, enc, keys, ota, rejects, routesFor, seal, setup, fakeFetch } from "./client-fixtures.mjs";

const k = keys();
const DAY = 86400;
const v2 = seal(k, "2.0.0");
const v25 = seal(k, "2.5.0");
const v3 = seal(k, "3.0.0");
const routes = { ...routesFor("v2", v2), ...routesFor("v25", v25), ...routesFor("v3", v3) };
const url = (name) => `${BASE}/${name}/manifest.json`;
const stateKey = `otaseal:${APP}:${CHANNEL}`;
const text = (bytes) => new TextDecoder().decode(bytes);

/** Installs `name` and confirms it: check → download → set → notifyAppReady. */
async function install(s, name) {
  const release = await s.client.check(url(name));
  await s.client.download(release);
  await s.client.apply(release, "set");
  await s.client.notifyAppReady();
  return release;
}

test("a pending release counts for the floor: after 3.0.0 is applied with next, a signed 2.5.0 is refused", async () => {
  const s = setup(k, routes);
  const r3 = await s.client.check(url("v3"));
  await s.client.download(r3);
  await s.client.apply(r3, "next");
  assert.equal(await s.client.check(url("v25")), null, "2.5.0 must not replace the queued 3.0.0");
  assert.equal(s.events.findLast((e) => e.event === "checked").code, "DOWNGRADE");
  const st = await s.client.status();
  assert.deepEqual([st.floor.version, st.floor.source], ["3.0.0", "pending"]);
  // The queued release itself is "pending", not offered again.
  assert.equal(await s.client.check(url("v3")), null);
  assert.equal(s.events.findLast((e) => e.event === "checked").reason, "pending");
  s.updater.launch();
  assert.equal(text(s.updater.read("version.txt")), "3.0.0");
});

test("the verified release is frozen: a verified listener cannot change what the backend pins or the floor", async () => {
  const tamper = ({ release }) => {
    for (const f of [
      () => (release.manifest.version = "9.9.9"),
      () => (release.manifest.bundle.zipSha256 = "0".repeat(64)),
      () => (release.manifest.bundle.url = "https://evil.example/x.zip"),
      () => (release.manifest.files[0].sha256 = "0".repeat(64)),
      () => release.manifest.files.push({ path: "evil.js", size: 1, sha256: "0".repeat(64) }),
      () => (release.signedBy = []),
    ]) {
      try {
        f();
      } catch {
        // strict-mode TypeError on a frozen object: what must happen
      }
    }
  };
  // Memory backend: the floor and the stored bundle are the signed ones.
  const s = setup(k, routes);
  s.client.on("verified", tamper);
  const release = await s.client.check(url("v2"));
  assert.ok(Object.isFrozen(release) && Object.isFrozen(release.manifest) && Object.isFrozen(release.manifest.bundle) && Object.isFrozen(release.manifest.files[0]));
  assert.equal(release.manifest.version, "2.0.0");
  await s.client.download(release);
  await s.client.apply(release, "set");
  await s.client.notifyAppReady();
  const st = await s.client.status();
  assert.deepEqual([st.floor.version, st.floor.zipSha256], ["2.0.0", v2.zipSha256]);
  assert.deepEqual(s.updater.calls.find((c) => c.method === "download").args, { url: `${BASE}/v2/bundle.zip`, version: "2.0.0", checksum: v2.zipSha256 });

  // Capgo: the plugin receives the signed checksum and URL, not the listener's.
  const zipUrl = `${BASE}/v3/bundle.zip`;
  const double = recordingUpdater({ served: { [zipUrl]: v3.bundle } });
  const c = ota.createUpdateClient({
    trust: k.trust, app: APP, channel: CHANNEL, platform: "ios", fetch: fakeFetch(routes), clock: () => NOW * 1000,
    backend: capgoBackend(double.plugin, { capacitor: { isNativePlatform: () => true } }),
  });
  c.on("verified", tamper);
  const r3 = await c.check(url("v3"));
  await c.download(r3);
  const dl = double.calls.find((x) => x.method === "download");
  assert.deepEqual(dl.args, { url: zipUrl, version: "3.0.0", checksum: v3.zipSha256 });
});

test("backends accept only the client's verified content: hand-made or changed {release, files} is CLIENT_UNVERIFIED_RELEASE", async () => {
  // Content the way an attacker makes it: a real release and files whose bytes differ from
  // the signed ones at the same size, with the signed hash written next to them.
  const opener = new ota.Opener(v2.envelopeJson, k.trust, { app: APP, channel: CHANNEL, platform: "web", now: NOW }, []);
  opener.push(v2.bundle);
  const opened = opener.finish();
  opener.free();
  const evil = opened.files.map((f) => (f.path === "index.html" ? { ...f, data: enc.encode("<script>evil()</script>".padEnd(f.size, " ")) } : f));
  const handMade = { url: "https://x.example/b.zip", version: "2.0.0", checksum: v2.zipSha256, otaseal: { release: opened.release, files: evil } };
  const updater = new ota.MemoryUpdater({ builtinVersion: "1.0.0" });
  await rejects(updater.download(handMade), "CLIENT_UNVERIFIED_RELEASE");
  // Even with the genuine bytes: not produced by a client, not accepted.
  await rejects(updater.download({ ...handMade, otaseal: opened }), "CLIENT_UNVERIFIED_RELEASE");

  // The client's own content, passed through a custom backend, is accepted…
  let captured = null;
  const capture = { ...ota.memoryBackend(new ota.MemoryUpdater({ builtinVersion: "1.0.0" })), async stage(input) { captured = input; return { id: "x", version: input.release.manifest.version }; } };
  const s = setup(k, routes, { backend: capture });
  const release = await s.client.check(url("v2"));
  await s.client.download(release);
  assert.ok(Object.isFrozen(captured.files) && Object.isFrozen(captured.files[0]));
  const good = { url: "https://x.example/b.zip", version: "2.0.0", checksum: v2.zipSha256, otaseal: { release: captured.release, files: captured.files } };
  const copy = new ota.MemoryUpdater({ builtinVersion: "1.0.0" });
  const info = await copy.download(good);
  assert.equal(info.version, "2.0.0");
  // …but not with another list, another release, or bytes changed after verification.
  await rejects(updater.download({ ...good, otaseal: { release: captured.release, files: evil } }), "CLIENT_UNVERIFIED_RELEASE");
  await rejects(updater.download({ ...good, otaseal: { release: opened.release, files: captured.files } }), "CLIENT_UNVERIFIED_RELEASE");
  await rejects(updater.download({ ...good, version: "9.0.0" }), "CLIENT_UNVERIFIED_RELEASE");
  const index = captured.files.find((f) => f.path === "index.html");
  const saved = index.data[0];
  index.data[0] ^= 0x20;
  await rejects(updater.download(good), "CLIENT_UNVERIFIED_RELEASE");
  index.data[0] = saved;
  // What the updater stored is its own copy: changing the caller's bytes later changes nothing.
  index.data[0] ^= 0x20;
  await copy.set({ id: info.id });
  assert.match(text(copy.read("index.html")), /^<!doctype html>/);
  index.data[0] = saved;

  // filesystemBackend.stage: the same rule before anything touches the disk.
  const fs = recordingFilesystem();
  const backend = filesystemBackend(fs.plugin, { webView: recordingWebView().plugin, capacitor: { isNativePlatform: () => true } });
  await rejects(backend.stage({ release: opened.release, files: evil, bundleUrl: "https://x.example/b.zip", manifestUrl: url("v2") }), "CLIENT_UNVERIFIED_RELEASE");
  await rejects(backend.stage({ release: captured.release, files: evil, bundleUrl: "https://x.example/b.zip", manifestUrl: url("v2") }), "CLIENT_UNVERIFIED_RELEASE");
  assert.equal(fs.calls.filter((c) => c.method === "writeFile").length, 0);
});

test("without state, the running release's signed issuedAt bounds the clock: an expired release behind a clock set back 45 days is CLOCK_ROLLBACK", async () => {
  const old = seal(k, "3.0.0", { info: { issuedAt: NOW - 60 * DAY, expiresAt: NOW - DAY } });
  const s = setup(k, { ...routes, ...routesFor("old", old) });
  await install(s, "v2"); // 2.0.0, signed issuedAt NOW - 3600
  await s.storage.remove(stateKey); // state lost
  s.setNow((NOW - 45 * DAY) * 1000); // expired release valid at this clock
  await rejects(s.client.check(url("old")), "CLOCK_ROLLBACK");
  assert.equal((await s.client.status()).lastTrustedTime, NOW - 3600 - 300, "the running release's issuedAt less the allowed skew");

  // Running the builtin bundle with nothing stored: minTrustedTime (the app build's time) bounds it.
  const fresh = setup(k, { ...routesFor("old", old) }, { minTrustedTime: NOW - 10 * DAY });
  fresh.setNow((NOW - 45 * DAY) * 1000);
  await rejects(fresh.client.check(url("old")), "CLOCK_ROLLBACK");
});

test("lost state does not bring revoked keys back: rotations are re-fetched from rotationUrl (N+1, N+2, … until 404)", async () => {
  const second = ota.keygen();
  const third = ota.keygen();
  const rotation2 = ota.trustRotate(k.trust, [second.publicKeyPem], 1, [k.signer.privateKeyPem, second.privateKeyPem]);
  const root2 = ota.trustApplyRotation(k.trust, rotation2);
  const rotation3 = ota.trustRotate(root2, [third.publicKeyPem], 1, [second.privateKeyPem, third.privateKeyPem]);
  const v31 = seal(k, "3.1.0", { signer: third });
  const trustUrl = (n) => `${BASE}/trust/${n}.json`;
  const all = { ...routes, ...routesFor("v31", v31), [trustUrl(2)]: rotation2, [trustUrl(3)]: rotation3 };
  // A device that applied both rotations, then lost its state: v3 is signed only by the revoked first key.
  const s = setup(k, all, { rotationUrl: `${BASE}/trust/{version}.json` });
  await rejects(s.client.check(url("v3")), "SIGNATURE_THRESHOLD");
  assert.deepEqual(s.fetch.requests.map((r) => r.url).filter((u) => u.includes("/trust/")), [trustUrl(2), trustUrl(3), trustUrl(4)]);
  const st = await s.client.status();
  assert.equal(st.trustVersion, 3);
  assert.deepEqual(st.state.trust, { version: 3, chain: [rotation2, rotation3] });
  assert.equal((await s.client.check(url("v31"))).manifest.version, "3.1.0");

  // A rotation the host serves that does not verify fails the check (the core's code); so does a server error.
  const forged = ota.trustRotate(ota.trustInit([third.publicKeyPem], 1, 2), [third.publicKeyPem], 1, [third.privateKeyPem]);
  const bad = setup(k, { ...routes, [trustUrl(2)]: forged }, { rotationUrl: `${BASE}/trust/{version}.json` });
  await rejects(bad.client.check(url("v3")), "SIGNATURE_THRESHOLD");
  const down = setup(k, { ...routes, [trustUrl(2)]: () => new Response("down", { status: 503 }) }, { rotationUrl: `${BASE}/trust/{version}.json` });
  await rejects(down.client.check(url("v3")), "CLIENT_HTTP_STATUS");
  assert.throws(() => setup(k, routes, { rotationUrl: `${BASE}/trust/2.json` }), { code: "CLIENT_INVALID_ARGUMENT" });
});

test("edited state is detected and reported, not silently locking updates out: floor 999.0.0, lastTrustedTime in 2100", async () => {
  const s = setup(k, routes, { bundledVersion: "1.0.0" });
  const problems = [];
  s.client.on("stateCorrupt", (e) => problems.push(...e.problems));
  await install(s, "v2");
  assert.equal((await s.client.status()).stateCorrupt, false);
  const stored = JSON.parse(await s.storage.get(stateKey));
  stored.floor.version = "999.0.0"; // the envelope still names 2.0.0
  stored.lastTrustedTime = 4_102_444_800; // 2100-01-01
  stored.pending = { version: "998.0.0", zipSha256: "a".repeat(64), envelope: v2.envelopeJson, id: "x", mode: "next" };
  await s.storage.set(stateKey, JSON.stringify(stored));
  const st = await s.client.status();
  assert.equal(st.stateCorrupt, true);
  assert.equal(st.stateProblems.length, 3, st.stateProblems.join("\n"));
  assert.equal(st.floor.version, "2.0.0", "the floor comes from what is proven: the running 2.0.0");
  assert.ok(st.lastTrustedTime < NOW, "the clock floor comes from signed times");
  assert.ok(problems.length >= 3, "reported as a stateCorrupt event");
  // Updates go on: 3.0.0 is accepted.
  assert.equal((await s.client.check(url("v3"))).manifest.version, "3.0.0");
  // A floor with no envelope at all (a format-1 document, or a forged one) is not believed either.
  await s.storage.set(stateKey, JSON.stringify({ v: 1, floor: { version: "999.0.0", zipSha256: "a".repeat(64) }, lastTrustedTime: null, trust: null, blocklist: [], pending: null }));
  const st2 = await s.client.status();
  assert.deepEqual([st2.stateCorrupt, st2.floor.version], [true, "2.0.0"]);
  // A genuine newer envelope written as the floor (2.0.0 runs, nothing pending): proven, so
  // kept (nothing older may come back), but reported: only a reset or an edit leads here.
  await s.storage.set(stateKey, JSON.stringify({ v: 2, floor: { version: "3.0.0", zipSha256: v3.zipSha256, envelope: v3.envelopeJson }, lastTrustedTime: null, lastTrustedEnvelope: null, trust: null, blocklist: [], pending: null }));
  const raised = await s.client.status();
  assert.deepEqual([raised.stateCorrupt, raised.floor.version], [true, "3.0.0"]);
  assert.match(raised.stateProblems.join("\n"), /above the running 2\.0\.0 with nothing pending/);
  // A backend whose stored record of the running bundle was edited is not believed either.
  s.updater.state = { ...s.updater.state, bundles: s.updater.state.bundles.map((b) => ({ ...b, version: "99.0.0" })) };
  s.updater.envelopes.clear();
  await s.storage.remove(stateKey);
  const st3 = await s.client.status();
  assert.equal(st3.stateCorrupt, true);
  assert.deepEqual([st3.floor.version, st3.floor.source], ["1.0.0", "bundledVersion"]);
});

test("a polluted Object.prototype changes nothing: options and policy are read as own properties", async () => {
  const native5 = seal(k, "2.0.0", { info: { minNativeVersion: "5.0.0" } });
  const future = seal(k, "2.1.0", { info: { issuedAt: NOW + 30 * DAY, expiresAt: NOW + 60 * DAY } });
  const polluted = { nativeVersion: "99.0.0", maxClockSkewSecs: 1e9, bundledVersion: "0.0.1", minTrustedTime: 0, verifyInJs: false, appReadyTimeoutMs: 1e12 };
  for (const [key, value] of Object.entries(polluted)) Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true });
  try {
    const s = setup(k, { ...routesFor("native5", native5), ...routesFor("future", future) });
    await rejects(s.client.check(url("native5")), "NATIVE_TOO_OLD");
    await rejects(s.client.check(url("future")), "NOT_YET_VALID");
    const st = await s.client.status();
    assert.equal(st.floor.source, "backend");
    // Backend options too: Capgo zip mode still verifies every byte in JS first…
    assert.equal(capgoBackend(recordingUpdater({ served: {} }).plugin, { capacitor: { isNativePlatform: () => true } }).verifyInJs, true);
    // …and the memory updater still rolls back after its default 10 s.
    const v2s = setup(k, routes);
    let now = NOW * 1000;
    const updater = new ota.MemoryUpdater({ builtinVersion: "1.0.0", clock: () => now });
    const client = ota.createUpdateClient({ trust: k.trust, app: APP, channel: CHANNEL, platform: "web", backend: ota.memoryBackend(updater), fetch: v2s.fetch, clock: () => now });
    const r = await client.check(url("v2"));
    await client.download(r);
    await client.apply(r, "set");
    now += 11_000;
    assert.notEqual(updater.launch().rolledBack, null);
  } finally {
    for (const key of Object.keys(polluted)) delete Object.prototype[key];
  }
});
