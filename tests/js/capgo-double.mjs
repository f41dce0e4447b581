// @ts-check
// A recording double of the real @capgo/capacitor-updater plugin object. It is type-checked
// against the plugin's own definitions (node_modules/@capgo/capacitor-updater/dist/esm/
// definitions.d.ts) by capgo.test.mjs (tsc --checkJs). Like the native side, zip-mode
// `download` hashes the bytes it "downloads" and refuses a checksum mismatch; files mode
// checks each file against `file_hash`.
import { createHash } from "node:crypto";

/** @typedef {import("@capgo/capacitor-updater").CapacitorUpdaterPlugin} CapacitorUpdaterPlugin */
/** @typedef {import("@capgo/capacitor-updater").BundleInfo} BundleInfo */

/** Methods the backend never calls: present so the double is a whole CapacitorUpdaterPlugin. */
const UNUSED = /** @type {const} */ ([
  "addListener", "cancelDelay", "checkPreviewUpdate", "completeFlexibleUpdate", "deletePreview", "getAppId",
  "getAppUpdateInfo", "getBuiltinVersion", "getBundleDownloadSize", "getChannel", "getDeviceId", "getFailedUpdate",
  "getLatest", "getMissingBundleFiles", "getNextBundle", "getPluginVersion", "isAutoUpdateAvailable",
  "isAutoUpdateEnabled", "isShakeChannelSelectorEnabled", "isShakeMenuEnabled", "listChannels", "listPreviews",
  "openAppStore", "performImmediateUpdate", "reload", "removeAllListeners", "reset", "resetPreview", "setAppId",
  "setBundleError", "setChannel", "setChannelUrl", "setCustomId", "setMultiDelay", "setPreview",
  "setShakeChannelSelector", "setShakeMenu", "setStatsUrl", "setUpdateUrl", "startFlexibleUpdate",
  "startPreviewSession", "triggerUpdateCheck", "unsetChannel", "updatePreview",
]);

/**
 * @param {{ served?: Record<string, Uint8Array>, builtinVersion?: string, native?: string }} [options]
 */
export function recordingUpdater(options = {}) {
  /** @type {{ method: string, args: unknown }[]} */
  const calls = [];
  const served = options.served ?? {};
  /** @type {BundleInfo} */
  const builtin = { id: "builtin", version: options.builtinVersion ?? "1.0.0", downloaded: "1970-01-01T00:00:00.000Z", checksum: "", status: "success" };
  /** @type {BundleInfo[]} */
  const bundles = [];
  let current = builtin;
  let counter = 0;
  const sha = (/** @type {Uint8Array} */ b) => createHash("sha256").update(b).digest("hex");
  const unused = Object.fromEntries(
    UNUSED.map((name) => [name, () => Promise.reject(new Error(`recordingUpdater.${name} is not used by otaseal`))]),
  );

  /** @type {Pick<CapacitorUpdaterPlugin, "download" | "next" | "set" | "current" | "list" | "notifyAppReady" | "delete">} */
  const used = {
    async download(o) {
      calls.push({ method: "download", args: structuredClone(o) });
      if (o.manifest) {
        for (const entry of o.manifest) {
          const bytes = entry.download_url ? served[entry.download_url] : undefined;
          if (!bytes) throw new Error(`404 ${entry.download_url}`);
          if (sha(bytes) !== entry.file_hash) throw new Error(`file_hash mismatch for ${entry.file_name}`);
        }
      } else {
        const bytes = served[o.url];
        if (!bytes) throw new Error(`404 ${o.url}`);
        if (!o.checksum) throw new Error("No checksum provided");
        if (sha(bytes) !== o.checksum) throw new Error("Checksum failed");
      }
      /** @type {BundleInfo} */
      const info = { id: `capgo-${++counter}`, version: o.version, downloaded: new Date(0).toISOString(), checksum: o.checksum ?? "", status: "pending" };
      bundles.push(info);
      return info;
    },
    async next(o) {
      calls.push({ method: "next", args: o });
      const b = bundles.find((x) => x.id === o.id);
      if (!b) throw new Error("bundle not found");
      return b;
    },
    async set(o) {
      calls.push({ method: "set", args: o });
      const b = bundles.find((x) => x.id === o.id);
      if (!b) throw new Error("bundle not found");
      current = b;
    },
    async current() {
      calls.push({ method: "current", args: undefined });
      return { bundle: current, native: options.native ?? "8.0.0" };
    },
    async list() {
      calls.push({ method: "list", args: undefined });
      return { bundles: [...bundles] };
    },
    async notifyAppReady() {
      calls.push({ method: "notifyAppReady", args: undefined });
      current = { ...current, status: "success" };
      return { bundle: current };
    },
    async delete(o) {
      calls.push({ method: "delete", args: o });
    },
  };
  // Compile-time completeness: every method of the real interface is in `used` or UNUSED.
  /** @type {[Exclude<keyof CapacitorUpdaterPlugin, keyof typeof used | (typeof UNUSED)[number]>] extends [never] ? true : false} */
  const complete = true;
  void complete;
  const plugin = /** @type {CapacitorUpdaterPlugin} */ ({ ...unused, ...used });
  return { plugin, calls, bundles, rollBack: () => { if (current !== builtin) { current.status = "error"; current = builtin; } } };
}
