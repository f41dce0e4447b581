// @ts-check
// Recording doubles of the real @capacitor/filesystem `Filesystem` and @capacitor/core `WebView`
// plugin objects, type-checked against their definitions by filesystem.test.mjs (tsc
// --checkJs). They follow the native behaviour the backend relies on: non-UTF-8 data is
// base64 (refused when malformed), a missing file or folder is an error, rename refuses an
// existing destination, `setServerBasePath` is not persisted until `persistServerBasePath`,
// and a cold start (`restart()`) loads the persisted path the way Capacitor iOS does:
// `Library/NoCloud/ionic_built_snapshots/` + the persisted path's last component.

/** @typedef {import("@capacitor/filesystem").FilesystemPlugin} FilesystemPlugin */
/** @typedef {Pick<FilesystemPlugin, "writeFile" | "appendFile" | "readFile" | "rmdir" | "rename" | "getUri">} FilesystemApi */
/** @typedef {Pick<import("@capacitor/core").WebViewPlugin, "setServerBasePath" | "getServerBasePath" | "persistServerBasePath">} WebViewApi */

/** The app container (iOS); `Directory.LibraryNoCloud` is `Library/NoCloud` inside it. */
export const CONTAINER = "/var/mobile/Containers/Data/Application/6F1C2D3E-0000-4000-8000-00000000A11E";
export const NO_CLOUD = `${CONTAINER}/Library/NoCloud`;
export const BUILTIN = "/private/var/containers/Bundle/Application/0000/App.app/public";

/**
 * @param {{ failOn?: { method: string, nth: number }, onCall?: (method: string, args: any) => void, readError?: (path: string) => boolean }} [options]
 */
export function recordingFilesystem(options = {}) {
  /** @type {Map<string, Uint8Array>} keyed "DIRECTORY/relative/path" */
  const files = new Map();
  /** @type {{ method: string, args: any }[]} */
  const calls = [];
  /** @type {Record<string, number>} */
  const counts = {};
  const key = (/** @type {string | undefined} */ dir, /** @type {string} */ path) => `${dir ?? "NONE"}/${path}`;
  const under = (/** @type {string} */ prefix) => [...files.keys()].filter((k) => k.startsWith(`${prefix}/`));
  /** @param {string} method @param {any} args */
  const record = (method, args) => {
    calls.push({ method, args });
    options.onCall?.(method, args);
    counts[method] = (counts[method] ?? 0) + 1;
    if (options.failOn?.method === method && options.failOn.nth === counts[method]) throw new Error(`${method} failed (injected)`);
  };
  /** @param {string | Blob} data @param {unknown} encoding */
  const decode = (data, encoding) => {
    if (typeof data !== "string") throw new Error("Blob data is only supported on web");
    if (encoding === "utf8") return new TextEncoder().encode(data);
    const bytes = Buffer.from(data, "base64");
    if (bytes.toString("base64") !== data) throw new Error("data is not valid base64");
    return new Uint8Array(bytes);
  };
  const parentExists = (/** @type {string} */ k) => {
    const parent = k.slice(0, k.lastIndexOf("/"));
    return parent.split("/").length <= 1 || under(parent).length > 0;
  };

  /** @type {FilesystemApi} */
  const plugin = {
    async writeFile(o) {
      record("writeFile", o);
      const k = key(o.directory, o.path);
      if (!o.recursive && !parentExists(k)) throw new Error("Parent folder doesn't exist");
      files.set(k, decode(o.data, o.encoding));
      return { uri: `file://${NO_CLOUD}/${o.path}` };
    },
    async appendFile(o) {
      record("appendFile", o);
      const k = key(o.directory, o.path);
      const old = files.get(k) ?? new Uint8Array();
      const add = decode(o.data, o.encoding);
      const both = new Uint8Array(old.length + add.length);
      both.set(old);
      both.set(add, old.length);
      files.set(k, both);
    },
    async readFile(o) {
      record("readFile", o);
      if (options.readError?.(o.path)) throw new Error("The operation couldn’t be completed. (I/O error)");
      const bytes = files.get(key(o.directory, o.path));
      if (!bytes) throw new Error("File does not exist");
      return { data: o.encoding === "utf8" ? new TextDecoder().decode(bytes) : Buffer.from(bytes).toString("base64") };
    },
    async rmdir(o) {
      record("rmdir", o);
      const found = under(key(o.directory, o.path));
      if (found.length === 0) throw new Error("Folder does not exist");
      if (!o.recursive) throw new Error("Folder is not empty");
      for (const k of found) files.delete(k);
    },
    async rename(o) {
      record("rename", o);
      const from = key(o.directory, o.from);
      const to = key(o.toDirectory ?? o.directory, o.to);
      const found = under(from);
      if (found.length === 0) throw new Error("File does not exist");
      if (under(to).length > 0 || files.has(to)) throw new Error("Destination exists");
      for (const k of found) {
        const bytes = /** @type {Uint8Array} */ (files.get(k));
        files.delete(k);
        files.set(to + k.slice(from.length), bytes);
      }
    },
    async getUri(o) {
      record("getUri", o);
      if (o.directory !== "LIBRARY_NO_CLOUD") throw new Error(`this double models LIBRARY_NO_CLOUD only, got ${o.directory}`);
      return { uri: `file://${NO_CLOUD}/${encodeURI(o.path)}` };
    },
  };
  return {
    plugin,
    calls,
    /** Relative paths (and bytes) under `folder` of LibraryNoCloud. */
    list(/** @type {string} */ folder) {
      const prefix = `LIBRARY_NO_CLOUD/${folder}/`;
      return new Map([...files].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    },
    /** @param {string} path @param {string} text */
    put(path, text) {
      files.set(`LIBRARY_NO_CLOUD/${path}`, new TextEncoder().encode(text));
    },
  };
}

/** @param {{ delayMs?: number }} [options] */
export function recordingWebView(options = {}) {
  /** @type {{ method: string, args: any }[]} */
  const calls = [];
  let path = BUILTIN;
  let persisted = BUILTIN;
  /** @type {WebViewApi} */
  const plugin = {
    async setServerBasePath(o) {
      calls.push({ method: "setServerBasePath", args: o });
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      path = o.path;
    },
    async getServerBasePath() {
      return { path };
    },
    async persistServerBasePath() {
      calls.push({ method: "persistServerBasePath", args: undefined });
      persisted = path;
    },
  };
  return {
    plugin,
    calls,
    /** A cold start, as Capacitor iOS does it: the persisted path's last component under the snapshots folder. */
    restart() {
      const last = persisted.split("/").filter(Boolean).pop();
      path = persisted === BUILTIN ? BUILTIN : `${NO_CLOUD}/ionic_built_snapshots/${last}`;
    },
    get path() {
      return path;
    },
    get persisted() {
      return persisted;
    },
  };
}
