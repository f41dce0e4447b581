/**
 * The backend over `@capawesome/capacitor-live-update` (≥ 7.4), exported from
 * `otaseal/capacitor`. The plugin object is injected (type-only import), so this adds no
 * runtime dependency.
 *
 * What the native side enforces (`docs/CLIENT.md` §7): the plugin compares the SHA-256 of the
 * zip it downloads with `checksum`, the signed `zipSha256` (only when no RSA `publicKey` is in
 * the plugin's config: with one, it checks the server's signature instead). Everything else
 * (signatures, app, channel, platform, versions, expiry, strict zip rules, every file) is
 * checked in JS, on the same bytes, before the plugin is called.
 * @module
 */
import type { GetConfigResult, LiveUpdatePlugin } from "@capawesome/capacitor-live-update";
import type { VerifiedRelease } from "../pkg/web/otaseal.js";
import { UpdateError, toUpdateError } from "./client/errors.js";
import type { BackendCurrent, StageInput, StagedBundle, UpdateBackend } from "./client/types.js";

/**
 * The plugin methods {@link capawesomeBackend} calls, typed by the real `LiveUpdatePlugin`.
 *
 * @example
 * ```ts
 * import { LiveUpdate } from "@capawesome/capacitor-live-update";
 * const plugin: CapawesomePlugin = LiveUpdate;
 * ```
 */
export type CapawesomePlugin = Pick<
  LiveUpdatePlugin,
  | "downloadBundle"
  | "deleteBundle"
  | "getDownloadedBundles"
  | "getBlockedBundles"
  | "getCurrentBundle"
  | "getNextBundle"
  | "getConfig"
  | "getVersionName"
  | "setNextBundle"
  | "reload"
  | "ready"
>;

/**
 * Options of {@link capawesomeBackend}.
 *
 * @example
 * ```ts
 * import { Capacitor } from "@capacitor/core";
 * const options: CapawesomeBackendOptions = { capacitor: Capacitor };
 * ```
 */
export interface CapawesomeBackendOptions {
  /** `Capacitor` from `@capacitor/core`: the backend refuses to run unless `isNativePlatform()`. */
  capacitor: { isNativePlatform(): boolean };
}

/**
 * Bundle ids this backend gives the plugin: `otaseal-<zipSha256>-<version>`. The id is the
 * name of the bundle's folder on the device, so it carries the signed hash and version the
 * floor falls back to (`current()`), and it holds only SemVer characters and hex digits (no
 * `/`, never `.`/`..`/`public`).
 */
const ID_RE = /^otaseal-([0-9a-f]{64})-([0-9A-Za-z.+-]+)$/;
const HEX64 = /^[0-9a-f]{64}$/;
/** A folder name: 255 bytes on every file system the plugin writes to; keep a margin. */
const MAX_ID_BYTES = 200;

/**
 * The id {@link capawesomeBackend} uses for a release, e.g. to find it with
 * `LiveUpdate.getDownloadedBundles()`.
 *
 * @example
 * ```ts
 * const id = capawesomeBundleId(release); // "otaseal-<64 hex>-2.0.0"
 * ```
 */
export function capawesomeBundleId(release: VerifiedRelease): string {
  return `otaseal-${release.manifest.bundle.zipSha256}-${release.manifest.version}`;
}

