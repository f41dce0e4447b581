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
import { checkUrl, type TransportSecurity } from "./client/fetch.js";
import { ownCopy, sha256Hex, trustVersion, verifyInstalled } from "./client/verified.js";
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
  /**
   * Where trust-root rotations are published (the client's `rotationUrl`, a template with
   * `{version}`). A bundle whose envelope the worker's roots do not verify makes it fetch
   * rotation N+1, N+2, … until 404 or 410 (at most once a minute), each verified by the core
   * from the root in this script. Without it, a rotation needs a new worker script.
   */
  rotationUrl?: string;
  /** For `rotationUrl`; default `"https-only"`. CAUTION: `"allow-loopback-http"` is for development servers. */
  transport?: TransportSecurity;
  /** The verifier; default: this package's web wasm build, loaded at the first request that needs it. */
  core?: Pick<CoreApi, "verifyRelease" | "inspect" | "trustApplyRotation">;
  /** Must equal the page's `createWebUpdater({ appReadyTimeoutMs })`; default 10 000. */
  appReadyTimeoutMs?: number;
  /** Default `"otaseal"`. */
  prefix?: string;
  clock?: () => number;
}

/** The longest `setTimeout` delay (2^31 - 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** How often at most the worker looks for new trust-root rotations. */
const ROTATION_RECHECK_MS = 60_000;
/** Most rotations fetched at a time. */
const MAX_ROTATIONS = 16;
/** A rotation envelope larger than this is refused (the core's default envelope cap). */
const MAX_ROTATION_CHARS = 1 << 20;

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
  const transport = options.transport ?? "https-only";
  if (options.rotationUrl !== undefined) {
    if (typeof options.rotationUrl !== "string" || !options.rotationUrl.includes("{version}")) {
      throw new UpdateError("CLIENT_INVALID_ARGUMENT", `installServiceWorker: options.rotationUrl must be a URL template containing {version}, got ${JSON.stringify(options.rotationUrl)}`);
    }
    checkUrl(options.rotationUrl.replaceAll("{version}", "2"), undefined, transport);
  }
  const target = { app: options.app, channel: options.channel, platform: options.platform ?? "web" };
  const limits = options.limits ? ownCopy(options.limits) : undefined;
  type Verifier = Pick<CoreApi, "verifyRelease" | "inspect" | "trustApplyRotation">;
  let corePromise: Promise<Verifier> | null = null;
  const core = (): Promise<Verifier> =>
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
  const proven = new Map<string, { envelope: string; bundle: ProvenBundle | null; roots: number }>();
  /** The root in this script, then every rotation fetched from `rotationUrl` and verified from it. */
  const roots: string[] = [options.trust];
  let rotationsFetchedAt = -Infinity;

  /** Fetches and verifies rotations N+1, N+2, … (`rotationUrl`) until 404/410; true when a root was added. */
  const fetchRotations = async (verifier: Verifier): Promise<boolean> => {
    const template = options.rotationUrl;
    if (template === undefined || !verifier.trustApplyRotation || clock() - rotationsFetchedAt < ROTATION_RECHECK_MS) return false;
    rotationsFetchedAt = clock();
    const before = roots.length;
    for (let i = 0; i < MAX_ROTATIONS; i++) {
      const root = roots[roots.length - 1] as string;
      const url = checkUrl(template.replaceAll("{version}", String(trustVersion(verifier, root) + 1)), undefined, transport);
      const response = await scope.fetch(new Request(url.href, { cache: "no-store", redirect: "error" }));
      if (response.status === 404 || response.status === 410) break;
      if (!response.ok) throw new UpdateError("CLIENT_HTTP_STATUS", `${url.href}: HTTP ${response.status}`);
      const text = await response.text();
      if (text.length > MAX_ROTATION_CHARS) throw new UpdateError("CLIENT_RESPONSE_TOO_LARGE", `${url.href}: more than ${MAX_ROTATION_CHARS} characters`);
      roots.push(verifier.trustApplyRotation(root, text, limits ?? null));
    }
    return roots.length > before;
  };

  /** The envelope verified by the newest root that verifies it (older ones: installed before a rotation). */
  const verifyAgainstRoots = (verifier: Verifier, envelope: string) => {
    for (const root of [...roots].reverse()) {
      try {
        return verifyInstalled(verifier, envelope, root, target, limits);
      } catch {
        // try the older root
      }
    }
    return null;
  };

  /**
   * The bundle `id` as this worker verified it: its stored envelope verifies against the
   * compiled-in trust root, its signed version is above `builtinVersion`, and every signed
   * file is stored with its signed size and SHA-256. Null otherwise.
   */
  const provenBundle = async (id: string): Promise<ProvenBundle | null> => {
    const envelope = await store.readEnvelope(id);
    if (envelope === null) return null;
    const known = proven.get(id);
    // A refusal is reconsidered once new roots may be available (rotations).
    const stale = known?.bundle === null && options.rotationUrl !== undefined && (known.roots < roots.length || clock() - rotationsFetchedAt >= ROTATION_RECHECK_MS);
    if (known && known.envelope === envelope && !stale) return known.bundle;
    // A verifier that failed to load throws here (the network serves) and is not remembered.
    const verifier = await core();
    let bundle: ProvenBundle | null = null;
    try {
      let release = verifyAgainstRoots(verifier, envelope);
      if (!release && (await fetchRotations(verifier).catch(() => false))) release = verifyAgainstRoots(verifier, envelope);
      if (!release) throw new UpdateError("SIGNATURE_THRESHOLD", `bundle ${id}: its envelope does not verify`);
      const m = release.manifest;
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
    proven.set(id, { envelope, bundle, roots: roots.length });
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
    if (known) proven.set(id, { envelope: known.envelope, bundle: null, roots: roots.length });
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
    // Capped: a stored pendingSince is not trusted to be sane (setTimeout overflows past 2^31 - 1 ms).
    await new Promise((r) => setTimeout(r, Math.min(MAX_TIMER_MS, Math.max(0, state.pendingSince! + timeoutMs - clock()) + 50)));
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
