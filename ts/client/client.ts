/**
 * The update client: fetch the manifest, verify it, download (or pin) the bundle, hand it to
 * the updater, confirm a good start, and remember what was installed. `docs/CLIENT.md`
 * describes the flow, the state and every error code.
 * @module
 */
import type { FileSink, Limits, OpenedFile, OpenedRelease, Policy, VerifiedRelease } from "../../pkg/web/otaseal.js";
import { UpdateError, isCoreError, toUpdateError, type UpdateErrorCode } from "./errors.js";
import { checkUrl, fetchStream, fetchText, type TransportSecurity } from "./fetch.js";
import { compareSemver, isSemver } from "./semver.js";
import { WebCryptoOpener, type ExternallyDecryptingOpener } from "../accel/webcrypto.js";
import { loadState, memoryStorage, saveState, type ClientState, type ReleaseRef } from "./storage.js";
import type { BackendCurrent, CoreApi, FetchLike, KeyValueStorage, UpdateBackend } from "./types.js";

/** Default cap on a manifest (`docs/FORMAT.md` §8 `max_envelope_bytes`). */
const DEFAULT_MAX_ENVELOPE_BYTES = 1 << 20;
/** Default time allowed for fetching a manifest. */
const DEFAULT_MANIFEST_TIMEOUT_MS = 15_000;
/** Default time allowed for fetching a whole bundle. */
const DEFAULT_BUNDLE_TIMEOUT_MS = 5 * 60_000;

/**
 * Options of {@link createUpdateClient}.
 *
 * @example
 * ```ts
 * const options: UpdateClientOptions = {
 *   trust: trustJson, app: "com.example.app", channel: "production", platform: "ios",
 *   backend, storage: localStorageStorage(), bundledVersion: "1.0.0",
 * };
 * ```
 */
export interface UpdateClientOptions {
  /** The pinned trust root (JSON document or self-signed envelope) shipped with the app. */
  trust: string;
  app: string;
  channel: string;
  platform: "android" | "ios" | "web";
  /** 32-byte bundle keys for encrypted releases. */
  decryptionKeys?: Uint8Array[];
  backend: UpdateBackend;
  /** Where the state lives; default: memory (lost at exit, which is safe but forgets the blocklist). */
  storage?: KeyValueStorage;
  /** Storage key; default `otaseal:<app>:<channel>`. */
  storageKey?: string;
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Milliseconds since the Unix epoch; default `Date.now`. Read once per check or download. */
  clock?: () => number;
  /** SemVer of the web bundle shipped inside the app: the floor of last resort. */
  bundledVersion?: string;
  /** SemVer of the native shell (for `minNativeVersion`); default: what the backend reports. */
  nativeVersion?: string;
  /** Default `"https-only"`. */
  transport?: TransportSecurity;
  manifestTimeoutMs?: number;
  bundleTimeoutMs?: number;
  /** Tighter verification limits (`docs/FORMAT.md` §8). `maxEnvelopeBytes` also caps the manifest fetch. */
  limits?: Partial<Limits>;
  /**
   * Opens encrypted bundles' segments with WebCrypto AES-GCM when the runtime has it (default
   * `true`). Every other check stays in wasm, and results and error codes are the same as the
   * wasm-only path (`tests/js/accel.test.mjs`); `false` decrypts in wasm.
   */
  webCrypto?: boolean;
  /** Default 300 s. */
  maxClockSkewSecs?: number;
  /**
   * Where the bundle of a verified release is. Default: the signed `bundle.url`, else
   * `bundle.zip` (`bundle.bin` when encrypted) next to the manifest, as `otaseal seal` writes.
   */
  bundleUrl?: (release: VerifiedRelease, manifestUrl: string) => string;
  /**
   * This install's staged-rollout bucket, an integer 0..999999 (`docs/FORMAT.md` §3.7). Default:
   * drawn at random once and kept in `storage` under `<storageKey>:rollout`. Without one (no
   * random source), releases with a partial `rollout` are refused (`ROLLOUT_EXCLUDED`).
   */
  rolloutBucket?: number;
}