/**
 * A client backend over `@capawesome/capacitor-live-update` (≥ 7.4: `checksum` since 7.1,
 * `getConfig` since 7.4).
 *
 * - `stage` → `downloadBundle({ artifactType: "zip", bundleId, url, checksum })` with the
 *   signed `zipSha256` (after the client verified every byte in JS);
 * - `next` → `setNextBundle`; `set` → `setNextBundle` + `reload`; `notifyAppReady` → `ready()`;
 * - `current` → `getCurrentBundle()` (the floor falls back to it) and `getVersionName()`.
 *
 * Refuses off a native platform (`CLIENT_NOT_NATIVE`: the plugin's web implementation only
 * throws "unimplemented", and a browser must not pretend to have updated), and refuses
 * (`CLIENT_BACKEND_UNSUPPORTED`) otaseal-encrypted releases (use {@link filesystemBackend}),
 * a plugin older than 7.4 (it would ignore `checksum`), and `autoUpdateStrategy:
 * "background"` (the plugin would install Capawesome Cloud bundles that otaseal never saw).
 * The manifest artifact type is never used: its per-file checksums come from the server's
 * response headers, which the app cannot pin.
 *
 * @example
 * ```ts
 * import { Capacitor } from "@capacitor/core";
 * import { LiveUpdate } from "@capawesome/capacitor-live-update";
 * import { Preferences } from "@capacitor/preferences";
 * import { createUpdateClient } from "otaseal";
 * import { capawesomeBackend, preferencesStorage } from "otaseal/capacitor";
 *
 * const client = createUpdateClient({
 *   trust: TRUST_JSON, app: "com.example.app", channel: "production", platform: Capacitor.getPlatform() as "ios",
 *   backend: capawesomeBackend(LiveUpdate, { capacitor: Capacitor }),
 *   storage: preferencesStorage(Preferences), bundledVersion: "1.0.0",
 * });
 * ```
 */
