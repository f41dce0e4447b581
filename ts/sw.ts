/**
 * `otaseal/sw`: the service-worker half of the web fallback. It serves the active bundle from
 * Cache Storage for requests inside its scope, but only what it verified itself: Cache Storage
 * is writable by every script of the origin (pages outside the scope too), so the worker
 * trusts nothing stored there. Before it serves a bundle it re-verifies the bundle's stored
 * signed envelope against the trust root compiled into the worker script (a threshold of its
 * keys, this app, channel and platform, newer than `builtinVersion`) and hashes every stored
 * file against the signed manifest; at every response it hashes the file again. Anything that
 * fails (no envelope, a forged or foreign one, a file missing or changed) is not served: the
 * request goes to the network, i.e. the site's own (builtin) files. The stored state only
 * selects which verified bundle runs.
 *
 * It also activates a `next` bundle on a navigation (a "launch") and rolls back a bundle that
 * did not call `notifyAppReady` within `appReadyTimeoutMs`: at the deadline it marks the
 * bundle `error`, restores the last successful one and reloads the open pages. Requests for
 * paths the bundle does not contain go to the network.
 *
 * Use it from a module service worker at the root of the scope, with the app's pinned trust
 * root written into the script (not fetched: the worker must not take it from the origin's
 * storage or from a page):
 *
 * ```js
 * // /app/sw.js, registered with registerServiceWorker("/app/sw.js", "/app/")
 * import { installServiceWorker } from "otaseal/sw";
 * import trust from "./trust.json" with { type: "json" }; // or inlined by the bundler
 * installServiceWorker(self, {
 *   trust: JSON.stringify(trust), app: "com.example.app", channel: "production",
 *   builtinVersion: "1.0.0", appReadyTimeoutMs: 10_000,
 * });
 * ```
 * @module
 */
import init, * as wasm from "../pkg/web/otaseal.js";
import type { Limits } from "../pkg/web/otaseal.js";
import { wasmUrl } from "./accel/simd.js";
import { UpdateError } from "./client/errors.js";
import { compareSemver, isSemver } from "./client/semver.js";
import type { CoreApi } from "./client/types.js";
import { checkDeadline, launch, BUILTIN_ID } from "./client/updater.js";
import { ownCopy, sha256Hex, verifyInstalled } from "./client/verified.js";
import { contentType, webStore, type WebStore } from "./client/webstore.js";

/** The parts of `ExtendableEvent` used here (declared locally: the DOM lib has no worker types). */
interface ExtendableEventLike extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEventLike extends ExtendableEventLike {
  readonly request: Request;
  respondWith(r: Response | Promise<Response>): void;
}
interface WindowClientLike {
  readonly url: string;
  navigate(url: string): Promise<unknown>;
}

/**
 * The parts of `ServiceWorkerGlobalScope` this module uses.
 *
 * @example
 * ```ts
 * installServiceWorker(self as unknown as ServiceWorkerScopeLike);
 * ```
 */
export interface ServiceWorkerScopeLike {
  readonly registration: { readonly scope: string };
  readonly caches: CacheStorage;
  readonly navigator?: { locks?: { request<T>(name: string, callback: () => Promise<T>): Promise<T> } };
  readonly clients: { claim(): Promise<void>; matchAll(o?: { type?: "window" }): Promise<readonly WindowClientLike[]> };
  skipWaiting(): Promise<void>;
  fetch(r: Request): Promise<Response>;
  addEventListener(type: "install" | "activate", l: (e: ExtendableEventLike) => void): void;
  addEventListener(type: "fetch", l: (e: FetchEventLike) => void): void;
}

/**
 * Options of {@link installServiceWorker}.
 *
 * @example
 * ```ts
 * const options: ServiceWorkerOptions = { appReadyTimeoutMs: 10_000 };
 * ```
 */
