// The update client with the memory backend, memory storage and a fake fetch serving real
// sealed bytes: the flow, the state rules, and every CLIENT_* code the client itself raises.
import { test } from "node:test";
import assert from "node:assert/strict";
import { APP, BASE, CHANNEL, NOW, keys, ota, rejects, routesFor, seal, setup, fakeFetch } from "./client-fixtures.mjs";

const k = keys();
const v2 = seal(k, "2.0.0");
const v2enc = seal(k, "2.0.0", { encrypt: true, segmentSize: 4096 });
const v3 = seal(k, "3.0.0");
const v0 = seal(k, "0.9.0");
const routes = { ...routesFor("v2", v2), ...routesFor("v2enc", v2enc), ...routesFor("v3", v3), ...routesFor("v0", v0) };
const url = (name) => `${BASE}/${name}/manifest.json`;

test("happy path: check → download → apply next → launch → notifyAppReady → floor", async () => {
  const s = setup(k, routes);
  const release = await s.client.check(url("v2"));
  assert.equal(release.manifest.version, "2.0.0");
  assert.deepEqual(release.signedBy, [k.signer.keyid]);
  const progress = [];
  const dl = await s.client.download(release, { onProgress: (p) => progress.push(p) });
  assert.equal(dl.version, "2.0.0");
  assert.equal(progress.at(-1).received, v2.bundle.length);
  assert.equal(progress.at(-1).total, v2.bundle.length);
  assert.deepEqual(dl.files.map((f) => f.path), ["index.html", "version.txt"]);
  await s.client.apply(release, "next");
  assert.equal((await s.updater.current()).bundle.id, "builtin", "next waits for a launch");
  assert.equal((await s.client.status()).state.pending.version, "2.0.0");
  s.updater.launch();
  assert.equal(new TextDecoder().decode(s.updater.read("version.txt")), "2.0.0");
  const cur = await s.client.notifyAppReady();
  assert.equal(cur.version, "2.0.0");
  const st = await s.client.status();
  assert.deepEqual(st.state.floor, { version: "2.0.0", zipSha256: v2.zipSha256, envelope: v2.envelopeJson });
  assert.equal(st.state.pending, null);
  assert.equal(st.state.lastTrustedTime, NOW - 3600, "the signed issuedAt (≤ now) becomes the last trusted time");
  // The same release again: installed, nothing to do.
  assert.equal(await s.client.check(url("v2")), null);
  assert.equal(s.events.findLast((e) => e.event === "checked").reason, "installed");
  const names = s.events.map((e) => e.event);
  for (const e of ["checked", "verified", "downloadProgress", "applied"]) assert.ok(names.includes(e), e);
  // The backend got exactly the signed content.
  assert.deepEqual(s.updater.calls.find((c) => c.method === "download").args, {
    url: `${BASE}/v2/bundle.zip`,
    version: "2.0.0",
    checksum: v2.zipSha256,
  });
});

test("an older release: check returns null with code DOWNGRADE", async () => {
  const s = setup(k, routes);
  assert.equal(await s.client.check(url("v0")), null);
  const ev = s.events.find((e) => e.event === "checked");
  assert.equal(ev.code, "DOWNGRADE");
  assert.equal(ev.release, null);
});

test("encrypted release: decrypted with the bundle key; without it DECRYPT_KEY_UNKNOWN and nothing staged", async () => {
  const s = setup(k, routes);
  const release = await s.client.check(url("v2enc"));
  const dl = await s.client.download(release);
  assert.equal(new TextDecoder().decode(dl.files.find((f) => f.path === "version.txt").data), "2.0.0");

  const s2 = setup(k, routes, { decryptionKeys: [] });
  const r2 = await s2.client.check(url("v2enc"));
  await rejects(s2.client.download(r2), "DECRYPT_KEY_UNKNOWN");
  assert.equal(s2.updater.calls.length, 0);
  assert.equal(s2.events.find((e) => e.event === "rejected").code, "DECRYPT_KEY_UNKNOWN");
});