export function capawesomeBackend(plugin: CapawesomePlugin, options: CapawesomeBackendOptions): UpdateBackend {
  if (!plugin || typeof plugin.downloadBundle !== "function" || typeof plugin.setNextBundle !== "function") {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", "capawesomeBackend needs the LiveUpdate plugin object from @capawesome/capacitor-live-update");
  }
  if (!options?.capacitor || typeof options.capacitor.isNativePlatform !== "function") {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", "capawesomeBackend needs options.capacitor (Capacitor from @capacitor/core)");
  }

  const native = (): void => {
    if (!options.capacitor.isNativePlatform()) {
      throw new UpdateError(
        "CLIENT_NOT_NATIVE",
        "@capawesome/capacitor-live-update only installs bundles on a native platform; use webBackend from otaseal/web in a browser",
      );
    }
  };
  const call = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    native();
    try {
      return await f();
    } catch (e) {
      throw toUpdateError(e, "CLIENT_BACKEND_FAILED", `capawesome ${what}`);
    }
  };
  const currentOf = (bundleId: string | null, nativeVersion: string | null): BackendCurrent => {
    if (bundleId === null) return { id: "builtin", version: null, zipSha256: null, native: nativeVersion || null };
    // Only ids this backend made name a version and hash; anything else (a Capawesome Cloud
    // bundle, a hand-made id) says nothing, and the floor comes from the state or bundledVersion.
    const m = ID_RE.exec(bundleId);
    return { id: bundleId, version: m?.[2] ?? null, zipSha256: m?.[1] ?? null, native: nativeVersion || null };
  };
  const nativeVersion = async (): Promise<string | null> => (await call("getVersionName", () => plugin.getVersionName())).versionName || null;

  /** Plugin ≥ 7.4 (getConfig answers) and not auto-updating from Capawesome Cloud. */
  let checkedConfig: Promise<void> | null = null;
  const assertConfig = (): Promise<void> => {
    checkedConfig ??= (async () => {
      let config: GetConfigResult;
      try {
        config = await plugin.getConfig();
      } catch (e) {
        throw new UpdateError(
          "CLIENT_BACKEND_UNSUPPORTED",
          "@capawesome/capacitor-live-update did not answer getConfig(): capawesomeBackend needs plugin ≥ 7.4 (older versions ignore the pinned checksum)",
          { cause: e },
        );
      }
      if (config?.autoUpdateStrategy !== "none") {
        throw new UpdateError(
          "CLIENT_BACKEND_UNSUPPORTED",
          `@capawesome/capacitor-live-update has autoUpdateStrategy ${JSON.stringify(config?.autoUpdateStrategy)}: it would download and switch to bundles otaseal never verified; set autoUpdateStrategy: "none" in capacitor.config`,
        );
      }
    })();
    // A failed check is not cached: the app may be misconfigured now and fixed by a setConfig later.
    checkedConfig.catch(() => (checkedConfig = null));
    return checkedConfig;
  };

  const unsupported = (release: VerifiedRelease): string | null => {
    const m = release.manifest;
    if (m.encryption) {
      return (
        `release ${m.version} is encrypted with otaseal's format, which @capawesome/capacitor-live-update cannot decrypt or pin; ` +
        "install it with filesystemBackend from otaseal/capacitor (native) or webBackend from otaseal/web (browsers)"
      );
    }
    if (!HEX64.test(m.bundle.zipSha256)) return `release ${m.version} names no zip SHA-256 to pin`;
    const id = capawesomeBundleId(release);
    if (!ID_RE.test(id) || new TextEncoder().encode(id).length > MAX_ID_BYTES) {
      return `release version ${JSON.stringify(m.version)} does not make a bundle folder name (${MAX_ID_BYTES} bytes at most)`;
    }
    return null;
  };

  return {
    name: "capawesome",
    accepts: "pin",
    // Always: the pinned checksum makes the plugin install the bytes JS verified; only the JS
    // check applies the signed file list and the strict zip rules to those bytes.
    verifyInJs: true,
    async assertSupported(release) {
      native();
      const why = unsupported(release);
      if (why) throw new UpdateError("CLIENT_BACKEND_UNSUPPORTED", why);
      await assertConfig();
    },
    async current() {
      const { bundleId } = await call("getCurrentBundle", () => plugin.getCurrentBundle());
      return currentOf(bundleId, await nativeVersion());
    },
    async stage(input: StageInput): Promise<StagedBundle> {
      await this.assertSupported(input.release);
      const m = input.release.manifest;
      const bundleId = capawesomeBundleId(input.release);
      const [{ bundleIds }, { bundleId: currentId }, { bundleId: nextId }] = await Promise.all([
        call("getDownloadedBundles", () => plugin.getDownloadedBundles()),
        call("getCurrentBundle", () => plugin.getCurrentBundle()),
        call("getNextBundle", () => plugin.getNextBundle()),
      ]);
      if (bundleIds.includes(bundleId)) {
        if (bundleId === currentId || bundleId === nextId) {
          throw new UpdateError("CLIENT_INVALID_STATE", `${m.version} is already the plugin's ${bundleId === currentId ? "current" : "next"} bundle`);
        }
        // A leftover (downloaded, never applied): fetched again, so the bytes are pinned now.
        await call("deleteBundle", () => plugin.deleteBundle({ bundleId }));
      }
      // The plugin compares SHA-256(downloaded zip) with `checksum` (no publicKey configured).
      await call("downloadBundle", () => plugin.downloadBundle({ artifactType: "zip", bundleId, url: input.bundleUrl, checksum: m.bundle.zipSha256 }));
      const after = await call("getDownloadedBundles", () => plugin.getDownloadedBundles());
      if (!after.bundleIds.includes(bundleId)) {
        throw new UpdateError("CLIENT_BACKEND_FAILED", `capawesome downloadBundle resolved but ${bundleId} is not among the downloaded bundles`);
      }
      return { id: bundleId, version: m.version };
    },
    async next(id) {
      await call("setNextBundle", () => plugin.setNextBundle({ bundleId: id }));
    },
    async set(id) {
      await call("setNextBundle", () => plugin.setNextBundle({ bundleId: id }));
      await call("reload", () => plugin.reload());
    },
    async notifyAppReady() {
      const r = await call("ready", () => plugin.ready());
      return currentOf(r.currentBundleId, await nativeVersion());
    },
    async bundleStatus(id) {
      const [{ bundleIds }, { bundleId: currentId }, { bundleId: nextId }] = await Promise.all([
        call("getDownloadedBundles", () => plugin.getDownloadedBundles()),
        call("getCurrentBundle", () => plugin.getCurrentBundle()),
        call("getNextBundle", () => plugin.getNextBundle()),
      ]);
      if (!bundleIds.includes(id)) return "missing";
      // Blocked: rolled back (autoBlockRolledBackBundles). Otherwise the plugin keeps no
      // per-bundle status: a bundle that is neither running nor next after it was applied was
      // reset by the rollback timer (readyTimeout). Confirmation reaches the client through
      // notifyAppReady, never through this.
      const blocked = await call("getBlockedBundles", () => plugin.getBlockedBundles()).catch(() => ({ bundleIds: [] as string[] }));
      if (blocked.bundleIds.includes(id)) return "error";
      return id === currentId || id === nextId ? "pending" : "error";
    },
  };
}