export interface ServiceWorkerOptions {
  /** The app's pinned trust root (document or self-signed envelope JSON), written into the worker script. */
  trust: string;
  app: string;
  channel: string;
  /** Default `"web"`. */
  platform?: "android" | "ios" | "web";
  /** The site's own bundle: a release whose signed version is not above it is never served. */
  builtinVersion?: string;
  /** Tighter verification limits. */
  limits?: Partial<Limits>;
  /** The verifier; default: this package's web wasm build, loaded at the first request that needs it. */
  core?: Pick<CoreApi, "verifyRelease" | "inspect">;
  /** Must equal the page's `createWebUpdater({ appReadyTimeoutMs })`; default 10 000. */
  appReadyTimeoutMs?: number;
  /** Default `"otaseal"`. */
  prefix?: string;
  clock?: () => number;
}

/** A bundle whose envelope and stored files this worker verified: what it may serve. */
interface ProvenBundle {
  version: string;
  files: Map<string, { size: number; sha256: string }>;
}

/**
 * Installs the fetch, install and activate handlers on a service worker global scope. Throws
 * `CLIENT_INVALID_ARGUMENT` without a trust root, app and channel (the worker then fails to
 * install, and the site's own files are served).
 *
 * @example
 * ```ts
 * import { installServiceWorker } from "otaseal/sw";
 * installServiceWorker(self, { trust: TRUST_JSON, app: "com.example.app", channel: "production", builtinVersion: "1.0.0" });
 * ```
 */
