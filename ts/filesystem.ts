/**
 * The native installer for releases `@capgo/capacitor-updater` cannot pin (otaseal-encrypted
 * bundles): the client verifies and decrypts in JS, this backend writes the verified files
 * with `@capacitor/filesystem` and points the webview at them with Capacitor's own
 * `WebView.setServerBasePath` / `persistServerBasePath` (`docs/CLIENT.md` §4).
 *
 * Rollback comes from Capacitor itself: `set` switches the running webview without persisting
 * the path, and only `notifyAppReady` (run by the page the new bundle loads) persists it. A
 * release that never confirms is gone at the next cold start (the webview loads the last
 * persisted path), and the client blocklists it.
 *
 * Where bundles live: `Directory.LibraryNoCloud` + `ionic_built_snapshots/otaseal-<id>`.
 * Capacitor iOS resolves a persisted base path as `Library/NoCloud/ionic_built_snapshots/` +
 * its last path component at start, so nothing else survives a cold start there; the same
 * folder is app-private on Android (`filesDir`) and outside iCloud backup on iOS.
 * @module
 */
import type { WebViewPlugin } from "@capacitor/core";
import type { Directory, Encoding, FilesystemPlugin } from "@capacitor/filesystem";
import { UpdateError, toUpdateError } from "./client/errors.js";
import { aborted } from "./client/fetch.js";
import type { BackendCurrent, StageInput, StagedBundle, UpdateBackend } from "./client/types.js";
import { ownCopy, verifiedContent } from "./client/verified.js";

/**
 * The `Filesystem` methods the backend calls, typed by the real `FilesystemPlugin`.
 *
 * @example
 * ```ts
 * import { Filesystem } from "@capacitor/filesystem";
 * const fs: FilesystemApi = Filesystem;
 * ```
 */
export type FilesystemApi = Pick<FilesystemPlugin, "writeFile" | "appendFile" | "readFile" | "rmdir" | "rename" | "getUri">;

/**
 * Options of {@link filesystemBackend}.
 *
 * @example
 * ```ts
 * import { Capacitor, WebView } from "@capacitor/core";
 * const options: FilesystemBackendOptions = { webView: WebView, capacitor: Capacitor };
 * ```
 */
export interface FilesystemBackendOptions {
  /** `WebView` from `@capacitor/core`. */
  webView: Pick<WebViewPlugin, "setServerBasePath" | "getServerBasePath" | "persistServerBasePath">;
  /** `Capacitor` from `@capacitor/core`: the backend refuses to run unless `isNativePlatform()`. */
  capacitor: { isNativePlatform(): boolean };
}

/** `filesystemBackend`'s extra method, for the start of the app. */
export interface FilesystemBackend extends UpdateBackend {
  /**
   * Activates a release handed to `next`: call it first thing at app start, before
   * `notifyAppReady`. Returns `true` when it switched the webview, which then reloads into the
   * release: do nothing else in this page (`if (await backend.activateNext()) return;`).
   */
  activateNext(): Promise<boolean>;
}

type Status = "staged" | "trial" | "confirmed" | "error";
interface Entry {
  id: string;
  version: string;
  zipSha256: string;
  status: Status;
  /** The release's signed envelope: the client proves the running bundle with it. */
  envelope: string | null;
}
interface Index {
  seq: number;
  bundles: Entry[];
  next: string | null;
}

/** `Directory.LibraryNoCloud` and `Encoding.UTF8` (the enums are not imported: no runtime dependency). */
const LIBRARY_NO_CLOUD = "LIBRARY_NO_CLOUD" as Directory;
const UTF8 = "utf8" as Encoding;
/** Capacitor iOS looks for persisted bundles here (see the module comment). */
const SNAPSHOTS = "ionic_built_snapshots";
const OWN = "otaseal";
const STAGING = `${OWN}/staging`;
/** Two slots written alternately: a torn write damages only the older one. */
const INDEX_SLOTS = [`${OWN}/index-0.json`, `${OWN}/index-1.json`];
const STATUSES: readonly Status[] = ["staged", "trial", "confirmed", "error"];
/** Bytes per `appendFile` call: the plugin takes base64 strings, so files go in pieces. */
const PIECE = 3 * 256 * 1024;
/** What the plugins say for a missing file, across platforms. */
const NOT_FOUND = /does not exist|doesn't exist|not found|no such file|ENOENT/i;

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The folder (under `ionic_built_snapshots`) of a bundle id. */
function folderOf(id: string): string {
  return `${OWN}-${id}`;
}