/**
 * The events of the flow and their payloads.
 *
 * @example
 * ```ts
 * client.on("rejected", ({ code }) => console.warn("update refused:", code));
 * ```
 */
export interface UpdateEvents {
  /** After every check: the release, or `null` with why nothing is to be done. */
  checked: { manifestUrl: string; release: VerifiedRelease | null; reason?: "up-to-date" | "installed" | "pending"; code?: UpdateErrorCode };
  /** The manifest passed steps 1-12 (`stage: "manifest"`), or the whole bundle 13-20 (`"bundle"`). */
  verified: { release: VerifiedRelease; stage: "manifest" | "bundle"; files?: { path: string; size: number; sha256: string }[] };
  downloadProgress: { received: number; total: number };
  /** Verification or policy refused the release (core codes, `CLIENT_BLOCKLISTED`). */
  rejected: { code: UpdateErrorCode; error: UpdateError; operation: Operation };
  applied: { release: VerifiedRelease; mode: "next" | "set"; id: string };
  /** Anything else went wrong (network, storage, backend). */
  failed: { code: UpdateErrorCode; error: UpdateError; operation: Operation };
}

/**
 * The client's operations, as named in events.
 *
 * @example
 * ```ts
 * const op: Operation = "download";
 * ```
 */
export type Operation = "check" | "download" | "apply" | "notifyAppReady" | "rotateTrust";

/**
 * A release handed to the backend by {@link UpdateClient.download}.
 *
 * @example
 * ```ts
 * const { id, version } = await client.download(release);
 * ```
 */
export interface DownloadedRelease {
  release: VerifiedRelease;
  id: string;
  version: string;
  /** The verified files, for backends that install files (`accepts: "files"`); `null` for pin backends, whose native side downloads the bundle itself. */
  files: OpenedRelease["files"] | null;
}

/**
 * What {@link UpdateClient.status} reports.
 *
 * @example
 * ```ts
 * const { floor } = await client.status();
 * ```
 */
export interface ClientStatus {
  state: ClientState;
  /** True when the stored state was unreadable and was treated as lost. */
  stateCorrupt: boolean;
  current: BackendCurrent;
  /** The installed-version floor the next check uses. */
  floor: { version: string; zipSha256: string | null; source: "state" | "backend" | "bundledVersion" };
  trustVersion: number;
}

/**
 * The update client (`docs/CLIENT.md`).
 *
 * @example
 * ```ts
 * const release = await client.check("https://updates.example.com/app/manifest.json");
 * if (release) { await client.download(release); await client.apply(release, "next"); }
 * ```
 */
export interface UpdateClient {
  /** Fetches and verifies a manifest: the verified release, or `null` when nothing newer exists. */
  check(manifestUrl: string, options?: { signal?: AbortSignal }): Promise<VerifiedRelease | null>;
  /** Downloads and verifies (or pins) the bundle and stages it in the backend. */
  download(release: VerifiedRelease, options?: { onProgress?: (p: { received: number; total: number }) => void; signal?: AbortSignal }): Promise<DownloadedRelease>;
  /** Activates a downloaded release: `"next"` at the next start, `"set"` now. */
  apply(release: VerifiedRelease, mode: "next" | "set"): Promise<void>;
  /** Confirms a good start to the backend and records the running release as the floor. */
  notifyAppReady(): Promise<BackendCurrent>;
  /** Applies a chain of trust-root rotation envelopes (N → N+1 → …) and stores the result. */
  rotateTrust(rotationEnvelopes: string[]): Promise<{ version: number }>;
  /** The state, the backend's current bundle and the effective floor. */
  status(): Promise<ClientStatus>;
  on<E extends keyof UpdateEvents>(event: E, listener: (payload: UpdateEvents[E]) => void): () => void;
}

interface Checked {
  manifestUrl: string;
  envelopeJson: string;
  downloaded: DownloadedRelease | null;
  applied: boolean;
}

