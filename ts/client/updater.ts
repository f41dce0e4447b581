/**
 * The updater model shared by the memory updater, the web fallback and its service worker:
 * the same method names and shapes as `@capgo/capacitor-updater` (`download`, `next`, `set`,
 * `current`, `list`, `delete`, `reset`, `notifyAppReady`), with its bundle states, as pure
 * transitions over one state document. The shapes are declared here, structurally equal to the
 * plugin's (checked against the real definitions in `ts/capacitor.ts`), so this module needs
 * no dependency.
 * @module
 */
import type { OpenedFile, VerifiedRelease } from "../../pkg/node/otaseal.js";
import { UpdateError } from "./errors.js";
import type { BackendCurrent, StageInput, StagedBundle, UpdateBackend } from "./types.js";
import { own, verifiedContent } from "./verified.js";

/**
 * A bundle's status, as the plugin's `BundleStatus`.
 *
 * @example
 * ```ts
 * const s: BundleStatus = "success";
 * ```
 */
export type BundleStatus = "success" | "error" | "pending" | "downloading" | "deleted" | "deleting";

/**
 * A bundle, as the plugin's `BundleInfo`. `checksum` is the SHA-256 of the plaintext zip.
 *
 * @example
 * ```ts
 * const { id, version, status } = (await updater.current()).bundle;
 * ```
 */
export interface UpdaterBundle {
  id: string;
  version: string;
  downloaded: string;
  checksum: string;
  status: BundleStatus;
}

/**
 * The verified content a fallback updater installs: the release and the files the opener's
 * `finish()` returned. Only the update client produces it: the release must be one its
 * `check()` returned and `files` the frozen list its `download()` made (a custom backend
 * receives both in `stage`); anything else is `CLIENT_UNVERIFIED_RELEASE`.
 *
 * @example
 * ```ts
 * await updater.download({ url, version, checksum, otaseal: { release, files } });
 * ```
 */
export interface VerifiedBundle {
  release: VerifiedRelease;
  files: OpenedFile[];
}

/**
 * `download` options: the plugin's `DownloadOptions` plus the verified content.
 *
 * @example
 * ```ts
 * const opts: FallbackDownloadOptions = { url, version: "2.0.0", checksum: zipSha256, otaseal: verified };
 * ```
 */
export interface FallbackDownloadOptions {
  url: string;
  version: string;
  checksum?: string;
  otaseal: VerifiedBundle;
}

/**
 * The plugin-shaped methods the fallback updaters implement.
 *
 * @example
 * ```ts
 * const updater: FallbackUpdater = new MemoryUpdater();
 * const info = await updater.download(opts);
 * await updater.next({ id: info.id });
 * ```
 */
export interface FallbackUpdater {
  download(options: FallbackDownloadOptions): Promise<UpdaterBundle>;
  next(options: { id: string }): Promise<UpdaterBundle>;
  set(options: { id: string }): Promise<void>;
  current(): Promise<{ bundle: UpdaterBundle; native: string }>;
  list(options?: { raw?: boolean }): Promise<{ bundles: UpdaterBundle[] }>;
  delete(options: { id: string }): Promise<void>;
  reset(options?: { toLastSuccessful?: boolean; usePendingBundle?: boolean }): Promise<void>;
  notifyAppReady(): Promise<{ bundle: UpdaterBundle }>;
  /**
   * The signed envelope stored with bundle `id` (null: none). Updaters that have it let the
   * client prove what runs instead of believing the stored version.
   */
  signedEnvelope?(id: string): Promise<string | null>;
  /**
   * Whether bundle `id` is stored with exactly these signed files (each hashed now). With
   * `signedEnvelope`, lets the client believe a stored bundle only when its files are intact.
   */
  storedFilesMatch?(id: string, files: readonly { path: string; size: number; sha256: string }[]): Promise<boolean>;
}

/**
 * The fallback updaters' state document.
 *
 * @example
 * ```ts
 * let s = initialUpdaterState();
 * ```
 */
export interface UpdaterState {
  v: 1;
  bundles: UpdaterBundle[];
  /** The active bundle id, `"builtin"` for the one shipped with the app. */
  current: string;
  /** Activated at the next launch. */
  next: string | null;
  /** The last bundle that confirmed a good start (rollback target). */
  lastSuccessful: string;
  /** When the active bundle started unconfirmed (ms), or null once confirmed. */
  pendingSince: number | null;
}

/**
 * The plugin's id for the bundle shipped with the app.
 *
 * @example
 * ```ts
 * if ((await updater.current()).bundle.id === BUILTIN_ID) console.log("no update active");
 * ```
 */
export const BUILTIN_ID = "builtin";

/**
 * A fresh state: the builtin bundle, nothing downloaded.
 *
 * @example
 * ```ts
 * initialUpdaterState().current; // "builtin"
 * ```
 */
export function initialUpdaterState(): UpdaterState {
  return { v: 1, bundles: [], current: BUILTIN_ID, next: null, lastSuccessful: BUILTIN_ID, pendingSince: null };
}

