// The update client's staged-rollout bucket (docs/CLIENT.md "Staged rollout"): drawn once,
// kept in storage, passed to the core; the core decides (ROLLOUT_EXCLUDED). Needs the build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, keys, ota, rejects, routesFor, seal, setup } from "./client-fixtures.mjs";

const k = keys();
const staged = seal(k, "2.0.0", { info: { rollout: 100_000 } }); // 10 %
const halted = seal(k, "2.0.0", { info: { rollout: 0 } });
const routes = { ...routesFor("staged", staged), ...routesFor("halted", halted) };
const url = (name) => `${BASE}/${name}/manifest.json`;

test("a bucket inside the rollout takes the release; outside is ROLLOUT_EXCLUDED; 0 % is nobody", async () => {
  const inside = setup(k, routes, { rolloutBucket: 99_999 });
  assert.equal((await inside.client.check(url("staged"))).manifest.rollout, 100_000);
  const outside = setup(k, routes, { rolloutBucket: 100_000 });
  await rejects(outside.client.check(url("staged")), "ROLLOUT_EXCLUDED");
  await rejects(setup(k, routes, { rolloutBucket: 0 }).client.check(url("halted")), "ROLLOUT_EXCLUDED");
  assert.throws(() => setup(k, routes, { rolloutBucket: 1_000_000 }), /rolloutBucket/);
  assert.throws(() => setup(k, routes, { rolloutBucket: 1.5 }), /rolloutBucket/);
});

test("without an option the bucket is drawn once, stored, and reused", async () => {
  const s = setup(k, routes);
  await s.client.check(url("staged")).catch((e) => assert.equal(e.code, "ROLLOUT_EXCLUDED"));
  const stored = await s.storage.get("otaseal:com.example.app:production:rollout");
  assert.match(stored, /^(0|[1-9][0-9]{0,5})$/);
  // The verdict follows the stored bucket, every time.
  const expectIn = Number(stored) < 100_000;
  for (let i = 0; i < 3; i++) {
    const r = await s.client.check(url("staged")).then(() => "in", (e) => e.code);
    assert.equal(r, expectIn ? "in" : "ROLLOUT_EXCLUDED");
  }
  assert.equal(await s.storage.get("otaseal:com.example.app:production:rollout"), stored);
  // A stored bucket decides for a new client on the same storage.
  await s.storage.set("otaseal:com.example.app:production:rollout", "5");
  const again = ota.createUpdateClient({ trust: k.trust, app: "com.example.app", channel: "production", platform: "web",
    backend: s.backend, storage: s.storage, fetch: s.fetch, clock: () => 1_750_000_000_000 });
  assert.equal((await again.check(url("staged"))).manifest.version, "2.0.0");
});