test("download streams through SinkOpener (or Opener) and WebCrypto (or wasm): the same files and codes every way", async () => {
  const made = { SinkOpener: 0, Opener: 0 };
  const counting = (core) => {
    const c = { ...core };
    for (const name of ["SinkOpener", "Opener"]) {
      if (!core[name]) continue;
      c[name] = function (...args) {
        made[name]++;
        return new core[name](...args);
      };
    }
    return c;
  };
  const subtle = globalThis.crypto.subtle;
  const decrypt = subtle.decrypt;
  let webCryptoCalls = 0;
  subtle.decrypt = function (...args) {
    webCryptoCalls++;
    return decrypt.apply(this, args);
  };
  // Several 4096-byte segments (the text barely compresses), tampered in the third.
  const { randomBytes } = await import("node:crypto");
  const text = randomBytes(24_000).toString("base64");
  const multi = seal(k, "2.0.0", { encrypt: true, segmentSize: 4096, extra: { "big.txt": text } });
  assert.ok(multi.bundle.length > 3 * 4096, `${multi.bundle.length} bytes`);
  const encFlipped = multi.bundle.slice();
  encFlipped[9000] ^= 1;
  const zipFlipped = v3.bundle.slice();
  zipFlipped[zipFlipped.length - 30] ^= 1;
  const tamperedRoutes = {
    ...routesFor("multi", multi),
    ...routesFor("encFlipped", { ...multi, bundle: encFlipped }),
    ...routesFor("zipFlipped", { ...v3, bundle: zipFlipped }),
  };
  const { SinkOpener, ...openerOnly } = ota.coreFrom(ota);
  assert.equal(typeof SinkOpener, "function");
  const results = [];
  try {
    for (const core of [counting(ota.coreFrom(ota)), counting(openerOnly)]) {
      for (const webCrypto of [true, false]) {
        const before = webCryptoCalls;
        const updater = new ota.MemoryUpdater({ builtinVersion: "1.0.0", clock: () => NOW * 1000 });
        const client = ota.createClientWithCore(core, {
          trust: k.trust, app: APP, channel: CHANNEL, platform: "web", backend: ota.memoryBackend(updater),
          fetch: fakeFetch({ ...routes, ...tamperedRoutes }), clock: () => NOW * 1000, decryptionKeys: [k.bundleKey.key], webCrypto,
        });
        const outcome = [];
        for (const name of ["v2", "v2enc", "multi"]) {
          const dl = await client.download(await client.check(url(name)));
          outcome.push(dl.files.map((f) => ({ ...f, data: Buffer.from(f.data).toString("hex") })));
        }
        // Tampered bundles: the sink may have seen early files; none reaches the backend.
        const calls = updater.calls.length;
        for (const name of ["encFlipped", "zipFlipped"]) {
          const e = await client.download(await client.check(url(name))).then(() => null, (err) => err);
          assert.ok(e && typeof e.code === "string" && !e.code.startsWith("CLIENT_"), `${name}: ${e}`);
          outcome.push(e.code);
        }
        assert.equal(updater.calls.length, calls);
        assert.equal(webCryptoCalls > before, webCrypto, `webCrypto: ${webCrypto}`);
        results.push(outcome);
      }
    }
  } finally {
    subtle.decrypt = decrypt;
  }
  assert.deepEqual(made, { SinkOpener: 10, Opener: 10 });
  for (const r of results.slice(1)) assert.deepEqual(r, results[0]);
  assert.deepEqual(results[0][1].map((f) => f.path), ["index.html", "version.txt"]);
  assert.deepEqual(results[0][2].map((f) => f.path), ["big.txt", "index.html", "version.txt"]);
  assert.equal(results[0][3], "DECRYPT_TAG");
});

test("tampered bundles are rejected with the core's code and never reach the backend", async () => {
  const flipped = v2.bundle.slice();
  flipped[flipped.length - 30] ^= 1;
  const cases = [
    ["flipped", flipped, ["ZIP_HEADER_MISMATCH", "ZIP_MALFORMED", "BUNDLE_HASH_MISMATCH"]],
    ["truncated", v2.bundle.slice(0, v2.bundle.length - 1), ["BUNDLE_TRUNCATED"]],
    ["extended", new Uint8Array([...v2.bundle, 0]), ["BUNDLE_TOO_LONG"]],
  ];
  for (const [name, bytes, codes] of cases) {
    const s = setup(k, { ...routes, [`${BASE}/v2/bundle.zip`]: bytes });
    const release = await s.client.check(url("v2"));
    const e = await s.client.download(release).then(
      () => assert.fail(`${name} accepted`),
      (e) => e,
    );
    assert.ok(codes.includes(e.code), `${name}: ${e.code}`);
    assert.equal(e.name, "UpdateError");
    assert.equal(s.updater.calls.length, 0, `${name}: nothing staged`);
    assert.equal((await s.updater.current()).bundle.id, "builtin");
  }
});