function lastComponent(path: string): string {
  const parts = path.split("/").filter((p) => p !== "");
  return parts[parts.length - 1] ?? "";
}

function parseIndex(text: unknown): Index | null {
  if (typeof text !== "string") return null;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  const d = doc as { v?: unknown; seq?: unknown; bundles?: unknown; next?: unknown };
  if (typeof d !== "object" || d === null || d.v !== 1 || !Number.isSafeInteger(d.seq) || !Array.isArray(d.bundles)) return null;
  const bundles: Entry[] = [];
  for (const b of d.bundles as Record<string, unknown>[]) {
    if (
      typeof b === "object" && b !== null &&
      typeof b["id"] === "string" && /^[0-9A-Za-z.+-]+-[0-9a-f]{16}$/.test(b["id"]) &&
      typeof b["version"] === "string" && typeof b["zipSha256"] === "string" && STATUSES.includes(b["status"] as Status)
    ) {
      const envelope = Object.prototype.hasOwnProperty.call(b, "envelope") && typeof b["envelope"] === "string" ? b["envelope"] : null;
      bundles.push({ id: b["id"], version: b["version"], zipSha256: b["zipSha256"], status: b["status"] as Status, envelope });
    } else return null;
  }
  const next = typeof d.next === "string" && bundles.some((b) => b.id === d.next) ? d.next : null;
  return { seq: d.seq as number, bundles, next };
}

/**
 * A client backend that installs verified files with `@capacitor/filesystem` (≥ 7.1) and
 * Capacitor's webview base path. Takes every release the client can verify, encrypted ones
 * included (`accepts: "files"`). Refuses off a native platform (`CLIENT_NOT_NATIVE`).
 *
 * @example
 * ```ts
 * import { Capacitor, WebView } from "@capacitor/core";
 * import { Filesystem } from "@capacitor/filesystem";
 * import { filesystemBackend } from "otaseal/capacitor";
 *
 * const backend = filesystemBackend(Filesystem, { webView: WebView, capacitor: Capacitor });
 * if (await backend.activateNext()) return; // first thing at start; the page reloads
 * const client = createUpdateClient({ ..., backend, decryptionKeys: [BUNDLE_KEY] });
 * await client.notifyAppReady();
 * ```
 */