export function installServiceWorker(scope: ServiceWorkerScopeLike, given: ServiceWorkerOptions): WebStore {
  // Own properties only: a polluted Object.prototype must not supply an option.
  const options = ownCopy(given);
  for (const k of ["trust", "app", "channel"] as const) {
    if (typeof options[k] !== "string" || options[k] === "") {
      throw new UpdateError("CLIENT_INVALID_ARGUMENT", `installServiceWorker: options.${k} must be a non-empty string (the service worker verifies every bundle itself)`);
    }
  }
  if (options.builtinVersion !== undefined && !isSemver(options.builtinVersion)) {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", `installServiceWorker: options.builtinVersion must be SemVer, got ${JSON.stringify(options.builtinVersion)}`);
  }
  const target = { app: options.app, channel: options.channel, platform: options.platform ?? "web" };
  const limits = options.limits ? ownCopy(options.limits) : undefined;
  let corePromise: Promise<Pick<CoreApi, "verifyRelease" | "inspect">> | null = null;
  const core = (): Promise<Pick<CoreApi, "verifyRelease" | "inspect">> =>
    (corePromise ??= (options.core ? Promise.resolve(options.core) : init({ module_or_path: wasmUrl() }).then(() => wasm)).catch((e: unknown) => {
      corePromise = null; // a failed load is retried at the next request (meanwhile the network serves)
      throw e;
    }));
  const timeoutMs = options.appReadyTimeoutMs ?? 10_000;
  const clock = options.clock ?? Date.now;
  const store = webStore({
    scope: scope.registration.scope,
    caches: scope.caches,
    locks: scope.navigator?.locks,
    ...(options.prefix ? { prefix: options.prefix } : {}),
  });

  /** Per bundle id: the envelope last seen and what it proved (null: not to be served). */
  const proven = new Map<string, { envelope: string; bundle: ProvenBundle | null }>();

  /**
   * The bundle `id` as this worker verified it: its stored envelope verifies against the
   * compiled-in trust root, its signed version is above `builtinVersion`, and every signed
   * file is stored with its signed size and SHA-256. Null otherwise.
   */
  const provenBundle = async (id: string): Promise<ProvenBundle | null> => {
    const envelope = await store.readEnvelope(id);
    if (envelope === null) return null;
    const known = proven.get(id);
    if (known && known.envelope === envelope) return known.bundle;
    // A verifier that failed to load throws here (the network serves) and is not remembered.
    const verifier = await core();
    let bundle: ProvenBundle | null = null;
    try {
      const m = verifyInstalled(verifier, envelope, options.trust, target, limits).manifest;
      if (options.builtinVersion === undefined || compareSemver(m.version, options.builtinVersion) > 0) {
        const cache = await scope.caches.open(store.bundleCacheName(id));
        let complete = true;
        for (const f of m.files) {
          const hit = await cache.match(store.keyOf(f.path));
          const bytes = hit ? new Uint8Array(await hit.arrayBuffer()) : null;
          if (!bytes || bytes.byteLength !== f.size || (await sha256Hex(bytes)) !== f.sha256) {
            complete = false;
            break;
          }
        }
        if (complete) bundle = { version: m.version, files: new Map(m.files.map((f) => [f.path, { size: f.size, sha256: f.sha256 }])) };
      }
    } catch {
      bundle = null;
    }
    proven.set(id, { envelope, bundle });
    return bundle;
  };

  /** The stored file at `path` of a proven bundle, hashed again now; null when it does not match. */
  const servedFile = async (id: string, path: string): Promise<Response | null> => {
    const bundle = await provenBundle(id);
    const signed = bundle?.files.get(path);
    if (!bundle || !signed) return null;
    const hit = await (await scope.caches.open(store.bundleCacheName(id))).match(store.keyOf(path));
    const bytes = hit ? new Uint8Array(await hit.arrayBuffer()) : null;
    if (bytes && bytes.byteLength === signed.size && (await sha256Hex(bytes)) === signed.sha256) {
      // Headers are the worker's own, never the stored ones.
      return new Response(bytes, { headers: { "content-type": contentType(path), "x-otaseal-bundle": id, "x-otaseal-version": bundle.version } });
    }
    // A signed file went missing or changed in storage: the bundle is not served any more.
    const known = proven.get(id);
    if (known) proven.set(id, { envelope: known.envelope, bundle: null });
    return null;
  };

  const reloadClients = async (): Promise<void> => {
    for (const client of await scope.clients.matchAll({ type: "window" })) {
      if (client.url.startsWith(store.scope)) await client.navigate(client.url).catch(() => undefined);
    }
  };

  /** Waits for the active bundle's deadline, then rolls it back if it still did not confirm. */
  const watch = async (): Promise<void> => {
    const state = await store.read();
    if (state.current === BUILTIN_ID || state.pendingSince === null) return;
    await new Promise((r) => setTimeout(r, Math.max(0, state.pendingSince! + timeoutMs - clock()) + 50));
    const rolledBack = await store.update((s) => {
      const r = checkDeadline(s, clock(), timeoutMs);
      return { state: r.state, result: r.rolledBack };
    });
    if (rolledBack) await reloadClients();
  };

  const respond = async (event: FetchEventLike): Promise<Response> => {
    const request = event.request;
    let state;
    if (request.mode === "navigate") {
      state = await store.update((s) => {
        const r = launch(s, clock(), timeoutMs);
        return { state: r.state, result: r.state };
      });
      if (state.pendingSince !== null) event.waitUntil(watch());
    } else {
      state = await store.read();
    }
    if (state.current !== BUILTIN_ID) {
      const path = store.pathOf(request.url);
      if (path !== null) {
        const served = await servedFile(state.current, path);
        if (served) return served;
      }
    }
    return scope.fetch(request);
  };

  // The verifier is loaded while installing, so the first request finds it ready.
  scope.addEventListener("install", (e) => e.waitUntil(Promise.all([scope.skipWaiting(), core().catch(() => undefined)])));
  scope.addEventListener("activate", (e) => e.waitUntil(scope.clients.claim()));
  scope.addEventListener("fetch", (event) => {
    const request = event.request;
    if (request.method !== "GET" || store.pathOf(request.url) === null) return;
    // Any failure of the bundle lookup serves the network's (builtin) response instead.
    event.respondWith(respond(event).catch(() => scope.fetch(request)));
  });
  return store;
}