test("a response longer than the signed length is cut off: BUNDLE_TOO_LONG before reading it all", async () => {
  let pulled = 0;
  const huge = () =>
    new Response(
      new ReadableStream({
        pull(c) {
          pulled++;
          c.enqueue(new Uint8Array(1024));
        },
      }),
    );
  const s = setup(k, { ...routes, [`${BASE}/v2/bundle.zip`]: huge });
  const release = await s.client.check(url("v2"));
  await rejects(s.client.download(release), "BUNDLE_TOO_LONG");
  assert.ok(pulled < 10, `stopped early (${pulled} chunks)`);
  // A declared Content-Length above the signed length is refused before reading.
  const s2 = setup(k, { ...routes, [`${BASE}/v2/bundle.zip`]: () => new Response("x", { headers: { "content-length": "99999999" } }) });
  await rejects(s2.client.download(await s2.client.check(url("v2"))), "BUNDLE_TOO_LONG");
});

test("policy codes come from the core: APP_MISMATCH, EXPIRED, SIGNATURE_THRESHOLD, CLOCK_ROLLBACK", async () => {
  const other = seal(k, "2.0.0", { info: { app: "com.example.other" } });
  const expired = seal(k, "2.0.0", { info: { issuedAt: NOW - 7200, expiresAt: NOW - 3600 } });
  const stranger = seal(k, "2.0.0", { signer: ota.keygen() });
  const s = setup(k, { ...routes, ...routesFor("other", other), ...routesFor("expired", expired), ...routesFor("stranger", stranger) });
  await rejects(s.client.check(url("other")), "APP_MISMATCH");
  await rejects(s.client.check(url("expired")), "EXPIRED");
  await rejects(s.client.check(url("stranger")), "SIGNATURE_THRESHOLD");
  assert.deepEqual(
    s.events.filter((e) => e.event === "rejected").map((e) => e.code),
    ["APP_MISMATCH", "EXPIRED", "SIGNATURE_THRESHOLD"],
  );
  await s.client.check(url("v2")); // last trusted time = issuedAt of v2 = NOW - 3600
  s.setNow((NOW - 7200) * 1000);
  await rejects(s.client.check(url("v3")), "CLOCK_ROLLBACK");
});

test("losing the state never widens acceptance: the floor falls back to the backend's current()", async () => {
  const s = setup(k, routes);
  const r = await s.client.check(url("v3"));
  await s.client.download(r);
  await s.client.apply(r, "set");
  await s.client.notifyAppReady();
  await s.storage.remove(`otaseal:${APP}:${CHANNEL}`);
  let st = await s.client.status();
  assert.equal(st.floor.version, "3.0.0");
  assert.equal(st.floor.source, "backend");
  assert.equal(await s.client.check(url("v2")), null, "2.0.0 is older than the running 3.0.0");
  // A corrupt document is treated as lost, too.
  await s.storage.set(`otaseal:${APP}:${CHANNEL}`, "{not json");
  st = await s.client.status();
  assert.equal(st.stateCorrupt, true);
  assert.equal(st.floor.version, "3.0.0");
  assert.equal(await s.client.check(url("v2")), null);
});

test("the stored floor wins over an older backend report", async () => {
  const s = setup(k, routes);
  const r = await s.client.check(url("v3"));
  await s.client.download(r);
  await s.client.apply(r, "set");
  await s.client.notifyAppReady();
  await s.updater.reset(); // the backend went back to builtin 1.0.0, the state remembers 3.0.0
  assert.equal((await s.client.status()).floor.version, "3.0.0");
  assert.equal(await s.client.check(url("v2")), null);
});