/**
 * Parses a stored updater state; anything malformed gives the initial state (the builtin
 * bundle runs: nothing unverified is ever activated by a corrupt document).
 *
 * @example
 * ```ts
 * const state = parseUpdaterState(localStorage.getItem("k"));
 * ```
 */
export function parseUpdaterState(text: string | null): UpdaterState {
  try {
    const d = JSON.parse(text ?? "null") as UpdaterState | null;
    if (d && d.v === 1 && Array.isArray(d.bundles) && typeof d.current === "string" && typeof d.lastSuccessful === "string") {
      const ids = new Set(d.bundles.map((b) => b.id));
      const known = (id: string | null): boolean => id === null || id === BUILTIN_ID || ids.has(id);
      if (known(d.current) && known(d.next) && known(d.lastSuccessful)) return d;
    }
  } catch {
    // fall through
  }
  return initialUpdaterState();
}

/**
 * The `UpdaterBundle` of the builtin bundle, as the plugin reports it.
 *
 * @example
 * ```ts
 * builtinInfo("1.0.0").id; // "builtin"
 * ```
 */
export function builtinInfo(version: string): UpdaterBundle {
  return { id: BUILTIN_ID, version, downloaded: "1970-01-01T00:00:00.000Z", checksum: "", status: "success" };
}

function find(state: UpdaterState, id: string): UpdaterBundle {
  const b = state.bundles.find((x) => x.id === id);
  if (!b) throw new UpdateError("CLIENT_BUNDLE_UNKNOWN", `no bundle with id ${JSON.stringify(id)}`);
  return b;
}

/**
 * Checks that a `download` call carries exactly what the client verified: a release its
 * `check()` returned, the frozen file list its `download()` recorded for that release, and the
 * plugin-shaped version and checksum of the signed manifest; then re-hashes a private copy of
 * every file. Returns what to install. Throws `CLIENT_UNVERIFIED_RELEASE`.
 *
 * @example
 * ```ts
 * const { release, envelope, files } = await verifiedDownload(options, "MemoryUpdater");
 * ```
 */
export async function verifiedDownload(
  options: FallbackDownloadOptions,
  who: string,
): Promise<{ release: VerifiedRelease; envelope: string; files: OpenedFile[] }> {
  const v = own(options, "otaseal");
  const content = await verifiedContent(own(v, "release"), own(v, "files"), who);
  const m = content.release.manifest;
  const fail = (why: string): never => {
    throw new UpdateError("CLIENT_UNVERIFIED_RELEASE", `${who} installs only releases verified by the otaseal client: ${why}`);
  };
  if (own(options, "version") !== m.version) fail(`version ${String(own(options, "version"))} is not the signed ${m.version}`);
  const checksum = own(options, "checksum");
  if (checksum !== undefined && checksum !== m.bundle.zipSha256) fail("checksum is not the signed zip SHA-256");
  return content;
}

/**
 * Records a staged bundle (status `pending`, as the plugin does after `download`).
 *
 * @example
 * ```ts
 * state = addBundle(state, { id, version, downloaded: new Date().toISOString(), checksum, status: "pending" });
 * ```
 */
export function addBundle(state: UpdaterState, info: UpdaterBundle): UpdaterState {
  return { ...state, bundles: [...state.bundles.filter((b) => b.id !== info.id), info] };
}

/**
 * `next({ id })`: activate at the next launch.
 *
 * @example
 * ```ts
 * state = setNext(state, id);
 * ```
 */
export function setNext(state: UpdaterState, id: string): UpdaterState {
  const b = find(state, id);
  if (b.status === "error") throw new UpdateError("CLIENT_BLOCKLISTED", `bundle ${id} failed to start before`);
  return { ...state, next: id };
}

/**
 * Makes `id` the active bundle, unconfirmed since `now` (what `set` and a launch with `next`
 * do). The previous bundle stays the rollback target until `id` confirms.
 *
 * @example
 * ```ts
 * state = activate(state, id, Date.now());
 * ```
 */
export function activate(state: UpdaterState, id: string, now: number): UpdaterState {
  if (id === BUILTIN_ID) return { ...state, current: BUILTIN_ID, next: null, pendingSince: null };
  const b = find(state, id);
  if (b.status === "error") throw new UpdateError("CLIENT_BLOCKLISTED", `bundle ${id} failed to start before`);
  return { ...state, current: id, next: state.next === id ? null : state.next, pendingSince: now };
}

/**
 * A launch (page load, app start): a `next` bundle becomes active; an active bundle that did
 * not confirm within `timeoutMs` is marked `error` and the last successful one comes back.
 * Returns whether a rollback happened.
 *
 * @example
 * ```ts
 * const { state: s, rolledBack } = launch(state, Date.now(), 10_000);
 * ```
 */
export function launch(state: UpdaterState, now: number, timeoutMs: number): { state: UpdaterState; rolledBack: string | null } {
  const checked = checkDeadline(state, now, timeoutMs);
  let s = checked.state;
  if (s.next !== null && s.bundles.some((b) => b.id === s.next && b.status !== "error")) s = activate(s, s.next, now);
  else s = { ...s, next: null };
  return { state: s, rolledBack: checked.rolledBack };
}

