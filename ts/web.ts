/**
 * `otaseal/web`: the web fallback updater. A real browser implementation of the updater's
 * methods with the names and shapes of `@capgo/capacitor-updater` (`download`, `next`, `set`,
 * `current`, `list`, `delete`, `reset`, `notifyAppReady`), so one app code path works in a
 * browser. Verified files are kept in Cache Storage, one cache per release, and served by the
 * service worker of `otaseal/sw`. `next` activates at the next load, `set` now; a bundle that
 * does not call `notifyAppReady` within the timeout is rolled back by the service worker.
 * Staging is atomic: a release exists only once all its files are stored and the state lists
 * it, so an interrupted download or a failed verification leaves the running release as is.
 * @module
 */
import { UpdateError } from "./client/errors.js";
import type { UpdateBackend } from "./client/types.js";
import {
  BUILTIN_ID,
  activate,
  addBundle,
  builtinInfo,
  confirm,
  deleteBundle,
  fallbackBackend,
  launch,
  resetState,
  setNext,
  type FallbackDownloadOptions,
  type FallbackUpdater,
  type UpdaterBundle,
  verifiedDownload,
} from "./client/updater.js";
import { ownCopy, sha256Hex } from "./client/verified.js";
import { contentType, webStore, type WebStore } from "./client/webstore.js";

export { localStorageStorage, memoryStorage } from "./client/storage.js";
export type { FallbackUpdater, UpdaterBundle, VerifiedBundle } from "./client/updater.js";

/**
 * Options of {@link createWebUpdater}.
 *
 * @example
 * ```ts
 * const options: WebUpdaterOptions = { scope: "/app/", builtinVersion: "1.0.0", appReadyTimeoutMs: 10_000 };
 * ```
 */
export interface WebUpdaterOptions {
  /** The part of the site bundles are served for (the service worker's scope), e.g. `"/app/"`. */
  scope: string;
  /** Version of the site's own files (the "builtin" bundle). */
  builtinVersion: string;
  /** Must equal the service worker's `appReadyTimeoutMs`; default 10 000 (the plugin's default). */
  appReadyTimeoutMs?: number;
  /** After `set` / `reset`: default reloads the page when it is inside the scope. */
  reload?: () => void;
  /** Cache-name prefix, as given to the service worker; default `"otaseal"`. */
  prefix?: string;
  clock?: () => number;
}

/**
 * The web fallback updater: {@link FallbackUpdater} plus `launch()` for pages without a
 * service worker in control.
 *
 * @example
 * ```ts
 * const updater = await createWebUpdater({ scope: "/app/", builtinVersion: "1.0.0" });
 * await updater.notifyAppReady();
 * ```
 */
export interface WebUpdater extends FallbackUpdater {
  readonly store: WebStore;
  /** Applies `next` and the rollback deadline now (the service worker does this on each navigation). */
  launch(): Promise<{ rolledBack: string | null }>;
}

function environment(): { caches: CacheStorage; locks: WebUpdaterLocks | undefined; location: Location | undefined } {
  const g = globalThis as { caches?: CacheStorage; navigator?: { locks?: WebUpdaterLocks }; location?: Location; isSecureContext?: boolean };
  if (!g.caches || g.isSecureContext === false) {
    throw new UpdateError("CLIENT_WEB_UNAVAILABLE", "the web fallback needs Cache Storage in a secure context (HTTPS or localhost)");
  }
  return { caches: g.caches, locks: g.navigator?.locks, location: g.location };
}

type WebUpdaterLocks = { request<T>(name: string, callback: () => Promise<T>): Promise<T> };

/**
 * Opens the web fallback updater and removes leftovers of interrupted downloads. Throws
 * `CLIENT_WEB_UNAVAILABLE` without Cache Storage (Node, insecure context).
 *
 * @example
 * ```ts
 * const updater = await createWebUpdater({ scope: "/app/", builtinVersion: "1.0.0" });
 * const { bundle } = await updater.current();
 * ```
 */