test("a release that never confirms rolls back and is blocklisted: CLIENT_BLOCKLISTED", async () => {
  const s = setup(k, routes);
  const r = await s.client.check(url("v2"));
  await s.client.download(r);
  await s.client.apply(r, "set");
  assert.equal((await s.updater.current()).bundle.version, "2.0.0");
  s.advance(11_000);
  assert.deepEqual(s.updater.launch().rolledBack !== null, true);
  assert.equal((await s.updater.current()).bundle.id, "builtin");
  await rejects(s.client.check(url("v2")), "CLIENT_BLOCKLISTED");
  const st = await s.client.status();
  assert.equal(st.state.blocklist[0].version, "2.0.0");
  assert.equal(s.events.findLast((e) => e.event === "rejected").code, "CLIENT_BLOCKLISTED");
  // A newer release is still accepted.
  assert.equal((await s.client.check(url("v3"))).manifest.version, "3.0.0");
});

test("an aborted download leaves the running release untouched: CLIENT_ABORTED", async () => {
  const controller = new AbortController();
  const slow = () =>
    new Response(
      new ReadableStream({
        async pull(c) {
          await new Promise((r) => setTimeout(r, 5));
          c.enqueue(v2.bundle.slice(0, 10));
        },
      }),
    );
  const s = setup(k, { ...routes, [`${BASE}/v2/bundle.zip`]: slow });
  const r = await s.client.check(url("v2"));
  const p = s.client.download(r, { signal: controller.signal });
  setTimeout(() => controller.abort(new Error("user cancelled")), 20);
  await rejects(p, "CLIENT_ABORTED");
  assert.equal(s.updater.calls.length, 0);
  assert.equal((await s.updater.current()).bundle.id, "builtin");
  assert.equal(s.events.findLast((e) => e.event === "failed").code, "CLIENT_ABORTED");
});

test("client codes: URL, HTTP, network, timeout, size", async () => {
  const s = setup(k, routes);
  await rejects(s.client.check("http://updates.example.com/m.json"), "CLIENT_INSECURE_URL");
  await rejects(s.client.check("http://127.0.0.1:9/m.json"), "CLIENT_INSECURE_URL");
  await rejects(s.client.check("not a url"), "CLIENT_INVALID_ARGUMENT");
  await rejects(s.client.check(`${BASE}/missing/manifest.json`), "CLIENT_HTTP_STATUS");
  const broken = setup(k, {}, { fetch: async () => { throw new TypeError("connection refused"); } });
  await rejects(broken.client.check(url("v2")), "CLIENT_NETWORK");
  const hanging = (u, init) =>
    new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))));
  const slow = setup(k, {}, { fetch: hanging, manifestTimeoutMs: 30 });
  await rejects(slow.client.check(url("v2")), "CLIENT_TIMEOUT");
  const small = setup(k, routes, { limits: { maxEnvelopeBytes: 100 } });
  await rejects(small.client.check(url("v2")), "CLIENT_RESPONSE_TOO_LARGE");
  // A redirect from HTTPS to HTTP.
  const redirected = setup(k, {}, {
    fetch: async () => {
      const r = new Response(v2.envelopeJson);
      Object.defineProperty(r, "url", { value: "http://evil.example.com/m.json" });
      Object.defineProperty(r, "redirected", { value: true });
      return r;
    },
  });
  await rejects(redirected.client.check(url("v2")), "CLIENT_INSECURE_URL");
  // Loopback HTTP only when allowed explicitly.
  const dev = setup(k, { "http://127.0.0.1:8080/v2/manifest.json": v2.envelopeJson }, { transport: "allow-loopback-http" });
  assert.equal((await dev.client.check("http://127.0.0.1:8080/v2/manifest.json")).manifest.version, "2.0.0");
  await rejects(dev.client.check("http://192.168.1.2/m.json"), "CLIENT_INSECURE_URL");
  // A loopback development server may not redirect to plain HTTP off loopback (same protocol,
  // so a protocol comparison alone would let it through); HTTPS anywhere is fine.
  const offLoopback = (target) => setup(k, {}, {
    transport: "allow-loopback-http",
    fetch: async () => {
      const r = new Response(v2.envelopeJson);
      Object.defineProperty(r, "url", { value: target });
      Object.defineProperty(r, "redirected", { value: true });
      return r;
    },
  });
  await rejects(offLoopback("http://evil.example.com/m.json").client.check("http://127.0.0.1:8080/v2/manifest.json"), "CLIENT_INSECURE_URL");
  assert.equal((await offLoopback("https://cdn.example.com/m.json").client.check("http://127.0.0.1:8080/v2/manifest.json")).manifest.version, "2.0.0");
});

