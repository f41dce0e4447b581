/**
 * The native installer for releases `@capgo/capacitor-updater` cannot pin (otaseal-encrypted
 * bundles): the client verifies and decrypts in JS, this backend writes the verified files
 * with `@capacitor/filesystem` and points the webview at them with Capacitor's own
 * `WebView.setServerBasePath` / `persistServerBasePath` (`docs/CLIENT.md` §4).
 *
 * Rollback comes from Capacitor itself: `set` switches the running webview without persisting
 * the path, and only `notifyAppReady` persists it. A release that never confirms is gone at the
 * next cold start (the webview loads the last persisted path), and the client blocklists it.
 * @module
 */
import type { WebViewPlugin } from "@capacitor/core";
import type { Directory, Encoding, FilesystemPlugin } from "@capacitor/filesystem";
import { UpdateError, toUpdateError } from "./client/errors.js";
import { aborted } from "./client/fetch.js";
import type { BackendCurrent, StageInput, StagedBundle, UpdateBackend } from "./client/types.js";

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
  /** Where bundles live; default `Directory.Data` (app-private, not backed up to the user). */
  directory?: Directory;
  /** Folder under `directory`; default `"otaseal"`. */
  root?: string;
}

/** `filesystemBackend`'s extra method, for the start of the app. */
export interface FilesystemBackend extends UpdateBackend {
  /**
   * Activates a release handed to `next`: call it first thing at app start (before the app's
   * UI). Returns `true` when it switched the webview (which then reloads into the release).
   */
  activateNext(): Promise<boolean>;
}

type Status = "staged" | "trial" | "confirmed" | "error";
interface Entry {
  id: string;
  version: string;
  zipSha256: string;
  /** Absolute path given to `setServerBasePath`. */
  path: string;
  status: Status;
}
interface Index {
  bundles: Entry[];
  next: string | null;
}

/** `Encoding.UTF8` (the enum itself is not imported: this module has no runtime dependency). */
const UTF8 = "utf8" as Encoding;
const STATUSES: readonly Status[] = ["staged", "trial", "confirmed", "error"];
/** Bytes per `appendFile` call: the plugin takes base64 strings, so files go in pieces. */
const PIECE = 3 * 256 * 1024;

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function parseIndex(text: unknown): Index {
  const empty: Index = { bundles: [], next: null };
  if (typeof text !== "string") return empty;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return empty;
  }
  const d = doc as { v?: unknown; bundles?: unknown; next?: unknown };
  if (typeof d !== "object" || d === null || d.v !== 1 || !Array.isArray(d.bundles)) return empty;
  const bundles: Entry[] = [];
  for (const b of d.bundles as Record<string, unknown>[]) {
    if (
      typeof b === "object" && b !== null &&
      typeof b["id"] === "string" && typeof b["version"] === "string" && typeof b["zipSha256"] === "string" &&
      typeof b["path"] === "string" && STATUSES.includes(b["status"] as Status)
    ) {
      bundles.push({ id: b["id"], version: b["version"], zipSha256: b["zipSha256"], path: b["path"], status: b["status"] as Status });
    }
  }
  const next = typeof d.next === "string" && bundles.some((b) => b.id === d.next) ? d.next : null;
  return { bundles, next };
}

/**
 * A client backend that installs verified files with `@capacitor/filesystem` and Capacitor's
 * webview base path. Takes every release the client can verify, encrypted ones included
 * (`accepts: "files"`). Refuses off a native platform (`CLIENT_NOT_NATIVE`).
 *
 * @example
 * ```ts
 * import { Capacitor, WebView } from "@capacitor/core";
 * import { Filesystem } from "@capacitor/filesystem";
 * import { filesystemBackend } from "otaseal/capacitor";
 *
 * const backend = filesystemBackend(Filesystem, { webView: WebView, capacitor: Capacitor });
 * await backend.activateNext(); // first thing at start
 * const client = createUpdateClient({ ..., backend, decryptionKeys: [BUNDLE_KEY] });
 * ```
 */
