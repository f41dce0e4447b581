// Shared fixtures for the client tests: real keys, real sealed releases (pkg/node via the Node
// entry), and a fake fetch that serves their bytes.
import * as ota from "../../dist/node.js";

export { ota };

export const APP = "com.example.app";
export const CHANNEL = "production";
export const NOW = 1_750_000_000; // seconds
export const enc = new TextEncoder();

export function keys() {
  const signer = ota.keygen();
  const trust = ota.trustInit([signer.publicKeyPem], 1);
  const bundleKey = ota.bundleKeyGenerate();
  return { signer, trust, bundleKey };
}

export function files(version, extra = {}) {
  return [
    { path: "index.html", data: enc.encode(`<!doctype html><title>v${version}</title><h1>${version}</h1>\n`) },
    { path: "version.txt", data: enc.encode(version) },
    ...Object.entries(extra).map(([path, text]) => ({ path, data: enc.encode(text) })),
  ];
}

/** Seals a release; `info` overrides the release fields, `extra` adds files (path → text). */
export function seal(k, version, { info = {}, encrypt = false, signer = k.signer, segmentSize, extra = {} } = {}) {
  return ota.seal(
    files(version, extra),
    { app: APP, channel: CHANNEL, platforms: ["web", "ios"], version, issuedAt: NOW - 3600, expiresAt: NOW + 30 * 86400, ...info },
    [signer.privateKeyPem],
    encrypt ? { key: k.bundleKey.key, ...(segmentSize ? { segmentSize } : {}) } : null,
  );
}

/**
 * A fetch double: `routes` maps URL → Uint8Array | string | (() => Response | Promise<Response>).
 * Bodies are streamed in `chunk`-byte pieces. Every request is recorded in `requests`.
 */
export function fakeFetch(routes, { chunk = 64 } = {}) {
  const requests = [];
  const f = async (url, init) => {
    requests.push({ url, init });
    if (init?.signal?.aborted) throw new DOMException("aborted", "AbortError");
    const r = routes[url];
    if (r === undefined) return new Response("not found", { status: 404 });
    if (typeof r === "function") return r(init);
    const bytes = typeof r === "string" ? enc.encode(r) : r;
    let at = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (at >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(at, at + chunk));
        at += chunk;
      },
    });
    return new Response(body, { status: 200, headers: { "content-length": String(bytes.length) } });
  };
  f.requests = requests;
  return f;
}

export const BASE = "https://updates.example.com/app";

/** Routes for a sealed release at BASE/<name>/. */
export function routesFor(name, sealed) {
  const bundleName = sealed.manifest.encryption ? "bundle.bin" : "bundle.zip";
  return {
    [`${BASE}/${name}/manifest.json`]: sealed.envelopeJson,
    [`${BASE}/${name}/${bundleName}`]: sealed.bundle,
  };
}

/** A client over a memory updater with builtin 1.0.0, a fixed clock and a fake fetch. */
export function setup(k, routes, overrides = {}) {
  let now = NOW * 1000;
  const updater = new ota.MemoryUpdater({ builtinVersion: "1.0.0", clock: () => now, appReadyTimeoutMs: 10_000 });
  const backend = ota.memoryBackend(updater);
  const storage = ota.memoryStorage();
  const fetch = fakeFetch(routes);
  const events = [];
  const client = ota.createUpdateClient({
    trust: k.trust,
    app: APP,
    channel: CHANNEL,
    platform: "web",
    backend,
    storage,
    fetch,
    clock: () => now,
    decryptionKeys: [k.bundleKey.key],
    ...overrides,
  });
  for (const e of ["checked", "verified", "downloadProgress", "rejected", "applied", "failed"]) {
    client.on(e, (p) => events.push({ event: e, ...p }));
  }
  return {
    client,
    updater,
    backend,
    storage,
    fetch,
    events,
    advance: (ms) => (now += ms),
    setNow: (ms) => (now = ms),
  };
}

export async function rejects(promise, code) {
  try {
    await promise;
  } catch (e) {
    if (e?.code !== code) throw new Error(`expected ${code}, got ${e?.code}: ${e?.message}`, { cause: e });
    return e;
  }
  throw new Error(`expected ${code}, but it resolved`);
}