test("client codes: lifecycle guards, unverified releases, options", async () => {
  const s = setup(k, routes);
  const forged = ota.inspect(v2.envelopeJson); // parsed, not verified
  await rejects(s.client.download({ signedBy: [], manifest: forged.manifest }), "CLIENT_UNVERIFIED_RELEASE");
  await rejects(s.client.apply({ signedBy: [], manifest: forged.manifest }, "set"), "CLIENT_UNVERIFIED_RELEASE");
  const r = await s.client.check(url("v2"));
  await rejects(s.client.apply(r, "next"), "CLIENT_INVALID_STATE");
  await s.client.download(r);
  await rejects(s.client.download(r), "CLIENT_INVALID_STATE");
  await rejects(s.client.apply(r, "later"), "CLIENT_INVALID_ARGUMENT");
  await s.client.apply(r, "next");
  await rejects(s.client.apply(r, "next"), "CLIENT_INVALID_STATE");
  assert.throws(() => ota.createUpdateClient({ trust: k.trust, app: "", channel: "c", platform: "web", backend: s.backend }), { code: "CLIENT_INVALID_ARGUMENT" });
  assert.throws(() => ota.createUpdateClient({ trust: k.trust, app: "a", channel: "c", platform: "web" }), { code: "CLIENT_INVALID_ARGUMENT" });
  assert.throws(
    () => ota.createUpdateClient({ trust: k.trust, app: "a", channel: "c", platform: "web", backend: s.backend, bundledVersion: "v1" }),
    { code: "CLIENT_INVALID_ARGUMENT" },
  );
});

test("client codes: floor unknown, storage failure, backend failure, unknown bundle", async () => {
  const noFloor = setup(k, routes, { backend: ota.memoryBackend(new ota.MemoryUpdater()) });
  await rejects(noFloor.client.check(url("v2")), "CLIENT_FLOOR_UNKNOWN");
  const withBundled = setup(k, routes, { backend: ota.memoryBackend(new ota.MemoryUpdater()), bundledVersion: "2.5.0" });
  assert.equal(await withBundled.client.check(url("v2")), null, "bundledVersion is the floor of last resort");

  const failing = { get: async () => null, set: async () => { throw new Error("quota exceeded"); }, remove: async () => {} };
  const s = setup(k, routes, { storage: failing });
  await rejects(s.client.check(url("v2")), "CLIENT_STATE");
  const unreadable = { get: async () => { throw new Error("denied"); }, set: async () => {}, remove: async () => {} };
  await rejects(setup(k, routes, { storage: unreadable }).client.check(url("v2")), "CLIENT_STATE");

  const base = ota.memoryBackend(new ota.MemoryUpdater({ builtinVersion: "1.0.0" }));
  const exploding = { ...base, stage: async () => { throw new Error("disk full"); } };
  const b = setup(k, routes, { backend: exploding });
  await rejects(b.client.download(await b.client.check(url("v2"))), "CLIENT_BACKEND_FAILED");
  assert.equal(b.events.findLast((e) => e.event === "failed").code, "CLIENT_BACKEND_FAILED");

  await rejects(new ota.MemoryUpdater().next({ id: "nope" }), "CLIENT_BUNDLE_UNKNOWN");
});

