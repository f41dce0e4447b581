/**
 * One code path for native and web: {@link autoBackend} picks the backend for where the app
 * runs, so the same start-up code installs updates on iOS, Android and in a browser.
 *
 * | where | releases | backend |
 * |---|---|---|
 * | iOS / Android | plain (not encrypted) | `capgoBackend` (`@capgo/capacitor-updater` pins the signed hashes) |
 * | iOS / Android | encrypted (`encrypted: true`) | `filesystemBackend` (decrypted and verified in JS, `@capacitor/filesystem`) |
 * | a browser | either | the web fallback (`otaseal/web`: Cache Storage + the `otaseal/sw` service worker) |
 *
 * The plugins are passed in (type-only imports), so this module adds no runtime dependency.
 * @module
 */
// Declarations only (`Symbol.dispose` for the core's classes when an app's lib lacks it).
import "./core-types.js";
import { UpdateError } from "./client/errors.js";
import type { UpdateBackend } from "./client/types.js";
import { capgoBackend, type CapgoBackendOptions, type CapgoPlugin } from "./capacitor.js";
import { filesystemBackend, type FilesystemApi, type FilesystemBackendOptions } from "./filesystem.js";
import { createWebUpdater, registerServiceWorker, webBackend, type WebUpdater, type WebUpdaterOptions } from "./web.js";

/**
 * Options of {@link autoBackend}. Pass what the app uses; only the part for the current
 * platform is required at run time (a missing one is `CLIENT_INVALID_ARGUMENT`).
 *
 * @example
 * ```ts
 * import { Capacitor } from "@capacitor/core";
 * import { CapacitorUpdater } from "@capgo/capacitor-updater";
 * const options: AutoBackendOptions = { capacitor: Capacitor, capgo: CapacitorUpdater, web: { scope: "/", builtinVersion: "1.0.0" } };
 * ```
 */
export interface AutoBackendOptions {
  /** `Capacitor` from `@capacitor/core`. */
  capacitor: { isNativePlatform(): boolean; getPlatform(): string };
  /**
   * Whether this app's releases are encrypted (it has bundle keys). On native platforms,
   * encrypted releases need {@link AutoBackendOptions.filesystem} (the plugin cannot pin
   * them); plain ones go to {@link AutoBackendOptions.capgo}. Default `false`.
   */
  encrypted?: boolean;
  /** `CapacitorUpdater` from `@capgo/capacitor-updater`: plain releases on iOS / Android. */
  capgo?: CapgoPlugin;
  /** Options of `capgoBackend` other than `capacitor`. */
  capgoOptions?: Omit<CapgoBackendOptions, "capacitor">;
  /** `Filesystem` from `@capacitor/filesystem` and `WebView` from `@capacitor/core`: encrypted releases on iOS / Android. */
  filesystem?: { plugin: FilesystemApi; webView: FilesystemBackendOptions["webView"] };
  /**
   * The web fallback in browsers: `createWebUpdater` options, and the URL of the module
   * service worker that calls `installServiceWorker` from `otaseal/sw` (registered for
   * `scope` before the updater opens; omit it when the app registers it itself).
   */
  web?: WebUpdaterOptions & { serviceWorker?: string };
}

/**
 * What {@link autoBackend} chose.
 *
 * @example
 * ```ts
 * const { backend, platform, kind, reloading } = await autoBackend(options);
 * ```
 */
export interface AutoBackend {
  /** For `createUpdateClient({ backend })`. */
  readonly backend: UpdateBackend;
  /** For `createUpdateClient({ platform })`. */
  readonly platform: "ios" | "android" | "web";
  readonly kind: "capgo" | "filesystem" | "web";
  /**
   * `true` when a release staged with `next` was activated at this start (filesystem
   * backend): the webview is reloading into it, so this page must stop its start-up here.
   */
  readonly reloading: boolean;
  /** The web fallback updater (`kind === "web"` only). */
  readonly webUpdater: WebUpdater | null;
}

const NATIVE_PLATFORMS = ["ios", "android"] as const;

/**
 * Picks and opens the backend for this platform: the Capgo backend on iOS / Android, the
 * filesystem backend there for encrypted releases, the web fallback in a browser. On the
 * filesystem backend it also activates a release staged with `next` (check `reloading`).
 *
 * Errors: `CLIENT_INVALID_ARGUMENT` when the options lack the part this platform needs or the
 * platform is neither iOS, Android nor web; `CLIENT_WEB_UNAVAILABLE` in a browser without
 * Cache Storage or service workers.
 *
 * @example
 * ```ts
 * import { Capacitor, WebView } from "@capacitor/core";
 * import { CapacitorUpdater } from "@capgo/capacitor-updater";
 * import { createUpdateClient } from "otaseal";
 * import { autoBackend } from "otaseal/capacitor";
 *
 * const { backend, platform, reloading } = await autoBackend({
 *   capacitor: Capacitor, capgo: CapacitorUpdater,
 *   web: { scope: "/", builtinVersion: "1.0.0", serviceWorker: "/sw.js" },
 * });
 * if (!reloading) {
 *   const client = createUpdateClient({ trust, app: "com.example.app", channel: "production", platform, backend });
 *   await client.notifyAppReady();
 * }
 * ```
 */
export async function autoBackend(options: AutoBackendOptions): Promise<AutoBackend> {
  if (!options || typeof options !== "object") throw new UpdateError("CLIENT_INVALID_ARGUMENT", "autoBackend needs an options object");
  const capacitor = options.capacitor;
  if (!capacitor || typeof capacitor.isNativePlatform !== "function" || typeof capacitor.getPlatform !== "function") {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", "autoBackend needs options.capacitor (Capacitor from @capacitor/core)");
  }
  if (options.encrypted !== undefined && typeof options.encrypted !== "boolean") {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", "options.encrypted must be a boolean");
  }

  if (!capacitor.isNativePlatform()) {
    const web = options.web;
    if (!web) throw new UpdateError("CLIENT_INVALID_ARGUMENT", "autoBackend runs in a browser here and needs options.web (the web fallback's scope and builtinVersion)");
    const { serviceWorker, ...updaterOptions } = web;
    if (serviceWorker !== undefined) await registerServiceWorker(serviceWorker, updaterOptions.scope);
    const updater = await createWebUpdater(updaterOptions);
    return { backend: webBackend(updater), platform: "web", kind: "web", reloading: false, webUpdater: updater };
  }

  const platform = capacitor.getPlatform();
  if (!(NATIVE_PLATFORMS as readonly string[]).includes(platform)) {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", `autoBackend supports iOS, Android and browsers, not ${JSON.stringify(platform)}`);
  }
  const native = platform as (typeof NATIVE_PLATFORMS)[number];
  if (options.encrypted) {
    if (!options.filesystem) {
      throw new UpdateError(
        "CLIENT_INVALID_ARGUMENT",
        "encrypted releases on iOS / Android need options.filesystem ({ plugin: Filesystem, webView: WebView }): @capgo/capacitor-updater cannot install them",
      );
    }
    const backend = filesystemBackend(options.filesystem.plugin, { webView: options.filesystem.webView, capacitor });
    const reloading = await backend.activateNext();
    return { backend, platform: native, kind: "filesystem", reloading, webUpdater: null };
  }
  if (!options.capgo) {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", "plain releases on iOS / Android need options.capgo (CapacitorUpdater from @capgo/capacitor-updater)");
  }
  const backend = capgoBackend(options.capgo, { ...options.capgoOptions, capacitor });
  return { backend, platform: native, kind: "capgo", reloading: false, webUpdater: null };
}
