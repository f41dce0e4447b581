// An in-memory Cache Storage that behaves like the browser's where it matters to the web
// fallback: a deleted cache is gone for later `open`s even if a writer still holds the old
// object. Used by the web updater and service worker tests in Node.

export function memoryCaches({ beforePut } = {}) {
  const stores = new Map();
  const key = (r) => (typeof r === "string" ? r : r.url);
  const cacheOf = (name, entries) => ({
    async put(request, response) {
      await beforePut?.(name);
      entries.set(key(request), { body: await response.arrayBuffer(), headers: [...response.headers] });
    },
    async match(request) {
      const e = entries.get(key(request));
      return e ? new Response(e.body, { headers: e.headers }) : undefined;
    },
    async keys() {
      return [...entries.keys()].map((u) => new Request(u));
    },
    async delete(request) {
      return entries.delete(key(request));
    },
  });
  return {
    async open(name) {
      if (!stores.has(name)) stores.set(name, new Map());
      return cacheOf(name, stores.get(name));
    },
    async delete(name) {
      return stores.delete(name);
    },
    async keys() {
      return [...stores.keys()];
    },
    async has(name) {
      return stores.has(name);
    },
  };
}

export async function withCaches(caches, f) {
  const saved = Object.getOwnPropertyDescriptor(globalThis, "caches");
  globalThis.caches = caches;
  try {
    return await f();
  } finally {
    if (saved) Object.defineProperty(globalThis, "caches", saved);
    else delete globalThis.caches;
  }
}