test("trust rotation: verified by the core's trustApplyRotation, stored as a chain that every load re-verifies", async () => {
  const next = ota.keygen();
  const rotation = ota.trustRotate(k.trust, [next.publicKeyPem], 1, [k.signer.privateKeyPem, next.privateKeyPem]);
  const byNew = seal(k, "2.0.0", { signer: next });
  await rejects(setup(k, routesFor("new", byNew)).client.check(url("new")), "SIGNATURE_THRESHOLD");

  const storage = ota.memoryStorage();
  const mk = () => setup(k, routesFor("new", byNew), { storage }).client;
  assert.deepEqual(await mk().rotateTrust([rotation]), { version: 2 });
  assert.equal((await mk().check(url("new"))).signedBy[0], next.keyid, "a new client instance uses the stored root");
  await rejects(mk().rotateTrust([rotation]), "TRUST_ROOT_VERSION"); // root 2 → 2 is not a rotation
  // A rotation signed only by the new key is refused by the core.
  const third = ota.keygen();
  const forged = ota.trustRotate(ota.trustInit([third.publicKeyPem], 1, 2), [third.publicKeyPem], 1, [third.privateKeyPem]);
  await rejects(mk().rotateTrust([forged]), "SIGNATURE_THRESHOLD");

  // The state stores the rotation chain as evidence, and every load re-verifies it.
  const stateKey = `otaseal:${APP}:${CHANNEL}`;
  const stored = JSON.parse(await storage.get(stateKey));
  assert.deepEqual(stored.trust, { version: 2, chain: [rotation] });
  // Editing storage cannot plant a root: a forged chain (or a version it does not reach) is
  // dropped as corrupt and the pinned root governs again.
  for (const trust of [{ version: 2, chain: [forged] }, { version: 3, chain: [rotation] }, { version: 2, chain: ["{"] }]) {
    await storage.set(stateKey, JSON.stringify({ ...stored, trust }));
    const st = await mk().status();
    assert.equal(st.stateCorrupt, true, JSON.stringify(trust));
    assert.equal(st.trustVersion, 1);
    assert.equal(st.state.trust, null);
    await rejects(mk().check(url("new")), "SIGNATURE_THRESHOLD");
  }
  // A newer app build pins root 2 itself: the stored chain is covered, and a further rotation
  // 2 → 3 is stored after it and replayed by clients of either build.
  await storage.set(stateKey, JSON.stringify(stored));
  const root2 = ota.trustApplyRotation(k.trust, rotation);
  const fourth = ota.keygen();
  const rotation3 = ota.trustRotate(root2, [fourth.publicKeyPem], 1, [next.privateKeyPem, fourth.privateKeyPem]);
  const byFourth = seal(k, "2.1.0", { signer: fourth });
  const mk2 = (trust) => setup({ ...k, trust }, routesFor("fourth", byFourth), { storage }).client;
  assert.equal((await mk2(root2).status()).trustVersion, 2);
  assert.deepEqual(await mk2(k.trust).rotateTrust([rotation3]), { version: 3 });
  assert.deepEqual(JSON.parse(await storage.get(stateKey)).trust.chain, [rotation, rotation3]);
  for (const pinned of [k.trust, root2]) {
    const c = mk2(pinned);
    assert.equal((await c.status()).stateCorrupt, false);
    assert.equal((await c.check(`${BASE}/fourth/manifest.json`)).signedBy[0], fourth.keyid);
  }

  // A core without the binding.
  const { trustApplyRotation, ...older } = ota.coreFrom(ota);
  assert.equal(typeof trustApplyRotation, "function");
  const c = ota.createClientWithCore(older, {
    trust: k.trust, app: APP, channel: CHANNEL, platform: "web",
    backend: ota.memoryBackend(new ota.MemoryUpdater({ builtinVersion: "1.0.0" })),
  });
  await rejects(c.rotateTrust([rotation]), "CLIENT_ROTATION_UNAVAILABLE");
});

test("UpdateError carries code, message and cause; every client code is documented", async () => {
  const { readFile } = await import("node:fs/promises");
  const doc = await readFile(new URL("../../docs/CLIENT.md", import.meta.url), "utf8");
  for (const code of ota.CLIENT_ERROR_CODES) assert.ok(doc.includes(`\`${code}\``), `${code} in docs/CLIENT.md`);
  const e = new ota.UpdateError("CLIENT_TIMEOUT", "slow", { cause: new Error("x") });
  assert.equal(e.code, "CLIENT_TIMEOUT");
  assert.ok(e instanceof Error);
  assert.equal(e.cause.message, "x");
});