export function filesystemBackend(filesystem: FilesystemApi, given: FilesystemBackendOptions): FilesystemBackend {
  // Own properties only: a polluted Object.prototype must not supply an option.
  const options = ownCopy(given);
  if (!filesystem || typeof filesystem.writeFile !== "function" || typeof filesystem.rename !== "function") {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", "filesystemBackend needs the Filesystem plugin object from @capacitor/filesystem");
  }
  if (!options?.webView || typeof options.webView.setServerBasePath !== "function") {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", "filesystemBackend needs options.webView (WebView from @capacitor/core)");
  }
  if (!options.capacitor || typeof options.capacitor.isNativePlatform !== "function") {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", "filesystemBackend needs options.capacitor (Capacitor from @capacitor/core)");
  }
  const directory = LIBRARY_NO_CLOUD;
  const webView = options.webView;
  /** Set once this page switched the webview to another bundle: this page is on its way out. */
  let switching: string | null = null;
  /** Every index read-modify-write runs alone, in call order. */
  let queue: Promise<unknown> = Promise.resolve();
  function exclusive<T>(f: () => Promise<T>): Promise<T> {
    const run = queue.then(f, f);
    queue = run.catch(() => undefined);
    return run;
  }

  const native = (): void => {
    if (!options.capacitor.isNativePlatform()) {
      throw new UpdateError(
        "CLIENT_NOT_NATIVE",
        "filesystemBackend installs bundles into a native webview only; use webBackend from otaseal/web in a browser",
      );
    }
  };
  const notSwitching = (what: string): void => {
    if (switching !== null) {
      throw new UpdateError(
        "CLIENT_INVALID_STATE",
        `${what}: this page switched the webview to bundle ${switching}; only the page that bundle loads may go on`,
      );
    }
  };
  const call = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw toUpdateError(e, "CLIENT_BACKEND_FAILED", `filesystem ${what}`);
    }
  };
  const remove = (path: string): Promise<void> => filesystem.rmdir({ path, directory, recursive: true }).catch(() => undefined);

  /**
   * The newest valid slot. No slot at all is an empty list (first use); a read that fails for
   * another reason is an error, so a flaky read never makes the backend forget what runs.
   */
  async function readIndex(): Promise<Index> {
    let best: Index | null = null;
    for (const path of INDEX_SLOTS) {
      let text: unknown;
      try {
        text = (await filesystem.readFile({ path, directory, encoding: UTF8 })).data;
      } catch (e) {
        if (NOT_FOUND.test(e instanceof Error ? e.message : String(e))) continue;
        throw toUpdateError(e, "CLIENT_BACKEND_FAILED", "filesystem read bundle list");
      }
      const index = parseIndex(text);
      if (index && (!best || index.seq > best.seq)) best = index;
    }
    return best ?? { seq: 0, bundles: [], next: null };
  }
  async function writeIndex(index: Index): Promise<void> {
    index.seq += 1;
    const path = INDEX_SLOTS[index.seq % 2] as string;
    await call("write bundle list", () =>
      filesystem.writeFile({ path, directory, recursive: true, encoding: UTF8, data: JSON.stringify({ v: 1, ...index }) }),
    );
  }
  /** The absolute path of a bundle folder now (iOS app containers move on app updates). */
  async function absolutePath(id: string): Promise<string> {
    const { uri } = await call("getUri", () => filesystem.getUri({ path: `${SNAPSHOTS}/${folderOf(id)}`, directory }));
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new UpdateError("CLIENT_BACKEND_FAILED", `filesystem getUri returned ${JSON.stringify(uri)}, not a URL`);
    }
    if (url.protocol !== "file:") throw new UpdateError("CLIENT_BACKEND_FAILED", `filesystem getUri returned a ${url.protocol} URL, expected file:`);
    return decodeURIComponent(url.pathname);
  }
  /** The bundle the webview serves, matched by folder name (what survives a cold start on iOS). */
  async function running(index: Index): Promise<Entry | null> {
    const { path } = await call("getServerBasePath", () => webView.getServerBasePath());
    const folder = lastComponent(path);
    return index.bundles.find((b) => folderOf(b.id) === folder) ?? null;
  }
  async function switchTo(index: Index, entry: Entry): Promise<void> {
    const path = await absolutePath(entry.id);
    switching = entry.id;
    try {
      // Not persisted: until notifyAppReady, a cold start returns to the last persisted path.
      await call("setServerBasePath", () => webView.setServerBasePath({ path }));
    } catch (e) {
      switching = null;
      throw e;
    }
    for (const b of index.bundles) if (b.status === "trial" && b !== entry) b.status = "error";
    if (entry.status !== "confirmed") entry.status = "trial";
    index.next = null;
    await writeIndex(index);
  }
  function lookup(index: Index, id: string): Entry {
    const entry = index.bundles.find((b) => b.id === id && b.status !== "error");
    if (!entry) throw new UpdateError("CLIENT_BUNDLE_UNKNOWN", `no staged bundle ${JSON.stringify(id)}`);
    return entry;
  }
  const currentOf = (entry: Entry | null): BackendCurrent =>
    entry
      ? { id: entry.id, version: entry.version, zipSha256: entry.zipSha256, native: null, envelope: entry.envelope }
      : { id: "builtin", version: null, zipSha256: null, native: null, envelope: null };

  return {
    name: "capacitor-filesystem",
    accepts: "files",
    async assertSupported() {
      native();
    },
    async current(): Promise<BackendCurrent> {
      native();
      return currentOf(await running(await readIndex()));
    },
    stage(input: StageInput): Promise<StagedBundle> {
      return exclusive(async () => {
        native();
        notSwitching("stage");
        if (!input.files) throw new UpdateError("CLIENT_UNVERIFIED_RELEASE", "filesystemBackend needs the verified files (the client passes them after finish())");
        // Only the client's verified content of this release, re-hashed; the copies are written.
        const content = await verifiedContent(input.release, input.files, "filesystemBackend");
        const m = content.release.manifest;
        const id = `${m.version}-${m.bundle.zipSha256.slice(0, 16)}`;
        const staging = `${STAGING}/${id}`;
        const final = `${SNAPSHOTS}/${folderOf(id)}`;
        const index = await readIndex();
        const { path: servedPath } = await call("getServerBasePath", () => webView.getServerBasePath());
        if (lastComponent(servedPath) === folderOf(id)) throw new UpdateError("CLIENT_INVALID_STATE", `bundle ${id} is running; not replacing it`);
        const known = index.bundles.find((b) => b.id === id);
        if (known && known.status !== "error" && known.status !== "staged") {
          throw new UpdateError("CLIENT_INVALID_STATE", `bundle ${id} was already installed (${known.status}); not replacing it`);
        }
        await remove(staging);
        const total = content.files.reduce((n, f) => n + f.data.length, 0);
        let written = 0;
        try {
          for (const file of content.files) {
            if (input.signal?.aborted) throw aborted(input.signal);
            // The core refuses unsafe paths; this is a second look before touching the disk.
            if (file.path.startsWith("/") || file.path.split("/").some((s) => s === "" || s === "." || s === "..")) {
              throw new UpdateError("CLIENT_INVALID_STATE", `refusing to write ${JSON.stringify(file.path)}`);
            }
            const target = `${staging}/${file.path}`;
            await call("writeFile", () => filesystem.writeFile({ path: target, directory, recursive: true, data: base64(file.data.subarray(0, PIECE)) }));
            for (let at = PIECE; at < file.data.length; at += PIECE) {
              await call("appendFile", () => filesystem.appendFile({ path: target, directory, data: base64(file.data.subarray(at, at + PIECE)) }));
            }
            written += file.data.length;
            input.onProgress?.(written, total);
          }
          if (input.signal?.aborted) throw aborted(input.signal);
          await remove(final);
          await call("rename", () => filesystem.rename({ from: staging, to: final, directory, toDirectory: directory }));
        } catch (e) {
          await remove(staging);
          throw e;
        }
        index.bundles = index.bundles.filter((b) => b.id !== id);
        index.bundles.push({ id, version: m.version, zipSha256: m.bundle.zipSha256, status: "staged", envelope: content.envelope });
        await writeIndex(index);
        return { id, version: m.version };
      });
    },
    next(id) {
      return exclusive(async () => {
        native();
        notSwitching("next");
        const index = await readIndex();
        index.next = lookup(index, id).id;
        await writeIndex(index);
      });
    },
    set(id) {
      return exclusive(async () => {
        native();
        notSwitching("set");
        const index = await readIndex();
        await switchTo(index, lookup(index, id));
      });
    },
    activateNext() {
      return exclusive(async () => {
        native();
        notSwitching("activateNext");
        const index = await readIndex();
        const entry = index.next ? index.bundles.find((b) => b.id === index.next && b.status !== "error") : undefined;
        if (!entry) return false;
        await switchTo(index, entry);
        return true;
      });
    },
    notifyAppReady() {
      return exclusive(async () => {
        native();
        notSwitching("notifyAppReady");
        const index = await readIndex();
        const entry = await running(index);
        if (entry && entry.status !== "confirmed") {
          await call("persistServerBasePath", () => webView.persistServerBasePath());
          entry.status = "confirmed";
        }
        // What can no longer run or be applied: failed releases, the confirmed ones this one
        // replaces, and downloads of earlier sessions nobody handed to `next`.
        const gone = index.bundles.filter(
          (b) => b !== entry && (b.status === "error" || b.status === "confirmed" || (b.status === "staged" && b.id !== index.next)),
        );
        if (gone.length > 0 || entry) {
          index.bundles = index.bundles.filter((b) => !gone.includes(b));
          await writeIndex(index);
        }
        for (const b of gone) await remove(`${SNAPSHOTS}/${folderOf(b.id)}`);
        await remove(STAGING); // leftovers of interrupted downloads
        return currentOf(entry);
      });
    },
    bundleStatus(id) {
      return exclusive(async () => {
        native();
        const index = await readIndex();
        const entry = index.bundles.find((b) => b.id === id);
        if (!entry) return "missing";
        if (entry.status === "trial" && switching === null && (await running(index))?.id !== id) {
          // Switched to and never confirmed, and no longer running: the cold start went back.
          entry.status = "error";
          await writeIndex(index);
        }
        return entry.status === "confirmed" ? "confirmed" : entry.status === "error" ? "error" : "pending";
      });
    },
  };
}