export function filesystemBackend(filesystem: FilesystemApi, options: FilesystemBackendOptions): FilesystemBackend {
  if (!filesystem || typeof filesystem.writeFile !== "function" || typeof filesystem.rename !== "function") {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", "filesystemBackend needs the Filesystem plugin object from @capacitor/filesystem");
  }
  if (!options?.webView || typeof options.webView.setServerBasePath !== "function") {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", "filesystemBackend needs options.webView (WebView from @capacitor/core)");
  }
  if (!options.capacitor || typeof options.capacitor.isNativePlatform !== "function") {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", "filesystemBackend needs options.capacitor (Capacitor from @capacitor/core)");
  }
  const directory = options.directory ?? ("DATA" as Directory);
  const root = options.root ?? "otaseal";
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(root) || root.split("/").some((s) => s === "." || s === "..")) {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", `options.root must be a relative folder, got ${JSON.stringify(root)}`);
  }
  const indexPath = `${root}/index.json`;
  const webView = options.webView;

  const native = (): void => {
    if (!options.capacitor.isNativePlatform()) {
      throw new UpdateError(
        "CLIENT_NOT_NATIVE",
        "filesystemBackend installs bundles into a native webview only; use webBackend from otaseal/web in a browser",
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

  /** A missing or unreadable index is empty: unknown bundles are then "missing" (never trusted). */
  async function readIndex(): Promise<Index> {
    try {
      return parseIndex((await filesystem.readFile({ path: indexPath, directory, encoding: UTF8 })).data);
    } catch {
      return { bundles: [], next: null };
    }
  }
  async function writeIndex(index: Index): Promise<void> {
    await call("write index", () =>
      filesystem.writeFile({ path: indexPath, directory, recursive: true, encoding: UTF8, data: JSON.stringify({ v: 1, ...index }) }),
    );
  }
  async function absolutePath(relative: string): Promise<string> {
    const { uri } = await call("getUri", () => filesystem.getUri({ path: relative, directory }));
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new UpdateError("CLIENT_BACKEND_FAILED", `filesystem getUri returned ${JSON.stringify(uri)}, not a URL`);
    }
    if (url.protocol !== "file:") throw new UpdateError("CLIENT_BACKEND_FAILED", `filesystem getUri returned ${url.protocol} URL, expected file:`);
    return decodeURIComponent(url.pathname);
  }
  async function running(index: Index): Promise<Entry | null> {
    const { path } = await call("getServerBasePath", () => webView.getServerBasePath());
    return index.bundles.find((b) => b.path === path) ?? null;
  }
  async function switchTo(index: Index, entry: Entry): Promise<void> {
    for (const b of index.bundles) if (b.status === "trial" && b !== entry) b.status = "error";
    entry.status = entry.status === "confirmed" ? "confirmed" : "trial";
    index.next = null;
    await writeIndex(index);
    // Not persisted: until notifyAppReady, a cold start returns to the last persisted path.
    await call("setServerBasePath", () => webView.setServerBasePath({ path: entry.path }));
  }
  function lookup(index: Index, id: string): Entry {
    const entry = index.bundles.find((b) => b.id === id && b.status !== "error");
    if (!entry) throw new UpdateError("CLIENT_BUNDLE_UNKNOWN", `no staged bundle ${JSON.stringify(id)}`);
    return entry;
  }

  return {
    name: "capacitor-filesystem",
    accepts: "files",
    async assertSupported() {
      native();
    },
    async current(): Promise<BackendCurrent> {
      native();
      const entry = await running(await readIndex());
      return entry
        ? { id: entry.id, version: entry.version, zipSha256: entry.zipSha256, native: null }
        : { id: "builtin", version: null, zipSha256: null, native: null };
    },
    async stage(input: StageInput): Promise<StagedBundle> {
      native();
      if (!input.files) throw new UpdateError("CLIENT_INVALID_STATE", "filesystemBackend needs the verified files (the client passes them after finish())");
      const m = input.release.manifest;
      const id = `${m.version}-${m.bundle.zipSha256.slice(0, 16)}`;
      const staging = `${root}/staging/${id}`;
      const final = `${root}/bundles/${id}`;
      const index = await readIndex();
      const path = await absolutePath(final);
      if ((await running(index))?.path === path) throw new UpdateError("CLIENT_INVALID_STATE", `bundle ${id} is running; not replacing it`);
      await remove(staging);
      const total = input.files.reduce((n, f) => n + f.data.length, 0);
      let written = 0;
      try {
        for (const file of input.files) {
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
      index.bundles.push({ id, version: m.version, zipSha256: m.bundle.zipSha256, path, status: "staged" });
      await writeIndex(index);
      return { id, version: m.version };
    },
    async next(id) {
      native();
      const index = await readIndex();
      index.next = lookup(index, id).id;
      await writeIndex(index);
    },
    async set(id) {
      native();
      const index = await readIndex();
      await switchTo(index, lookup(index, id));
    },
    async activateNext() {
      native();
      const index = await readIndex();
      const entry = index.next ? index.bundles.find((b) => b.id === index.next && b.status !== "error") : undefined;
      if (!entry) return false;
      await switchTo(index, entry);
      return true;
    },
    async notifyAppReady() {
      native();
      const index = await readIndex();
      const entry = await running(index);
      if (entry && entry.status !== "confirmed") {
        await call("persistServerBasePath", () => webView.persistServerBasePath());
        entry.status = "confirmed";
        // What can no longer run: failed releases and the confirmed ones this one replaces.
        const gone = index.bundles.filter((b) => b !== entry && (b.status === "error" || b.status === "confirmed"));
        index.bundles = index.bundles.filter((b) => !gone.includes(b));
        await writeIndex(index);
        for (const b of gone) await remove(`${root}/bundles/${b.id}`);
      }
      return entry
        ? { id: entry.id, version: entry.version, zipSha256: entry.zipSha256, native: null }
        : { id: "builtin", version: null, zipSha256: null, native: null };
    },
    async bundleStatus(id) {
      native();
      const index = await readIndex();
      const entry = index.bundles.find((b) => b.id === id);
      if (!entry) return "missing";
      if (entry.status === "trial" && (await running(index))?.id !== id) {
        // Switched to and never confirmed, and no longer running: the cold start went back.
        entry.status = "error";
        await writeIndex(index);
      }
      return entry.status === "confirmed" ? "confirmed" : entry.status === "error" ? "error" : "pending";
    },
  };
}
