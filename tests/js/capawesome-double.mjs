// @ts-check
// A recording double of the real @capawesome/capacitor-live-update plugin object, type-checked
// against the plugin's own definitions (node_modules/@capawesome/capacitor-live-update/dist/
// esm/definitions.d.ts) by capawesome.test.mjs (tsc --checkJs). It behaves as the plugin's
// native code (8.4, LiveUpdate.java / LiveUpdate.swift) does where otaseal depends on it:
// - downloadBundle refuses an existing bundleId; for the zip artifact it compares the SHA-256
//   of the downloaded bytes with `checksum` *only when one is given* (no checksum and no
//   X-Checksum header: no check at all), unless a `publicKey` is configured, in which case it
//   wants a signature and ignores the checksum;
// - setNextBundle refuses an unknown id; reload() makes the next bundle current and starts the
//   rollback timer; rollBack() is that timer firing: current and next go back to the default
//   bundle (null), and with autoBlockRolledBackBundles the bundle is blocked at the next ready().
import { createHash } from "node:crypto";

/** @typedef {import("@capawesome/capacitor-live-update").LiveUpdatePlugin} LiveUpdatePlugin */
/** @typedef {import("@capawesome/capacitor-live-update").GetConfigResult} GetConfigResult */

/** Methods the backend never calls: present so the double is a whole LiveUpdatePlugin. */
const UNUSED = /** @type {const} */ ([
  "addListener", "clearBlockedBundles", "fetchChannels", "fetchLatestBundle", "getBundles", "getChannel", "getCustomId",
  "getDeviceId", "getVersionCode", "isSyncing", "removeAllListeners", "reset", "resetConfig", "setChannel", "setConfig",
  "setCustomId", "sync",
]);

/**
 * @param {{
 *   served?: Record<string, Uint8Array>,
 *   versionName?: string,
 *   autoUpdateStrategy?: GetConfigResult["autoUpdateStrategy"],
 *   publicKey?: string,
 *   autoBlockRolledBackBundles?: boolean,
 *   noGetConfig?: boolean,
 * }} [options]
 */
export function recordingLiveUpdate(options = {}) {
  /** @type {{ method: string, args: unknown }[]} */
  const calls = [];
  const served = options.served ?? {};
  /** @type {Map<string, Uint8Array>} bundleId → the zip it was installed from */
  const bundles = new Map();
  /** @type {string[]} */
  const blocked = [];
  /** @type {string | null} */
  let current = null;
  /** @type {string | null} */
  let next = null;
  let rollbackPending = false;
  /** @type {string | null} */
  let rolledBack = null;
  const sha = (/** @type {Uint8Array} */ b) => createHash("sha256").update(b).digest("hex");
  const unused = Object.fromEntries(
    UNUSED.map((name) => [name, () => Promise.reject(new Error(`recordingLiveUpdate.${name} is not used by otaseal`))]),
  );

  /** @type {Pick<LiveUpdatePlugin, "downloadBundle" | "deleteBundle" | "getDownloadedBundles" | "getBlockedBundles" | "getCurrentBundle" | "getNextBundle" | "getConfig" | "getVersionName" | "setNextBundle" | "reload" | "ready">} */
  const used = {
    async downloadBundle(o) {
      calls.push({ method: "downloadBundle", args: structuredClone(o) });
      if (bundles.has(o.bundleId)) throw new Error("Bundle already exists.");
      if (o.artifactType === "manifest") throw new Error("the double serves zip bundles only");
      const bytes = served[o.url];
      if (!bytes) throw new Error(`404 ${o.url}`);
      if (options.publicKey) {
        if (!o.signature) throw new Error("Signature missing.");
      } else if (o.checksum !== undefined && sha(bytes) !== o.checksum) {
        throw new Error("Checksum mismatch.");
      }
      bundles.set(o.bundleId, bytes);
    },
    async deleteBundle(o) {
      calls.push({ method: "deleteBundle", args: o });
      if (!bundles.has(o.bundleId)) throw new Error("Bundle not found.");
      bundles.delete(o.bundleId);
      if (next === o.bundleId) next = null;
    },
    async getDownloadedBundles() {
      calls.push({ method: "getDownloadedBundles", args: undefined });
      return { bundleIds: [...bundles.keys()] };
    },
    async getBlockedBundles() {
      calls.push({ method: "getBlockedBundles", args: undefined });
      return { bundleIds: [...blocked] };
    },
    async getCurrentBundle() {
      calls.push({ method: "getCurrentBundle", args: undefined });
      return { bundleId: current };
    },
    async getNextBundle() {
      calls.push({ method: "getNextBundle", args: undefined });
      return { bundleId: next };
    },
    async getConfig() {
      calls.push({ method: "getConfig", args: undefined });
      if (options.noGetConfig) throw new Error('"LiveUpdate.getConfig()" is not implemented on android');
      return { appId: null, autoUpdateStrategy: options.autoUpdateStrategy ?? "none" };
    },
    async getVersionName() {
      calls.push({ method: "getVersionName", args: undefined });
      return { versionName: options.versionName ?? "8.0.0" };
    },
    async setNextBundle(o) {
      calls.push({ method: "setNextBundle", args: o });
      if (o.bundleId !== null && !bundles.has(o.bundleId)) throw new Error("Bundle not found.");
      next = o.bundleId;
    },
    async reload() {
      calls.push({ method: "reload", args: undefined });
      current = next;
      rollbackPending = current !== null;
    },
    async ready() {
      calls.push({ method: "ready", args: undefined });
      rollbackPending = false;
      const rollback = rolledBack !== null;
      if (rollback && options.autoBlockRolledBackBundles && rolledBack !== null) blocked.push(rolledBack);
      rolledBack = null;
      return { currentBundleId: current, previousBundleId: null, rollback };
    },
  };
  // Compile-time completeness: every method of the real interface is in `used` or UNUSED.
  /** @type {[Exclude<keyof LiveUpdatePlugin, keyof typeof used | (typeof UNUSED)[number]>] extends [never] ? true : false} */
  const complete = true;
  void complete;
  const plugin = /** @type {LiveUpdatePlugin} */ ({ ...unused, ...used });
  return {
    plugin,
    calls,
    bundles,
    /** An app start: the next bundle becomes current (and the rollback timer runs). */
    restart() {
      current = next;
      rollbackPending = current !== null;
    },
    /** The rollback timer fired: ready() never came. */
    rollBack() {
      if (!rollbackPending) throw new Error("no rollback timer running");
      rolledBack = current;
      current = null;
      next = null;
      rollbackPending = false;
    },
  };
}