function trustVersion(core: CoreApi, json: string): number {
  try {
    const doc = JSON.parse(json) as { payloadType?: unknown; version?: unknown };
    if (doc !== null && typeof doc === "object" && typeof doc.payloadType === "string") {
      return core.inspect(json).trustRoot?.version ?? 0;
    }
    return typeof doc?.version === "number" ? doc.version : 0;
  } catch {
    return 0; // unreadable: the core refuses it when verifying
  }
}

function higher(a: ReleaseRef | null, b: ReleaseRef | null): ReleaseRef | null {
  if (!a) return b;
  if (!b) return a;
  const c = compareSemver(a.version, b.version);
  return c >= 0 ? a : b;
}

function unixSeconds(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new UpdateError("CLIENT_INVALID_ARGUMENT", `clock() returned ${ms}, expected milliseconds since 1970`);
  return Math.floor(ms / 1000);
}

/**
 * A `FileSink` that keeps each verified file as one `Uint8Array` in JS memory (`keep`), or
 * only checks the sizes (a pin backend's native side downloads the bundle again, so holding
 * its plaintext would be waste). The files are pending until the opener's `finish()` returns;
 * only then are they handed on.
 */
function collectFiles(manifest: VerifiedRelease["manifest"], keep: boolean): { sink: FileSink; files: OpenedFile[] } {
  const signed = new Map(manifest.files.map((f) => [f.path, f.sha256]));
  const files: OpenedFile[] = [];
  let current: { path: string; size: number; parts: Uint8Array[]; filled: number } | null = null;
  const sink: FileSink = {
    startFile(path, size) {
      current = { path, size, parts: [], filled: 0 };
    },
    write(data) {
      // The core never writes past the signed size; the check keeps a broken core from
      // overrunning silently. Each `data` is a fresh copy the sink may keep.
      if (!current || current.filled + data.length > current.size) throw new UpdateError("CLIENT_INVALID_STATE", "file sink: write past the signed size");
      if (keep) current.parts.push(data);
      current.filled += data.length;
    },
    endFile() {
      const sha256 = current ? signed.get(current.path) : undefined;
      if (!current || current.filled !== current.size || sha256 === undefined) throw new UpdateError("CLIENT_INVALID_STATE", "file sink: a file ended short or unsigned");
      if (keep) {
        // One piece (most files) is kept as it came; more are joined once.
        let data = current.parts.length === 1 ? (current.parts[0] as Uint8Array) : new Uint8Array(current.size);
        if (current.parts.length !== 1) {
          let at = 0;
          for (const part of current.parts) {
            data.set(part, at);
            at += part.length;
          }
        }
        files.push({ path: current.path, size: current.size, sha256, data });
      }
      current = null;
    },
  };
  return { sink, files };
}

/**
 * Builds an update client over an injected wasm core. Apps use `createUpdateClient` from
 * `otaseal` (Node or browser entry), which binds the right core.
 *
 * @example
 * ```ts
 * import * as core from "otaseal/wasm";
 * const client = createClientWithCore(core, { trust, app, channel, platform: "web", backend, bundledVersion: "1.0.0" });
 * ```
 */
