/**
 * `otaseal/sw`: the service-worker half of the web fallback. It serves the active verified
 * bundle from Cache Storage for requests inside its scope, activates a `next` bundle on a
 * navigation (a "launch"), and rolls back a bundle that did not call `notifyAppReady` within
 * `appReadyTimeoutMs`: at the deadline it marks the bundle `error`, restores the last
 * successful one and reloads the open pages. Requests for paths the bundle does not contain
 * go to the network.
 *
 * Use it from a module service worker at the root of the scope:
 *
 * ```js
 * // /app/sw.js, registered with registerServiceWorker("/app/sw.js", "/app/")
 * import { installServiceWorker } from "otaseal/sw";
 * installServiceWorker(self, { appReadyTimeoutMs: 10_000 });
 * ```
 * @module
 */
import { checkDeadline, launch, BUILTIN_ID } from "./client/updater.js";
import { webStore, type WebStore } from "./client/webstore.js";

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
  /** Must equal the page's `createWebUpdater({ appReadyTimeoutMs })`; default 10 000. */
  appReadyTimeoutMs?: number;
  /** Default `"otaseal"`. */
  prefix?: string;
  clock?: () => number;
}

/**
 * Installs the fetch, install and activate handlers on a service worker global scope.
 *
 * @example
 * ```ts
 * import { installServiceWorker } from "otaseal/sw";
 * installServiceWorker(self, { appReadyTimeoutMs: 10_000 });
 * ```
 */
export function installServiceWorker(scope: ServiceWorkerScopeLike, options: ServiceWorkerOptions = {}): WebStore {
  const timeoutMs = options.appReadyTimeoutMs ?? 10_000;
  const clock = options.clock ?? Date.now;
  const store = webStore({
    scope: scope.registration.scope,
    caches: scope.caches,
    locks: scope.navigator?.locks,
    ...(options.prefix ? { prefix: options.prefix } : {}),
  });

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
        const cache = await scope.caches.open(store.bundleCacheName(state.current));
        const hit = await cache.match(store.keyOf(path));
        if (hit) return hit;
      }
    }
    return scope.fetch(request);
  };

  scope.addEventListener("install", (e) => e.waitUntil(scope.skipWaiting()));
  scope.addEventListener("activate", (e) => e.waitUntil(scope.clients.claim()));
  scope.addEventListener("fetch", (event) => {
    const request = event.request;
    if (request.method !== "GET" || store.pathOf(request.url) === null) return;
    // Any failure of the bundle lookup serves the network's (builtin) response instead.
    event.respondWith(respond(event).catch(() => scope.fetch(request)));
  });
  return store;
}
