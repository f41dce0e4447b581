/**
 * `otaseal/capacitor`: the backend over the real `@capgo/capacitor-updater` plugin and a
 * storage over `@capacitor/preferences`. Both take the plugin objects by injection (type-only
 * imports), so this entry adds no runtime dependency.
 *
 * What the native side enforces (`docs/CLIENT.md` §4): in zip mode the plugin compares the
 * SHA-256 of the zip it downloads with `checksum`, the signed `zipSha256`; in files mode it
 * compares each file with its signed `file_hash`. Everything else (signatures, app, channel,
 * platform, versions, expiry, strict zip rules) is checked in JS before the plugin is called.
 * @module
 */
import type { BundleInfo, CapacitorUpdaterPlugin, DownloadOptions, ManifestEntry } from "@capgo/capacitor-updater";
import type { PreferencesPlugin } from "@capacitor/preferences";
import type { VerifiedRelease } from "../pkg/node/otaseal.js";
import { UpdateError, toUpdateError } from "./client/errors.js";
import { checkUrl, type TransportSecurity } from "./client/fetch.js";
import type { BackendCurrent, KeyValueStorage, StageInput, StagedBundle, UpdateBackend } from "./client/types.js";
import { isVerifiedRelease, own, ownCopy } from "./client/verified.js";
import { filesystemBackend } from "./filesystem.js";

export { filesystemBackend };
export * from "./auto.js";
export type { FilesystemApi, FilesystemBackend, FilesystemBackendOptions } from "./filesystem.js";
export { capawesomeBackend, capawesomeBundleId, type CapawesomeBackendOptions, type CapawesomePlugin } from "./capawesome.js";

/**
 * The plugin methods the backend calls, typed by the real `CapacitorUpdaterPlugin`.
 *
 * @example
 * ```ts
 * import { CapacitorUpdater } from "@capgo/capacitor-updater";
 * const plugin: CapgoPlugin = CapacitorUpdater;
 * ```
 */
export type CapgoPlugin = Pick<CapacitorUpdaterPlugin, "download" | "next" | "set" | "current" | "list" | "notifyAppReady" | "delete">;

/**
 * Options of {@link capgoBackend}.
 *
 * @example
 * ```ts
 * import { Capacitor } from "@capacitor/core";
 * const options: CapgoBackendOptions = { capacitor: Capacitor, mode: "zip" };
 * ```
 */
export interface CapgoBackendOptions {
  /** `Capacitor` from `@capacitor/core`: the backend refuses to run unless `isNativePlatform()`. */
  capacitor: { isNativePlatform(): boolean };
  /**
   * `"zip"` (default): the plugin downloads the bundle and compares its SHA-256 with the signed
   * one. `"files"`: the plugin downloads each file from `filesBaseUrl` and compares it with its
   * signed hash (delta updates). Files mode requires no `publicKey` in the plugin's config
   * (the plugin would expect RSA-encrypted hashes).
   */
  mode?: "zip" | "files";
  /** Files mode: file `p` is fetched from `new URL(p, filesBaseUrl)`. */
  filesBaseUrl?: string;
  /**
   * Whether the client also downloads the whole bundle in JS and runs every check of
   * `docs/FORMAT.md` steps 13-20 (strict zip, every file) before the plugin downloads it again.
   * Default: true in zip mode, false in files mode.
   */
  verifyInJs?: boolean;
  /** For the files' URLs; default `"https-only"`. */
  transport?: TransportSecurity;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * A client backend over `@capgo/capacitor-updater`. Refuses off a native platform (the
 * plugin's web implementation returns a fake "builtin" bundle instead of failing:
 * `CLIENT_NOT_NATIVE`) and refuses releases it cannot pin (`CLIENT_BACKEND_UNSUPPORTED`:
 * otaseal-encrypted bundles, which {@link filesystemBackend} or the web fallback take).
 *
 * @example
 * ```ts
 * import { Capacitor } from "@capacitor/core";
 * import { CapacitorUpdater } from "@capgo/capacitor-updater";
 * import { Preferences } from "@capacitor/preferences";
 * import { createUpdateClient } from "otaseal";
 * import { capgoBackend, preferencesStorage } from "otaseal/capacitor";
 *
 * const client = createUpdateClient({
 *   trust: TRUST_JSON, app: "com.example.app", channel: "production", platform: Capacitor.getPlatform() as "ios",
 *   backend: capgoBackend(CapacitorUpdater, { capacitor: Capacitor }),
 *   storage: preferencesStorage(Preferences), bundledVersion: "1.0.0",
 * });
 * ```
 */
export function capgoBackend(plugin: CapgoPlugin, given: CapgoBackendOptions): UpdateBackend {
  // Own properties only: a polluted Object.prototype must not supply an option.
  const options = ownCopy(given);
  if (!plugin || typeof plugin.download !== "function") {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", "capgoBackend needs the CapacitorUpdater plugin object");
  }
  if (!options?.capacitor || typeof options.capacitor.isNativePlatform !== "function") {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", "capgoBackend needs options.capacitor (Capacitor from @capacitor/core)");
  }
  const mode = options.mode ?? "zip";
  if (mode !== "zip" && mode !== "files") throw new UpdateError("CLIENT_INVALID_ARGUMENT", `mode must be "zip" or "files", got ${JSON.stringify(mode)}`);
  if (mode === "files" && typeof options.filesBaseUrl !== "string") {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", 'files mode needs options.filesBaseUrl (where the release\'s files are served)');
  }
  const transport = options.transport ?? "https-only";

  const native = (): void => {
    if (!options.capacitor.isNativePlatform()) {
      throw new UpdateError(
        "CLIENT_NOT_NATIVE",
        "@capgo/capacitor-updater only installs bundles on a native platform (its web implementation returns a fake bundle); use webBackend from otaseal/web in a browser",
      );
    }
  };
  const call = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    native();
    try {
      return await f();
    } catch (e) {
      throw toUpdateError(e, "CLIENT_BACKEND_FAILED", `capgo ${what}`);
    }
  };
  const currentOf = (bundle: BundleInfo, nativeVersion: string | null): BackendCurrent => ({
    id: bundle.id,
    version: bundle.version || null,
    zipSha256: HEX64.test(bundle.checksum) ? bundle.checksum : null,
    native: nativeVersion || null,
  });