/**
 * Rolls back when the active bundle's confirmation deadline has passed.
 *
 * @example
 * ```ts
 * const { rolledBack } = checkDeadline(state, Date.now(), 10_000);
 * ```
 */
export function checkDeadline(state: UpdaterState, now: number, timeoutMs: number): { state: UpdaterState; rolledBack: string | null } {
  if (state.current === BUILTIN_ID || state.pendingSince === null || now - state.pendingSince < timeoutMs) {
    return { state, rolledBack: null };
  }
  const failed = state.current;
  const bundles = state.bundles.map((b) => (b.id === failed ? { ...b, status: "error" as const } : b));
  const back = state.lastSuccessful !== failed && bundles.some((b) => b.id === state.lastSuccessful) ? state.lastSuccessful : BUILTIN_ID;
  return { state: { ...state, bundles, current: back, next: state.next === failed ? null : state.next, pendingSince: null, lastSuccessful: back }, rolledBack: failed };
}

/**
 * `notifyAppReady()`: the active bundle started well.
 *
 * @example
 * ```ts
 * state = confirm(state);
 * ```
 */
export function confirm(state: UpdaterState): UpdaterState {
  if (state.current === BUILTIN_ID) return { ...state, pendingSince: null, lastSuccessful: BUILTIN_ID };
  const bundles = state.bundles.map((b) => (b.id === state.current ? { ...b, status: "success" as const } : b));
  return { ...state, bundles, pendingSince: null, lastSuccessful: state.current };
}

/**
 * `reset()`: back to the builtin bundle, or to the last successful one.
 *
 * @example
 * ```ts
 * state = resetState(state, { toLastSuccessful: true });
 * ```
 */
export function resetState(state: UpdaterState, options?: { toLastSuccessful?: boolean; usePendingBundle?: boolean }, now = 0): UpdaterState {
  if (options?.usePendingBundle) {
    if (state.next === null) throw new UpdateError("CLIENT_INVALID_STATE", "reset({ usePendingBundle }) with no next bundle");
    return activate(state, state.next, now);
  }
  const target = options?.toLastSuccessful ? state.lastSuccessful : BUILTIN_ID;
  return { ...state, current: target, next: null, pendingSince: null };
}

/**
 * `delete({ id })`: not the active, next or builtin bundle.
 *
 * @example
 * ```ts
 * state = deleteBundle(state, oldId);
 * ```
 */
export function deleteBundle(state: UpdaterState, id: string): UpdaterState {
  find(state, id);
  if (id === state.current || id === state.next || id === state.lastSuccessful) {
    throw new UpdateError("CLIENT_INVALID_STATE", `bundle ${id} is in use (current, next or rollback target)`);
  }
  return { ...state, bundles: state.bundles.filter((b) => b.id !== id) };
}

/**
 * A client backend over a fallback updater (web or memory): the verified files go to
 * `download`, then `next` / `set` / `notifyAppReady`.
 *
 * @example
 * ```ts
 * const backend = fallbackBackend("memory", new MemoryUpdater({ builtinVersion: "1.0.0" }));
 * ```
 */
export function fallbackBackend(name: string, updater: FallbackUpdater): UpdateBackend {
  const cur = async (bundle: UpdaterBundle, native: string | null): Promise<BackendCurrent> => ({
    id: bundle.id,
    version: bundle.version || null,
    zipSha256: /^[0-9a-f]{64}$/.test(bundle.checksum) ? bundle.checksum : null,
    native,
    // The stored version is a claim (its storage may be edited): the envelope lets the client prove it.
    ...(updater.signedEnvelope ? { envelope: bundle.id === BUILTIN_ID ? null : await updater.signedEnvelope(bundle.id) } : {}),
  });
  return {
    name,
    accepts: "files",
    async assertSupported() {},
    ...(updater.storedFilesMatch
      ? { storedFilesMatch: (id: string, files: readonly { path: string; size: number; sha256: string }[]) => updater.storedFilesMatch!(id, files) }
      : {}),
    async current() {
      const c = await updater.current();
      return cur(c.bundle, c.native || null);
    },
    async stage(input: StageInput): Promise<StagedBundle> {
      if (!input.files) throw new UpdateError("CLIENT_UNVERIFIED_RELEASE", `${name} needs the verified files`);
      const m = input.release.manifest;
      // The updater re-checks that these are the client's verified files, and their hashes.
      const info = await updater.download({
        url: input.bundleUrl,
        version: m.version,
        checksum: m.bundle.zipSha256,
        otaseal: { release: input.release, files: input.files },
      });
      return { id: info.id, version: info.version };
    },
    async next(id) {
      await updater.next({ id });
    },
    async set(id) {
      await updater.set({ id });
    },
    async notifyAppReady() {
      const r = await updater.notifyAppReady();
      const c = await updater.current();
      return cur(r.bundle, c.native || null);
    },
    async bundleStatus(id) {
      const { bundles } = await updater.list();
      const b = bundles.find((x) => x.id === id);
      return !b ? "missing" : b.status === "error" ? "error" : b.status === "success" ? "confirmed" : "pending";
    },
  };
}