export async function createWebUpdater(given: WebUpdaterOptions): Promise<WebUpdater> {
  const options = ownCopy(given);
  const env = environment();
  const base = env.location?.href;
  let scope: string;
  try {
    scope = base === undefined ? new URL(options.scope).href : new URL(options.scope, base).href;
  } catch (e) {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", `scope: ${JSON.stringify(options.scope)} is not a URL`, { cause: e });
  }
  const store = webStore({ scope, caches: env.caches, locks: env.locks, ...(options.prefix ? { prefix: options.prefix } : {}) });
  const clock = options.clock ?? Date.now;
  const timeoutMs = options.appReadyTimeoutMs ?? 10_000;
  const reload =
    options.reload ??
    (() => {
      if (env.location && env.location.href.startsWith(store.scope)) env.location.reload();
    });
  const info = (state: { bundles: UpdaterBundle[] }, id: string): UpdaterBundle => {
    if (id === BUILTIN_ID) return builtinInfo(options.builtinVersion);
    const b = state.bundles.find((x) => x.id === id);
    if (!b) throw new UpdateError("CLIENT_BUNDLE_UNKNOWN", `no bundle ${id}`);
    return b;
  };
  await store.collectGarbage();
  /** Set by `set()`: this page still runs the bundle it switched away from. */
  let switched: string | null = null;

  const updater: WebUpdater = {
    store,
    async download(o: FallbackDownloadOptions) {
      // Only the client's verified content; the files stored are re-hashed private copies.
      const content = await verifiedDownload(o, "the web fallback");
      const m = content.release.manifest;
      const id = `b-${m.bundle.zipSha256.slice(0, 16)}`;
      const name = store.bundleCacheName(id);
      // Listed already: kept only when its stored envelope and files are this release's (the
      // state may have been written by anyone); otherwise staged again over it.
      const existing = (await store.read()).bundles.find((b) => b.id === id);
      if (existing && (await store.readEnvelope(id)) === content.envelope && (await updater.storedFilesMatch!(id, m.files))) return existing;
      // Stage: write every file; only a complete cache is then listed in the state.
      await env.caches.delete(name);
      try {
        const cache = await env.caches.open(name);
        for (const f of content.files) {
          const headers = { "content-type": contentType(f.path), "content-length": String(f.size), "x-otaseal-sha256": f.sha256, "x-otaseal-bundle": id };
          await cache.put(store.keyOf(f.path), new Response(f.data as Uint8Array<ArrayBuffer>, { headers }));
        }
      } catch (e) {
        await env.caches.delete(name).catch(() => undefined);
        throw new UpdateError("CLIENT_BACKEND_FAILED", `storing bundle ${id}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      const bundle: UpdaterBundle = { id, version: m.version, downloaded: new Date(clock()).toISOString(), checksum: m.bundle.zipSha256, status: "pending" };
      return store.update(async (s) => {
        // Under the lock: another page's start-up clean-up may have deleted this cache while
        // it was written (it was not listed yet). Only a complete cache is listed.
        const stored = (await (await env.caches.open(name)).keys()).length;
        if (stored !== content.files.length) {
          await env.caches.delete(name).catch(() => undefined);
          throw new UpdateError("CLIENT_BACKEND_FAILED", `storing bundle ${id}: ${stored} of ${content.files.length} files left after staging (another page cleaned up); download again`);
        }
        // The signed envelope: what the service worker and the client verify before they
        // believe anything about this bundle.
        await store.writeEnvelope(id, content.envelope);
        return { state: addBundle(s, bundle), result: bundle };
      });
    },
    async next({ id }) {
      return store.update((s) => {
        const state = setNext(s, id);
        return { state, result: info(state, id) };
      });
    },
    async set({ id }) {
      await store.update((s) => ({ state: activate(s, id, clock()), result: undefined }));
      // This page runs the old bundle: only a page of the new one may confirm it.
      switched = id;
      reload();
    },
    async current() {
      const s = await store.read();
      return { bundle: info(s, s.current), native: "" };
    },
    async list() {
      return { bundles: [...(await store.read()).bundles] };
    },
    async delete({ id }) {
      await store.update((s) => ({ state: deleteBundle(s, id), result: undefined }));
      await env.caches.delete(store.bundleCacheName(id));
    },
    async reset(o) {
      await store.update((s) => ({ state: resetState(s, o, clock()), result: undefined }));
      reload();
    },
    async notifyAppReady() {
      if (switched !== null) {
        throw new UpdateError("CLIENT_INVALID_STATE", `this page activated bundle ${switched} with set(); only a page that bundle serves may call notifyAppReady`);
      }
      return store.update((s) => {
        const state = confirm(s);
        return { state, result: { bundle: info(state, state.current) } };
      });
    },
    async signedEnvelope(id) {
      return store.readEnvelope(id);
    },
    async storedFilesMatch(id, files) {
      const cache = await env.caches.open(store.bundleCacheName(id));
      if ((await cache.keys()).length !== files.length) return false;
      for (const f of files) {
        const hit = await cache.match(store.keyOf(f.path));
        const bytes = hit ? new Uint8Array(await hit.arrayBuffer()) : null;
        if (!bytes || bytes.byteLength !== f.size || (await sha256Hex(bytes)) !== f.sha256) return false;
      }
      return true;
    },
    async launch() {
      return store.update((s) => {
        const r = launch(s, clock(), timeoutMs);
        return { state: r.state, result: { rolledBack: r.rolledBack } };
      });
    },
  };
  return updater;
}

/**
 * A client backend over the web fallback updater.
 *
 * @example
 * ```ts
 * import { createUpdateClient, localStorageStorage } from "otaseal";
 * import { createWebUpdater, webBackend } from "otaseal/web";
 * const updater = await createWebUpdater({ scope: "/app/", builtinVersion: "1.0.0" });
 * const client = createUpdateClient({ trust, app, channel, platform: "web", backend: webBackend(updater), storage: localStorageStorage() });
 * ```
 */
export function webBackend(updater: WebUpdater): UpdateBackend & { readonly updater: WebUpdater } {
  return Object.assign(fallbackBackend("web", updater), { updater });
}

/**
 * Registers the service worker that serves the active bundle (a module worker that calls
 * `installServiceWorker` from `otaseal/sw`) and waits until it is active.
 *
 * @example
 * ```ts
 * await registerServiceWorker("/app/sw.js", "/app/");
 * ```
 */
export async function registerServiceWorker(scriptUrl: string, scope: string): Promise<ServiceWorkerRegistration> {
  const sw = (globalThis as { navigator?: Navigator }).navigator?.serviceWorker;
  if (!sw) throw new UpdateError("CLIENT_WEB_UNAVAILABLE", "service workers are not available here (insecure context or unsupported browser)");
  const registration = await sw.register(scriptUrl, { scope, type: "module" });
  const worker = registration.installing ?? registration.waiting ?? registration.active;
  if (worker && worker.state !== "activated") {
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (worker.state === "activated") {
          worker.removeEventListener("statechange", check);
          resolve();
        }
      };
      worker.addEventListener("statechange", check);
      check();
    });
  }
  return registration;
}