export function createClientWithCore(core: CoreApi, options: UpdateClientOptions): UpdateClient {
  if (typeof options !== "object" || options === null) throw new UpdateError("CLIENT_INVALID_ARGUMENT", "options must be an object");
  for (const k of ["trust", "app", "channel", "platform"] as const) {
    if (typeof options[k] !== "string" || options[k] === "") {
      throw new UpdateError("CLIENT_INVALID_ARGUMENT", `options.${k} must be a non-empty string, got ${typeof options[k]}`);
    }
  }
  if (!options.backend || typeof options.backend.stage !== "function") {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", "options.backend must be an UpdateBackend (memoryBackend, webBackend, capgoBackend)");
  }
  if (options.bundledVersion !== undefined && !isSemver(options.bundledVersion)) {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", `options.bundledVersion must be SemVer, got ${JSON.stringify(options.bundledVersion)}`);
  }
  if (options.nativeVersion !== undefined && !isSemver(options.nativeVersion)) {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", `options.nativeVersion must be SemVer, got ${JSON.stringify(options.nativeVersion)}`);
  }
  const backend = options.backend;
  const storage = options.storage ?? memoryStorage();
  const key = options.storageKey ?? `otaseal:${options.app}:${options.channel}`;
  // Staged rollout (docs/CLIENT.md "Staged rollout"): a per-install bucket, drawn once, kept.
  let bucket: number | undefined = options.rolloutBucket;
  if (bucket !== undefined && !(Number.isInteger(bucket) && bucket >= 0 && bucket < 1_000_000)) {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", `options.rolloutBucket must be an integer 0..999999, got ${String(bucket)}`);
  }
  async function rolloutBucket(): Promise<void> {
    if (bucket !== undefined) return;
    const bucketKey = `${key}:rollout`;
    const stored = await storage.get(bucketKey).catch(() => null);
    if (stored !== null && /^(0|[1-9][0-9]{0,5})$/.test(stored)) {
      bucket = Number(stored);
      return;
    }
    if (typeof globalThis.crypto?.getRandomValues !== "function") return;
    // Uniform over 0..999999: reject the top of the 32-bit range that would bias it.
    const word = new Uint32Array(1);
    do globalThis.crypto.getRandomValues(word);
    while ((word[0] ?? 0) >= 4_294_000_000);
    bucket = (word[0] ?? 0) % 1_000_000;
    await storage.set(bucketKey, String(bucket)).catch(() => undefined);
  }
  const fetchFn: FetchLike =
    options.fetch ??
    ((url, init) => {
      if (typeof globalThis.fetch !== "function") throw new UpdateError("CLIENT_INVALID_ARGUMENT", "no global fetch: pass options.fetch");
      return globalThis.fetch(url, init);
    });
  const clock = options.clock ?? Date.now;
  const transport = options.transport ?? "https-only";
  const limits = options.limits ?? {};
  const keys = options.decryptionKeys ?? [];
  const pinnedVersion = trustVersion(core, options.trust);
  const checked = new WeakMap<VerifiedRelease, Checked>();
  const listeners = new Map<keyof UpdateEvents, Set<(p: never) => void>>();

  function emit<E extends keyof UpdateEvents>(event: E, payload: UpdateEvents[E]): void {
    for (const l of listeners.get(event) ?? []) {
      try {
        (l as (p: UpdateEvents[E]) => void)(payload);
      } catch {
        // A listener's failure must not change the outcome of the flow.
      }
    }
  }

  /** Reports and rethrows a failure of `operation` as an UpdateError. */
  function report(e: unknown, operation: Operation, fallback: "CLIENT_BACKEND_FAILED" | "CLIENT_NETWORK" = "CLIENT_BACKEND_FAILED"): never {
    const error = toUpdateError(e, fallback, operation);
    // Verification refusals carry the core's codes (or CLIENT_BLOCKLISTED); the rest failed.
    const verification = !error.code.startsWith("CLIENT_") || error.code === "CLIENT_BLOCKLISTED";
    emit(verification ? "rejected" : "failed", { code: error.code, error, operation });
    throw error;
  }

  let replayed: { chain: string; root: string } | null = null;

  /**
   * Re-verifies a stored rotation chain from the pinned root: the root it reaches, or null
   * when the chain does not verify to its recorded version. Rotations the pinned root already
   * covers (a newer app build pins a newer root) are skipped.
   */
  function replay(trust: NonNullable<ClientState["trust"]>): string | null {
    const id = JSON.stringify([trust.version, trust.chain]);
    if (replayed?.chain === id) return replayed.root;
    const apply = core.trustApplyRotation;
    if (!apply) return null;
    try {
      let root = options.trust;
      let version = pinnedVersion;
      for (const envelope of trust.chain) {
        if ((core.inspect(envelope).trustRoot?.version ?? 0) <= version) continue;
        root = apply(root, envelope, limits);
        version = trustVersion(core, root);
      }
      if (version !== trust.version) return null;
      replayed = { chain: id, root };
      return root;
    } catch {
      return null;
    }
  }

  /** The state, with a stored rotation chain that does not re-verify dropped as corrupt. */
  async function load(): Promise<{ state: ClientState; corrupt: boolean }> {
    await rolloutBucket();
    const loaded = await loadState(storage, key);
    if (loaded.state.trust && loaded.state.trust.version > pinnedVersion && replay(loaded.state.trust) === null) {
      loaded.state.trust = null;
      loaded.corrupt = true;
    }
    return loaded;
  }

  /** The root to verify with: the replayed rotations when they go past the pinned root. */
  function trustOf(state: ClientState): string {
    return state.trust && state.trust.version > pinnedVersion ? (replay(state.trust) ?? options.trust) : options.trust;
  }

  async function current(): Promise<BackendCurrent> {
    try {
      return await backend.current();
    } catch (e) {
      throw toUpdateError(e, "CLIENT_BACKEND_FAILED", `${backend.name} current()`);
    }
  }

  /** Loads the state and settles a pending release against the backend. */
  async function reconcile(): Promise<{ state: ClientState; corrupt: boolean; cur: BackendCurrent }> {
    const { state, corrupt } = await load();
    const cur = await current();
    const p = state.pending;
    if (p) {
      // Applied: a `next` not activated yet, a start not confirmed yet (both stay pending), a
      // start the app confirmed, possibly through the plugin directly (the floor moves up), or
      // a start that was never confirmed and rolled back (blocklisted, never retried).
      let status: Awaited<ReturnType<UpdateBackend["bundleStatus"]>>;
      try {
        status = await backend.bundleStatus(p.id);
      } catch (e) {
        throw toUpdateError(e, "CLIENT_BACKEND_FAILED", `${backend.name} list()`);
      }
      if (status === "confirmed" && cur.id === p.id) {
        state.floor = higher(state.floor, { version: p.version, zipSha256: p.zipSha256 });
        state.pending = null;
        await saveState(storage, key, state);
      } else if ((status === "error" || status === "missing") && cur.id !== p.id) {
        state.blocklist.push({ version: p.version, zipSha256: p.zipSha256, reason: `did not confirm a good start (${status})` });
        state.pending = null;
        await saveState(storage, key, state);
      }
    }
    return { state, corrupt, cur };
  }

  function floorOf(state: ClientState, cur: BackendCurrent): ClientStatus["floor"] {
    type Floor = ClientStatus["floor"];
    const candidates: Floor[] = [];
    if (state.floor) candidates.push({ version: state.floor.version, zipSha256: state.floor.zipSha256, source: "state" });
    if (cur.version !== null && isSemver(cur.version)) candidates.push({ version: cur.version, zipSha256: cur.zipSha256, source: "backend" });
    if (options.bundledVersion !== undefined) candidates.push({ version: options.bundledVersion, zipSha256: null, source: "bundledVersion" });
    let best: Floor | undefined;
    for (const c of candidates) {
      const order = best === undefined ? 1 : compareSemver(c.version, best.version);
      if (best === undefined || order > 0) best = c;
      else if (order === 0 && c.zipSha256 !== null && best.zipSha256 !== c.zipSha256) {
        // Two sources disagree about the bundle at this version: accept no equal version at all.
        best = { ...best, zipSha256: best.zipSha256 === null ? c.zipSha256 : null };
      }
    }
    if (!best) {
      throw new UpdateError(
        "CLIENT_FLOOR_UNKNOWN",
        `no installed version known: the state is empty, ${backend.name} reports ${JSON.stringify(cur.version)}, and no bundledVersion was given`,
      );
    }
    return best;
  }

  function policyOf(state: ClientState, cur: BackendCurrent, now: number): Policy {
    const floor = floorOf(state, cur);
    const policy: Policy = { app: options.app, channel: options.channel, platform: options.platform, now, installedVersion: floor.version };
    if (floor.zipSha256) policy.installedZipSha256 = floor.zipSha256;
    const native = options.nativeVersion ?? (cur.native !== null && isSemver(cur.native) ? cur.native : undefined);
    if (native !== undefined) policy.nativeVersion = native;
    if (state.lastTrustedTime !== null) policy.lastTrustedTime = state.lastTrustedTime;
    if (options.maxClockSkewSecs !== undefined) policy.maxClockSkewSecs = options.maxClockSkewSecs;
    if (bucket !== undefined) policy.rolloutBucket = bucket;
    return policy;
  }

  function lookup(release: VerifiedRelease): Checked {
    const entry = typeof release === "object" && release !== null ? checked.get(release) : undefined;
    if (!entry) {
      throw new UpdateError("CLIENT_UNVERIFIED_RELEASE", "this release object was not returned by this client's check(): only verified releases are handed on");
    }
    return entry;
  }

  const client: UpdateClient = {
    async check(manifestUrl, opts) {
      try {
        const url = checkUrl(manifestUrl, undefined, transport);
        const envelopeJson = await fetchText(url, {
          fetch: fetchFn,
          timeoutMs: options.manifestTimeoutMs ?? DEFAULT_MANIFEST_TIMEOUT_MS,
          maxBytes: limits.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_BYTES,
          signal: opts?.signal,
          transport,
        });
        const { state, cur } = await reconcile();
        const now = unixSeconds(clock());
        let release: VerifiedRelease;
        try {
          release = core.verifyRelease(envelopeJson, trustOf(state), policyOf(state, cur, now), limits);
        } catch (e) {
          if (isCoreError(e) && e.code === "DOWNGRADE") {
            emit("checked", { manifestUrl: url.href, release: null, reason: "up-to-date", code: "DOWNGRADE" });
            return null;
          }
          throw e;
        }
        const m = release.manifest;
        const floor = floorOf(state, cur);
        if (compareSemver(m.version, floor.version) === 0 || (cur.id !== "builtin" && cur.zipSha256 === m.bundle.zipSha256)) {
          // Verification accepted an equal version only because it is the identical bundle.
          emit("checked", { manifestUrl: url.href, release: null, reason: "installed" });
          return null;
        }
        if (state.pending && state.pending.zipSha256 === m.bundle.zipSha256) {
          emit("checked", { manifestUrl: url.href, release: null, reason: "pending" });
          return null;
        }
        if (state.blocklist.some((b) => b.zipSha256 === m.bundle.zipSha256 || b.version === m.version)) {
          throw new UpdateError("CLIENT_BLOCKLISTED", `${m.version} was applied before and did not confirm a good start; it is not retried`);
        }
        const issued = Math.floor(Date.parse(m.issuedAt) / 1000);
        const trusted = Math.min(now, Number.isFinite(issued) ? issued : now);
        if (state.lastTrustedTime === null || trusted > state.lastTrustedTime) {
          state.lastTrustedTime = trusted;
          await saveState(storage, key, state);
        }
        checked.set(release, { manifestUrl: url.href, envelopeJson, downloaded: null, applied: false });
        emit("verified", { release, stage: "manifest" });
        emit("checked", { manifestUrl: url.href, release });
        return release;
      } catch (e) {
        return report(e, "check", "CLIENT_NETWORK");
      }
    },

    async download(release, opts) {
      try {
        const entry = lookup(release);
        if (entry.downloaded) throw new UpdateError("CLIENT_INVALID_STATE", `release ${release.manifest.version} already downloaded (id ${entry.downloaded.id})`);
        await backend.assertSupported(release);
        const m = release.manifest;
        const fallback = new URL(m.encryption ? "bundle.bin" : "bundle.zip", entry.manifestUrl).href;
        const chosen = options.bundleUrl?.(release, entry.manifestUrl) ?? m.bundle.url ?? fallback;
        const bundleUrl = checkUrl(chosen, entry.manifestUrl, transport);
        const total = m.bundle.length;
        let opened: OpenedRelease | null = null;
        if (backend.accepts === "files" || backend.verifyInJs) {
          const { state, cur } = await reconcile();
          const policy = policyOf(state, cur, unixSeconds(clock()));
          const sunk = core.SinkOpener ? collectFiles(m, backend.accepts === "files") : null;
          const opener = sunk && core.SinkOpener
            ? new core.SinkOpener(entry.envelopeJson, trustOf(state), policy, keys, sunk.sink, limits)
            : new core.Opener(entry.envelopeJson, trustOf(state), policy, keys, limits);
          try {
            const accelerated =
              m.encryption && options.webCrypto !== false && typeof (opener as Partial<ExternallyDecryptingOpener<unknown>>).pushDelivered === "function"
                ? await WebCryptoOpener.create(opener as unknown as ExternallyDecryptingOpener<unknown>, keys)
                : null;
            await fetchStream(
              bundleUrl,
              { fetch: fetchFn, timeoutMs: options.bundleTimeoutMs ?? DEFAULT_BUNDLE_TIMEOUT_MS, maxBytes: total, signal: opts?.signal, transport },
              async (chunk) => {
                if (accelerated) await accelerated.push(chunk);
                else opener.push(chunk);
                const p = opener.progress();
                emit("downloadProgress", p);
                opts?.onProgress?.(p);
              },
              (n) => {
                throw new UpdateError("BUNDLE_TOO_LONG", `${bundleUrl.href}: ${n} bytes, more than the signed ${total}; cut off`);
              },
            );
            const result = accelerated ? await accelerated.finish() : opener.finish();
            opened = sunk ? { release: result as VerifiedRelease, files: sunk.files } : (result as OpenedRelease);
          } finally {
            opener.free();
          }
          // `finish()` passed: every signed file arrived with its signed size and SHA-256.
          emit("verified", { release, stage: "bundle", files: m.files.map(({ path, size, sha256 }) => ({ path, size, sha256 })) });
        }
        let staged;
        try {
          staged = await backend.stage({
            release,
            bundleUrl: bundleUrl.href,
            manifestUrl: entry.manifestUrl,
            ...(opened && backend.accepts === "files" ? { files: opened.files } : {}),
            ...(opts?.signal ? { signal: opts.signal } : {}),
            onProgress: (received, t) => {
              if (!opened) {
                emit("downloadProgress", { received, total: t });
                opts?.onProgress?.({ received, total: t });
              }
            },
          });
        } catch (e) {
          throw toUpdateError(e, "CLIENT_BACKEND_FAILED", `${backend.name} download`);
        }
        const downloaded: DownloadedRelease = { release, id: staged.id, version: staged.version, files: backend.accepts === "files" ? (opened?.files ?? null) : null };
        entry.downloaded = downloaded;
        return downloaded;
      } catch (e) {
        return report(e, "download", "CLIENT_NETWORK");
      }
    },

    async apply(release, mode) {
      try {
        const entry = lookup(release);
        if (mode !== "next" && mode !== "set") throw new UpdateError("CLIENT_INVALID_ARGUMENT", `mode must be "next" or "set", got ${JSON.stringify(mode)}`);
        if (!entry.downloaded) throw new UpdateError("CLIENT_INVALID_STATE", "download(release) must succeed before apply(release)");
        if (entry.applied) throw new UpdateError("CLIENT_INVALID_STATE", "release already applied");
        const { state } = await load();
        const m = release.manifest;
        // Recorded before the backend switches: `set` may end this JS context.
        state.pending = { version: m.version, zipSha256: m.bundle.zipSha256, id: entry.downloaded.id, mode };
        await saveState(storage, key, state);
        entry.applied = true;
        emit("applied", { release, mode, id: entry.downloaded.id });
        try {
          await (mode === "next" ? backend.next(entry.downloaded.id) : backend.set(entry.downloaded.id));
        } catch (e) {
          entry.applied = false;
          state.pending = null;
          await saveState(storage, key, state);
          throw toUpdateError(e, "CLIENT_BACKEND_FAILED", `${backend.name} ${mode}`);
        }
      } catch (e) {
        return report(e, "apply");
      }
    },

    async notifyAppReady() {
      try {
        let cur: BackendCurrent;
        try {
          cur = await backend.notifyAppReady();
        } catch (e) {
          throw toUpdateError(e, "CLIENT_BACKEND_FAILED", `${backend.name} notifyAppReady`);
        }
        const { state } = await load();
        const p = state.pending;
        let floor = state.floor;
        if (p && cur.id === p.id) {
          floor = higher(floor, { version: p.version, zipSha256: p.zipSha256 });
          state.pending = null;
        } else if (cur.version !== null && isSemver(cur.version) && cur.zipSha256 && /^[0-9a-f]{64}$/.test(cur.zipSha256)) {
          floor = higher(floor, { version: cur.version, zipSha256: cur.zipSha256 });
        }
        state.floor = floor;
        await saveState(storage, key, state);
        return cur;
      } catch (e) {
        return report(e, "notifyAppReady");
      }
    },

    async rotateTrust(rotationEnvelopes) {
      try {
        if (!core.trustApplyRotation) {
          throw new UpdateError("CLIENT_ROTATION_UNAVAILABLE", "this otaseal core cannot verify trust-root rotations (trustApplyRotation is missing)");
        }
        if (!Array.isArray(rotationEnvelopes) || rotationEnvelopes.some((r) => typeof r !== "string")) {
          throw new UpdateError("CLIENT_INVALID_ARGUMENT", "rotationEnvelopes must be an array of JSON strings");
        }
        const { state } = await load();
        let trust = trustOf(state);
        for (const env of rotationEnvelopes) trust = core.trustApplyRotation(trust, env, limits);
        const version = trustVersion(core, trust);
        if (version > Math.max(pinnedVersion, state.trust?.version ?? 0)) {
          const base = state.trust && state.trust.version > pinnedVersion ? state.trust.chain : [];
          state.trust = { version, chain: [...base, ...rotationEnvelopes] };
          await saveState(storage, key, state);
        }
        return { version: Math.max(version, pinnedVersion, state.trust?.version ?? 0) };
      } catch (e) {
        return report(e, "rotateTrust");
      }
    },

    async status() {
      const { state, corrupt, cur } = await reconcile();
      return { state, stateCorrupt: corrupt, current: cur, floor: floorOf(state, cur), trustVersion: Math.max(pinnedVersion, state.trust?.version ?? 0) };
    },

    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (p: never) => void);
      return () => void set.delete(listener as (p: never) => void);
    },
  };
  return client;
}


/**
 * Picks the functions the client needs out of a wasm build's module namespace (`pkg/node`,
 * `pkg/web`, `otaseal/wasm`), including `SinkOpener` and `trustApplyRotation` when the build has them.
 *
 * @example
 * ```ts
 * import * as wasm from "otaseal/wasm";
 * const core = coreFrom(wasm);
 * ```
 */
export function coreFrom(ns: Pick<CoreApi, "verifyRelease" | "Opener" | "inspect">): CoreApi {
  const rotation = (ns as { trustApplyRotation?: unknown }).trustApplyRotation;
  const sinkOpener = (ns as { SinkOpener?: unknown }).SinkOpener;
  const core: CoreApi = { verifyRelease: ns.verifyRelease, Opener: ns.Opener, inspect: ns.inspect };
  if (typeof rotation === "function") core.trustApplyRotation = rotation as NonNullable<CoreApi["trustApplyRotation"]>;
  if (typeof sinkOpener === "function") core.SinkOpener = sinkOpener as NonNullable<CoreApi["SinkOpener"]>;
  return core;
}