  const unsupported = (release: VerifiedRelease): string | null => {
    const m = release.manifest;
    if (own(m, "encryption")) {
      return (
        `release ${m.version} is encrypted with otaseal's format, which @capgo/capacitor-updater cannot decrypt or pin; ` +
        "install it with filesystemBackend from otaseal/capacitor (native) or webBackend from otaseal/web (browsers)"
      );
    }
    if (mode === "files") {
      const br = m.files.find((f) => f.path.endsWith(".br"));
      if (br) return `files mode: the plugin decompresses and renames "*.br" files, so ${br.path} would not be installed as signed; use zip mode`;
    }
    return null;
  };

  return {
    name: "capgo",
    accepts: "pin",
    verifyInJs: options.verifyInJs ?? mode === "zip",
    async assertSupported(release) {
      native();
      const why = unsupported(release);
      if (why) throw new UpdateError("CLIENT_BACKEND_UNSUPPORTED", why);
    },
    async current() {
      const c = await call("current", () => plugin.current());
      return currentOf(c.bundle, c.native);
    },
    async stage(input: StageInput): Promise<StagedBundle> {
      // Only a release the client's check() verified (frozen: nobody changed its checksum or URL since).
      if (!isVerifiedRelease(input.release)) {
        throw new UpdateError("CLIENT_UNVERIFIED_RELEASE", "capgoBackend pins only releases returned by the otaseal client's check()");
      }
      await this.assertSupported(input.release);
      const m = input.release.manifest;
      let request: DownloadOptions;
      if (mode === "zip") {
        // The plugin compares SHA-256(downloaded zip) with `checksum` (no publicKey configured).
        request = { url: input.bundleUrl, version: m.version, checksum: m.bundle.zipSha256 };
      } else {
        const base = options.filesBaseUrl as string;
        const manifest: ManifestEntry[] = m.files.map((f) => ({
          file_name: f.path,
          file_hash: f.sha256,
          download_url: checkUrl(f.path, base, transport).href,
        }));
        // `url` is required by the plugin's type and its native code; it is not fetched in files mode.
        request = { url: input.bundleUrl, version: m.version, manifest };
      }
      const info = await call("download", () => plugin.download(request));
      const mismatch =
        info.version !== m.version ? `version ${info.version}` : mode === "zip" && info.checksum && info.checksum !== m.bundle.zipSha256 ? `checksum ${info.checksum}` : null;
      if (mismatch) {
        await plugin.delete({ id: info.id }).catch(() => undefined);
        throw new UpdateError("CLIENT_BACKEND_FAILED", `capgo download reported ${mismatch}, not the signed release; deleted it`);
      }
      return { id: info.id, version: info.version };
    },
    async next(id) {
      await call("next", () => plugin.next({ id }));
    },
    async set(id) {
      await call("set", () => plugin.set({ id }));
    },
    async notifyAppReady() {
      const r = await call("notifyAppReady", () => plugin.notifyAppReady());
      const c = await call("current", () => plugin.current());
      return currentOf(r.bundle, c.native);
    },
    async bundleStatus(id) {
      const { bundles } = await call("list", () => plugin.list());
      const b = bundles.find((x) => x.id === id);
      return !b || b.status === "deleted" ? "missing" : b.status === "error" ? "error" : b.status === "success" ? "confirmed" : "pending";
    },
  };
}

/**
 * A {@link KeyValueStorage} over `@capacitor/preferences` (native key-value storage that
 * survives webview data clearing better than `localStorage`).
 *
 * @example
 * ```ts
 * import { Preferences } from "@capacitor/preferences";
 * const storage = preferencesStorage(Preferences);
 * ```
 */
export function preferencesStorage(preferences: Pick<PreferencesPlugin, "get" | "set" | "remove">): KeyValueStorage {
  return {
    get: async (key) => (await preferences.get({ key })).value,
    set: async (key, value) => preferences.set({ key, value }),
    remove: async (key) => preferences.remove({ key }),
  };
}
