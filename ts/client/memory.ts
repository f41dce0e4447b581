/**
 * The memory updater: the fallback updater's behaviour with the files kept in a `Map`, for
 * tests and Node. `launch()` stands for an app start (page reload).
 * @module
 */
import type { OpenedFile } from "../../pkg/node/otaseal.js";
import { UpdateError } from "./errors.js";
import {
  activate,
  addBundle,
  verifiedDownload,
  builtinInfo,
  confirm,
  deleteBundle,
  fallbackBackend,
  initialUpdaterState,
  launch,
  resetState,
  setNext,
  type UpdaterBundle,
  type FallbackDownloadOptions,
  type FallbackUpdater,
  type UpdaterState,
} from "./updater.js";
import type { UpdateBackend } from "./types.js";
import { ownCopy, sha256Hex } from "./verified.js";

/**
 * Options of {@link MemoryUpdater}.
 *
 * @example
 * ```ts
 * new MemoryUpdater({ builtinVersion: "1.0.0", appReadyTimeoutMs: 10_000, clock: () => t });
 * ```
 */
export interface MemoryUpdaterOptions {
  /** Version of the builtin bundle, reported by `current()`; default "" (unknown). */
  builtinVersion?: string;
  /** Native shell version reported by `current()`. */
  nativeVersion?: string;
  /** How long an activated bundle has to call `notifyAppReady`; default 10 000 ms (the plugin's default). */
  appReadyTimeoutMs?: number;
  clock?: () => number;
}

/**
 * A fallback updater in memory.
 *
 * @example
 * ```ts
 * const updater = new MemoryUpdater({ builtinVersion: "1.0.0" });
 * const backend = memoryBackend(updater);
 * ```
 */
export class MemoryUpdater implements FallbackUpdater {
  state: UpdaterState = initialUpdaterState();
  readonly files = new Map<string, Map<string, Uint8Array>>();
  /** The signed envelope of each bundle. */
  readonly envelopes = new Map<string, string>();
  /** Every call, in order, for tests. */
  readonly calls: { method: string; args: unknown }[] = [];
  private readonly builtinVersion: string;
  private readonly nativeVersion: string;
  private readonly timeoutMs: number;
  private readonly clock: () => number;

  constructor(given: MemoryUpdaterOptions = {}) {
    const options = ownCopy(given);
    this.builtinVersion = options.builtinVersion ?? "";
    this.nativeVersion = options.nativeVersion ?? "";
    this.timeoutMs = options.appReadyTimeoutMs ?? 10_000;
    this.clock = options.clock ?? Date.now;
  }

  private info(id: string): UpdaterBundle {
    if (id === "builtin") return builtinInfo(this.builtinVersion);
    const b = this.state.bundles.find((x) => x.id === id);
    if (!b) throw new UpdateError("CLIENT_BUNDLE_UNKNOWN", `no bundle ${id}`);
    return b;
  }

  async download(options: FallbackDownloadOptions): Promise<UpdaterBundle> {
    this.calls.push({ method: "download", args: { url: options.url, version: options.version, checksum: options.checksum } });
    // Only the client's verified content, re-hashed; the copies it returns are what is kept.
    const content = await verifiedDownload(options, "MemoryUpdater");
    const m = content.release.manifest;
    const id = `b-${m.bundle.zipSha256.slice(0, 16)}`;
    this.files.set(id, new Map(content.files.map((f: OpenedFile) => [f.path, f.data])));
    this.envelopes.set(id, content.envelope);
    const info: UpdaterBundle = { id, version: m.version, downloaded: new Date(this.clock()).toISOString(), checksum: m.bundle.zipSha256, status: "pending" };
    this.state = addBundle(this.state, info);
    return info;
  }

  async next(options: { id: string }): Promise<UpdaterBundle> {
    this.calls.push({ method: "next", args: options });
    this.state = setNext(this.state, options.id);
    return this.info(options.id);
  }

  async set(options: { id: string }): Promise<void> {
    this.calls.push({ method: "set", args: options });
    this.state = activate(this.state, options.id, this.clock());
  }

  async current(): Promise<{ bundle: UpdaterBundle; native: string }> {
    return { bundle: this.info(this.state.current), native: this.nativeVersion };
  }

  async list(): Promise<{ bundles: UpdaterBundle[] }> {
    return { bundles: [...this.state.bundles] };
  }

  async delete(options: { id: string }): Promise<void> {
    this.calls.push({ method: "delete", args: options });
    this.state = deleteBundle(this.state, options.id);
    this.files.delete(options.id);
    this.envelopes.delete(options.id);
  }

  async reset(options?: { toLastSuccessful?: boolean; usePendingBundle?: boolean }): Promise<void> {
    this.calls.push({ method: "reset", args: options });
    this.state = resetState(this.state, options, this.clock());
  }

  async notifyAppReady(): Promise<{ bundle: UpdaterBundle }> {
    this.calls.push({ method: "notifyAppReady", args: undefined });
    this.state = confirm(this.state);
    return { bundle: this.info(this.state.current) };
  }

  async signedEnvelope(id: string): Promise<string | null> {
    return this.envelopes.get(id) ?? null;
  }

  async storedFilesMatch(id: string, files: readonly { path: string; size: number; sha256: string }[]): Promise<boolean> {
    const stored = this.files.get(id);
    if (!stored || stored.size !== files.length) return false;
    for (const f of files) {
      const data = stored.get(f.path);
      if (!data || data.byteLength !== f.size || (await sha256Hex(data)) !== f.sha256) return false;
    }
    return true;
  }

  /** An app start: activates `next`, or rolls back an unconfirmed bundle past its deadline. */
  launch(): { rolledBack: string | null } {
    const r = launch(this.state, this.clock(), this.timeoutMs);
    this.state = r.state;
    return { rolledBack: r.rolledBack };
  }

  /** The file the active bundle serves at `path` (`undefined` for builtin or unknown paths). */
  read(path: string): Uint8Array | undefined {
    return this.files.get(this.state.current)?.get(path);
  }
}

/**
 * A client backend over a {@link MemoryUpdater}.
 *
 * @example
 * ```ts
 * const client = createUpdateClient({ ..., backend: memoryBackend(new MemoryUpdater({ builtinVersion: "1.0.0" })) });
 * ```
 */
export function memoryBackend(updater: MemoryUpdater = new MemoryUpdater()): UpdateBackend & { readonly updater: MemoryUpdater } {
  return Object.assign(fallbackBackend("memory", updater), { updater });
}
