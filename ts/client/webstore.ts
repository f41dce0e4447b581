/**
 * Where the web fallback keeps things, shared by the page (`otaseal/web`) and the service
 * worker (`otaseal/sw`): the updater state as one Cache Storage entry, each verified release
 * in its own cache keyed by the very URLs the service worker will be asked for, and a Web
 * Lock around every read-modify-write of the state.
 * @module
 */
import { UpdateError } from "./errors.js";
import { parseUpdaterState, type UpdaterState } from "./updater.js";
import { ownCopy } from "./verified.js";

/**
 * The environment both sides need.
 *
 * @example
 * ```ts
 * const store = webStore({ scope: new URL("/app/", location.href).href, caches, locks: navigator.locks });
 * ```
 */
export interface WebStoreOptions {
  /** Absolute URL ending in `/`: the part of the site the updater serves bundles for. */
  scope: string;
  caches: CacheStorage;
  locks?: { request<T>(name: string, callback: () => Promise<T>): Promise<T> } | undefined;
  /** Cache-name prefix; default `"otaseal"`. Two apps on one origin need different scopes or prefixes. */
  prefix?: string;
}

/**
 * The web fallback's storage.
 *
 * @example
 * ```ts
 * const state = await store.read();
 * ```
 */
export interface WebStore {
  readonly scope: string;
  read(): Promise<UpdaterState>;
  /** Runs `f` on the current state under the lock and stores what it returns. */
  /** Reads, changes and writes the state under the lock (`f` may check Cache Storage first). */
  update<T>(f: (state: UpdaterState) => { state: UpdaterState; result: T } | Promise<{ state: UpdaterState; result: T }>): Promise<T>;
  bundleCacheName(id: string): string;
  /** The cache key of `path` in a bundle: the URL it is served at. */
  keyOf(path: string): string;
  /** The bundle path a request URL maps to (`dir/` → `dir/index.html`), or null when outside the scope. */
  pathOf(url: string): string | null;
  /** The signed envelope stored for bundle `id`, or null. */
  readEnvelope(id: string): Promise<string | null>;
  /** Stores the signed envelope of bundle `id` (in the state's cache, outside the bundle's URL space). */
  writeEnvelope(id: string, envelope: string): Promise<void>;
  /** Deletes bundle caches (and envelopes) that the state does not list (interrupted downloads). */
  collectGarbage(): Promise<string[]>;
}

/**
 * Opens the web fallback's storage.
 *
 * @example
 * ```ts
 * const store = webStore({ scope: "https://example.com/app/", caches });
 * ```
 */
export function webStore(given: WebStoreOptions): WebStore {
  // Own properties only: a polluted Object.prototype must not supply an option.
  const options = ownCopy(given);
  const prefix = options.prefix ?? "otaseal";
  let scope: URL;
  try {
    scope = new URL(options.scope);
  } catch (e) {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", `scope must be an absolute URL, got ${JSON.stringify(options.scope)}`, { cause: e });
  }
  if (!scope.pathname.endsWith("/") || scope.search || scope.hash) {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", `scope must end with "/" and have no query: ${scope.href}`);
  }
  const caches = options.caches;
  const metaCache = `${prefix}:${scope.pathname}:meta`;
  const stateKey = new URL("__otaseal__/state.json", scope).href;
  const lockName = `${prefix}:${scope.pathname}:state`;
  const bundlePrefix = `${prefix}:${scope.pathname}:bundle:`;
  const envelopePrefix = new URL("__otaseal__/envelope/", scope).href;
  const envelopeKey = (id: string): string => envelopePrefix + encodeURIComponent(id);

  const read = async (): Promise<UpdaterState> => {
    const cache = await caches.open(metaCache);
    const r = await cache.match(stateKey);
    return parseUpdaterState(r ? await r.text() : null);
  };
  const locked = <T>(f: () => Promise<T>): Promise<T> => (options.locks ? options.locks.request(lockName, f) : f());

  const store: WebStore = {
    scope: scope.href,
    read,
    update(f) {
      return locked(async () => {
        const { state, result } = await f(await read());
        const cache = await caches.open(metaCache);
        await cache.put(stateKey, new Response(JSON.stringify(state), { headers: { "content-type": "application/json" } }));
        return result;
      });
    },
    bundleCacheName: (id) => bundlePrefix + id,
    async readEnvelope(id) {
      const r = await (await caches.open(metaCache)).match(envelopeKey(id));
      return r ? await r.text() : null;
    },
    async writeEnvelope(id, envelope) {
      await (await caches.open(metaCache)).put(envelopeKey(id), new Response(envelope, { headers: { "content-type": "application/json" } }));
    },
    keyOf: (path) => new URL(path, scope).href,
    pathOf(url) {
      const u = new URL(url);
      if (u.origin !== scope.origin || !u.pathname.startsWith(scope.pathname)) return null;
      let path = decodeURIComponent(u.pathname.slice(scope.pathname.length));
      if (path === "" || path.endsWith("/")) path += "index.html";
      return path;
    },
    async collectGarbage() {
      return locked(async () => {
        const state = await read();
        const keep = new Set(state.bundles.map((b) => bundlePrefix + b.id));
        const removed: string[] = [];
        for (const name of await caches.keys()) {
          if (name.startsWith(bundlePrefix) && !keep.has(name)) {
            await caches.delete(name);
            removed.push(name.slice(bundlePrefix.length));
          }
        }
        const meta = await caches.open(metaCache);
        for (const request of await meta.keys()) {
          const url = typeof request === "string" ? request : request.url;
          if (url.startsWith(envelopePrefix) && !keep.has(bundlePrefix + decodeURIComponent(url.slice(envelopePrefix.length)))) await meta.delete(request);
        }
        return removed;
      });
    },
  };
  return store;
}

/** Content types by file extension, for serving bundle files. */
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  htm: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  map: "application/json",
  txt: "text/plain; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  ico: "image/x-icon",
  wasm: "application/wasm",
  woff: "font/woff",
  woff2: "font/woff2",
  webmanifest: "application/manifest+json",
};

/**
 * The content type a bundle file is served with.
 *
 * @example
 * ```ts
 * contentType("assets/app.js"); // "text/javascript; charset=utf-8"
 * ```
 */
export function contentType(path: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? "";
  return TYPES[ext] ?? "application/octet-stream";
}
