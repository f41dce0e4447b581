/**
 * The update client: fetch the manifest, verify it, download (or pin) the bundle, hand it to
 * the updater, confirm a good start, and remember what was installed. `docs/CLIENT.md`
 * describes the flow, the state and every error code.
 * @module
 */
import type { FileSink, Limits, OpenedFile, OpenedRelease, Policy, VerifiedRelease } from "../../pkg/node/otaseal.js";
import { UpdateError, isCoreError, toUpdateError, type UpdateErrorCode } from "./errors.js";
import { checkUrl, fetchStream, fetchText, type TransportSecurity } from "./fetch.js";
import { compareSemver, isSemver } from "./semver.js";
import { WebCryptoOpener, type ExternallyDecryptingOpener } from "../accel/webcrypto.js";
import { loadState, memoryStorage, saveState, type ClientState, type ReleaseRef, type SignedRef } from "./storage.js";
import type { BackendCurrent, CoreApi, FetchLike, KeyValueStorage, UpdateBackend } from "./types.js";
import { markVerifiedContent, markVerifiedRelease, own, ownCopy, trustVersion, verifyInstalled } from "./verified.js";

/** Default cap on a manifest (`docs/FORMAT.md` §8 `max_envelope_bytes`). */
const DEFAULT_MAX_ENVELOPE_BYTES = 1 << 20;
/** Default time allowed for fetching a manifest. */
const DEFAULT_MANIFEST_TIMEOUT_MS = 15_000;
/** Default time allowed for fetching a whole bundle. */
const DEFAULT_BUNDLE_TIMEOUT_MS = 5 * 60_000;
/** Default `maxClockSkewSecs` of the core's policy. */
const DEFAULT_MAX_CLOCK_SKEW_SECS = 300;
/** Most trust-root rotations fetched from `rotationUrl` in one check (the rest come next time). */
const MAX_ROTATIONS_PER_CHECK = 16;
/** Re-verified envelopes kept in memory (each is re-verified once per root chain). */
const MAX_PROVEN = 32;

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
   * Where trust-root rotation envelopes are published: a URL template with `{version}`, e.g.
   * `"https://updates.example.com/app/trust/{version}.json"`. Before every check the client
   * fetches rotation N+1 for its current root N, then N+2, … until the host answers 404 or
   * 410 (as TUF clients find new roots), so a device whose state was lost re-learns every
   * rotation and revoked keys stay revoked. Any other failure fails the check.
   */
  rotationUrl?: string;
  /**
   * Unix seconds that no clock reading may be below (`CLOCK_ROLLBACK`), e.g. the time this
   * app build was made. A bound for the clock when the state is lost and the running bundle
   * is the builtin one.
   */
  minTrustedTime?: number;
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
  /** The stored state (or the backend's record) failed its checks; what was dropped and why. */
  stateCorrupt: { problems: string[] };
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
  /** True when the stored state (or the backend's record of the running bundle) failed its checks: the parts that did were dropped. */
  stateCorrupt: boolean;
  /** Why, one line per dropped part. */
  stateProblems: string[];
  current: BackendCurrent;
  /** The installed-version floor the next check uses. */
  floor: { version: string; zipSha256: string | null; source: "state" | "pending" | "backend" | "bundledVersion" };
  /** The clock floor the next check uses (Unix seconds), or null when nothing bounds it. */
  lastTrustedTime: number | null;
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

function higher<T extends ReleaseRef>(a: T | null, b: T | null): T | null {
  if (!a) return b;
  if (!b) return a;
  const c = compareSemver(a.version, b.version);
  return c >= 0 ? a : b;
}

/** A signed RFC 3339 time in Unix seconds, or null. */
function signedSeconds(time: string): number | null {
  const t = Math.floor(Date.parse(time) / 1000);
  return Number.isSafeInteger(t) ? t : null;
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
  // Own properties only: a polluted Object.prototype must not supply an option.
  const o = ownCopy(options);
  for (const k of ["trust", "app", "channel", "platform"] as const) {
    if (typeof o[k] !== "string" || o[k] === "") {
      throw new UpdateError("CLIENT_INVALID_ARGUMENT", `options.${k} must be a non-empty string, got ${typeof o[k]}`);
    }
  }
  if (!o.backend || typeof o.backend.stage !== "function") {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", "options.backend must be an UpdateBackend (memoryBackend, webBackend, capgoBackend)");
  }
  if (o.bundledVersion !== undefined && !isSemver(o.bundledVersion)) {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", `options.bundledVersion must be SemVer, got ${JSON.stringify(o.bundledVersion)}`);
  }
  if (o.nativeVersion !== undefined && !isSemver(o.nativeVersion)) {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", `options.nativeVersion must be SemVer, got ${JSON.stringify(o.nativeVersion)}`);
  }
  if (o.minTrustedTime !== undefined && !(Number.isSafeInteger(o.minTrustedTime) && o.minTrustedTime >= 0)) {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", `options.minTrustedTime must be Unix seconds, got ${JSON.stringify(o.minTrustedTime)}`);
  }
  const transport = o.transport ?? "https-only";
  if (o.rotationUrl !== undefined) {
    if (typeof o.rotationUrl !== "string" || !o.rotationUrl.includes("{version}")) {
      throw new UpdateError("CLIENT_INVALID_ARGUMENT", `options.rotationUrl must be a URL template containing {version}, got ${JSON.stringify(o.rotationUrl)}`);
    }
    checkUrl(o.rotationUrl.replaceAll("{version}", "2"), undefined, transport);
  }
  const backend = o.backend;
  const storage = o.storage ?? memoryStorage();
  const key = o.storageKey ?? `otaseal:${o.app}:${o.channel}`;
  // Staged rollout (docs/CLIENT.md "Staged rollout"): a per-install bucket, drawn once, kept.
  let bucket: number | undefined = o.rolloutBucket;
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
    o.fetch ??
    ((url, init) => {
      if (typeof globalThis.fetch !== "function") throw new UpdateError("CLIENT_INVALID_ARGUMENT", "no global fetch: pass options.fetch");
      return globalThis.fetch(url, init);
    });
  const clock = o.clock ?? Date.now;
  const limits = ownCopy(o.limits);
  const keys = o.decryptionKeys ?? [];
  const skew = o.maxClockSkewSecs ?? DEFAULT_MAX_CLOCK_SKEW_SECS;
  const target = { app: o.app, channel: o.channel, platform: o.platform };
  const pinnedVersion = trustVersion(core, o.trust);
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

  let replayed: { chain: string; roots: string[] } | null = null;

  /**
   * Re-verifies a stored rotation chain from the pinned root: every root along the way (the
   * pinned one first, the one it reaches last), or null when the chain does not verify to its
   * recorded version. Rotations the pinned root already covers (a newer app build pins a
   * newer root) are skipped.
   */
  function replay(trust: NonNullable<ClientState["trust"]>): string[] | null {
    const id = JSON.stringify([trust.version, trust.chain]);
    if (replayed?.chain === id) return replayed.roots;
    const apply = core.trustApplyRotation;
    if (!apply) return null;
    try {
      const roots = [o.trust];
      let version = pinnedVersion;
      for (const envelope of trust.chain) {
        if ((own(own(core.inspect(envelope), "trustRoot"), "version") ?? 0) <= version) continue;
        roots.push(apply(roots[roots.length - 1] as string, envelope, limits));
        version = trustVersion(core, roots[roots.length - 1] as string);
      }
      if (version !== trust.version) return null;
      replayed = { chain: id, roots };
      return roots;
    } catch {
      return null;
    }
  }

  /** The roots releases may have been installed under: the pinned one, then each rotation's. */
  function rootsOf(state: ClientState): string[] {
    return state.trust && state.trust.version > pinnedVersion ? (replay(state.trust) ?? [o.trust]) : [o.trust];
  }

  /** The root to verify new releases with: the last of {@link rootsOf}. */
  function trustOf(state: ClientState): string {
    const roots = rootsOf(state);
    return roots[roots.length - 1] as string;
  }

  const proven = new Map<string, VerifiedRelease | null>();
  /**
   * Re-verifies the signed envelope of an installed (or pending) release against the roots
   * it may have been installed under (newest first: an envelope signed before a rotation
   * stays proof of what was installed then). Null when none verifies it.
   */
  function prove(envelope: string, roots: string[]): VerifiedRelease | null {
    const id = `${roots.length}:${roots[roots.length - 1]}\u0000${envelope}`;
    if (proven.has(id)) return proven.get(id) ?? null;
    let result: VerifiedRelease | null = null;
    for (const root of [...roots].reverse()) {
      try {
        result = verifyInstalled(core, envelope, root, target, limits);
        break;
      } catch {
        // try the older root
      }
    }
    if (proven.size >= MAX_PROVEN) proven.clear();
    proven.set(id, result);
    return result;
  }

  let reported = "";
  /** Emits `stateCorrupt` once per distinct set of problems. */
  function reportProblems(problems: string[]): void {
    const id = problems.join("\n");
    if (problems.length > 0 && id !== reported) emit("stateCorrupt", { problems });
    reported = id;
  }

  interface Loaded {
    state: ClientState;
    corrupt: boolean;
    problems: string[];
    /** Signed issuedAt (Unix seconds) of every proven envelope: bounds for the clock. */
    issued: number[];
  }

  /**
   * The state, with every part that fails its proof dropped and reported: a rotation chain
   * that does not re-verify, a floor or pending release whose envelope does not verify (or
   * names another release), a last trusted time above its envelope's signed issuedAt.
   */
  async function load(): Promise<Loaded> {
    await rolloutBucket();
    const loaded = await loadState(storage, key);
    const state = loaded.state;
    const problems: string[] = loaded.corrupt ? ["the stored state was unreadable or partly malformed (format 1 floors are not proven); those parts were dropped"] : [];
    const issued: number[] = [];
    if (state.trust && state.trust.version > pinnedVersion && replay(state.trust) === null) {
      state.trust = null;
      problems.push("the stored trust-root rotation chain does not verify from the pinned root");
    }
    const roots = rootsOf(state);
    const proof = (ref: SignedRef): boolean => {
      const r = prove(ref.envelope, roots);
      if (!r || r.manifest.version !== ref.version || r.manifest.bundle.zipSha256 !== ref.zipSha256) return false;
      const t = signedSeconds(r.manifest.issuedAt);
      if (t !== null) issued.push(t);
      return true;
    };
    if (state.floor && !proof(state.floor)) {
      problems.push(`the stored floor ${state.floor.version} is not proven by a signed envelope`);
      state.floor = null;
    }
    if (state.pending && !proof(state.pending)) {
      problems.push(`the stored pending release ${state.pending.version} is not proven by a signed envelope`);
      state.pending = null;
    }
    if (state.lastTrustedTime !== null) {
      const r = state.lastTrustedEnvelope ? prove(state.lastTrustedEnvelope, roots) : null;
      const t = r ? signedSeconds(r.manifest.issuedAt) : null;
      if (t === null || state.lastTrustedTime > t) {
        problems.push(`the stored last trusted time ${state.lastTrustedTime} is not bounded by a signed issuedAt`);
        state.lastTrustedTime = null;
        state.lastTrustedEnvelope = null;
      }
    }
    return { state, corrupt: problems.length > 0, problems, issued };
  }

  async function current(): Promise<BackendCurrent> {
    try {
      return await backend.current();
    } catch (e) {
      throw toUpdateError(e, "CLIENT_BACKEND_FAILED", `${backend.name} current()`);
    }
  }

  /**
   * The backend's running bundle, believed only as far as it is proven: with a stored
   * envelope, the version and zip hash are the signed ones; a backend that keeps envelopes but
   * has none (or a bad one) for a non-builtin bundle reports no version.
   */
  async function provenCurrent(roots: string[], problems: string[], issued: number[]): Promise<BackendCurrent> {
    const cur = await current();
    const envelope = own(cur, "envelope");
    if (typeof envelope === "string") {
      const r = prove(envelope, roots);
      let intact = r !== null;
      if (r && backend.storedFilesMatch) {
        try {
          intact = await backend.storedFilesMatch(cur.id, r.manifest.files);
        } catch (e) {
          throw toUpdateError(e, "CLIENT_BACKEND_FAILED", `${backend.name} stored files`);
        }
      }
      if (r && intact) {
        const t = signedSeconds(r.manifest.issuedAt);
        if (t !== null) issued.push(t);
        return { ...cur, version: r.manifest.version, zipSha256: r.manifest.bundle.zipSha256 };
      }
      problems.push(
        r
          ? `${backend.name} runs bundle ${cur.id} whose stored files are not the signed ones: its version ${cur.version} is not believed`
          : `${backend.name} runs bundle ${cur.id} with an envelope that does not verify: its version ${cur.version} is not believed`,
      );
      return { ...cur, version: null, zipSha256: null };
    }
    if (envelope === null && cur.id !== "builtin") {
      problems.push(`${backend.name} runs bundle ${cur.id} without a signed envelope: its version ${cur.version} is not believed`);
      return { ...cur, version: null, zipSha256: null };
    }
    return cur;
  }

  /** Loads the state and settles a pending release against the backend. */
  async function reconcile(): Promise<Loaded & { cur: BackendCurrent }> {
    const loaded = await load();
    const { state } = loaded;
    const cur = await provenCurrent(rootsOf(state), loaded.problems, loaded.issued);
    if (state.floor && !state.pending && cur.version !== null && isSemver(cur.version) && compareSemver(state.floor.version, cur.version) > 0) {
      // Proven, so kept (an older release must not come back), but not normal: only a reset
      // of the updater or an edit of the storage (with a genuine newer envelope) leads here.
      loaded.problems.push(
        `the stored floor ${state.floor.version} is above the running ${cur.version} with nothing pending (an updater reset, or edited storage); kept: releases up to ${state.floor.version} are refused`,
      );
    }
    loaded.corrupt = loaded.problems.length > 0;
    reportProblems(loaded.problems);
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
        state.floor = higher(state.floor, { version: p.version, zipSha256: p.zipSha256, envelope: p.envelope });
        state.pending = null;
        await saveState(storage, key, state);
      } else if ((status === "error" || status === "missing") && cur.id !== p.id) {
        state.blocklist.push({ version: p.version, zipSha256: p.zipSha256, reason: `did not confirm a good start (${status})` });
        state.pending = null;
        await saveState(storage, key, state);
      }
    }
    return { ...loaded, cur };
  }

  function floorOf(state: ClientState, cur: BackendCurrent): ClientStatus["floor"] {
    type Floor = ClientStatus["floor"];
    const candidates: Floor[] = [];
    if (state.floor) candidates.push({ version: state.floor.version, zipSha256: state.floor.zipSha256, source: "state" });
    // A release handed to next/set counts: nothing older may replace it before it starts.
    if (state.pending) candidates.push({ version: state.pending.version, zipSha256: state.pending.zipSha256, source: "pending" });
    if (cur.version !== null && isSemver(cur.version)) candidates.push({ version: cur.version, zipSha256: cur.zipSha256, source: "backend" });
    if (o.bundledVersion !== undefined) candidates.push({ version: o.bundledVersion, zipSha256: null, source: "bundledVersion" });
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

  /**
   * The clock floor: the stored last trusted time (proven), each proven envelope's signed
   * issuedAt less the allowed skew (it was accepted at a clock no earlier than that), and
   * `minTrustedTime`.
   */
  function trustedTimeOf(loaded: Loaded): number | null {
    const bounds = loaded.issued.map((t) => t - skew);
    if (loaded.state.lastTrustedTime !== null) bounds.push(loaded.state.lastTrustedTime);
    if (o.minTrustedTime !== undefined) bounds.push(o.minTrustedTime);
    return bounds.length > 0 ? Math.max(...bounds) : null;
  }

  function policyOf(loaded: Loaded, cur: BackendCurrent, now: number): Policy {
    const floor = floorOf(loaded.state, cur);
    // A null-prototype object: the core reads it with Reflect.get.
    const policy = ownCopy<Policy>({ app: o.app, channel: o.channel, platform: o.platform, now, installedVersion: floor.version });
    if (floor.zipSha256) policy.installedZipSha256 = floor.zipSha256;
    const native = o.nativeVersion ?? (cur.native !== null && isSemver(cur.native) ? cur.native : undefined);
    if (native !== undefined) policy.nativeVersion = native;
    const trusted = trustedTimeOf(loaded);
    if (trusted !== null) policy.lastTrustedTime = trusted;
    if (o.maxClockSkewSecs !== undefined) policy.maxClockSkewSecs = o.maxClockSkewSecs;
    if (bucket !== undefined) policy.rolloutBucket = bucket;
    return policy;
  }

  /**
   * Fetches trust-root rotations N+1, N+2, … from `rotationUrl` until the host answers 404 or
   * 410, verifies each with the core (`docs/FORMAT.md` §4.5) and stores the chain.
   */
  async function fetchRotations(state: ClientState, signal: AbortSignal | undefined): Promise<void> {
    const template = o.rotationUrl;
    if (template === undefined) return;
    const apply = core.trustApplyRotation;
    if (!apply) throw new UpdateError("CLIENT_ROTATION_UNAVAILABLE", "this otaseal core cannot verify trust-root rotations (trustApplyRotation is missing)");
    let root = trustOf(state);
    let version = trustVersion(core, root);
    const added: string[] = [];
    for (let i = 0; i < MAX_ROTATIONS_PER_CHECK; i++) {
      const url = checkUrl(template.replaceAll("{version}", String(version + 1)), undefined, transport);
      let text: string;
      try {
        text = await fetchText(url, {
          fetch: fetchFn,
          timeoutMs: o.manifestTimeoutMs ?? DEFAULT_MANIFEST_TIMEOUT_MS,
          maxBytes: limits.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_BYTES,
          signal,
          transport,
        });
      } catch (e) {
        const status = (e as { status?: unknown }).status;
        if (e instanceof UpdateError && e.code === "CLIENT_HTTP_STATUS" && (status === 404 || status === 410)) break;
        throw e;
      }
      root = apply(root, text, limits);
      version = trustVersion(core, root);
      added.push(text);
    }
    if (added.length > 0) {
      const base = state.trust && state.trust.version > pinnedVersion ? state.trust.chain : [];
      state.trust = { version, chain: [...base, ...added] };
      await saveState(storage, key, state);
    }
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
          timeoutMs: o.manifestTimeoutMs ?? DEFAULT_MANIFEST_TIMEOUT_MS,
          maxBytes: limits.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_BYTES,
          signal: opts?.signal,
          transport,
        });
        const loaded = await reconcile();
        const { state, cur } = loaded;
        await fetchRotations(state, opts?.signal);
        const now = unixSeconds(clock());
        let release: VerifiedRelease;
        try {
          // Frozen and recorded: a listener cannot change what download, the backend or the floor see.
          release = markVerifiedRelease(core.verifyRelease(envelopeJson, trustOf(state), policyOf(loaded, cur, now), limits));
        } catch (e) {
          if (isCoreError(e) && e.code === "DOWNGRADE") {
            emit("checked", { manifestUrl: url.href, release: null, reason: "up-to-date", code: "DOWNGRADE" });
            return null;
          }
          throw e;
        }
        const m = release.manifest;
        if (state.pending && state.pending.zipSha256 === m.bundle.zipSha256) {
          emit("checked", { manifestUrl: url.href, release: null, reason: "pending" });
          return null;
        }
        const floor = floorOf(state, cur);
        if (compareSemver(m.version, floor.version) === 0 || (cur.id !== "builtin" && cur.zipSha256 === m.bundle.zipSha256)) {
          // Verification accepted an equal version only because it is the identical bundle.
          emit("checked", { manifestUrl: url.href, release: null, reason: "installed" });
          return null;
        }
        if (state.blocklist.some((b) => b.zipSha256 === m.bundle.zipSha256 || b.version === m.version)) {
          throw new UpdateError("CLIENT_BLOCKLISTED", `${m.version} was applied before and did not confirm a good start; it is not retried`);
        }
        const issued = signedSeconds(m.issuedAt) ?? now;
        const trusted = Math.min(now, issued);
        if (state.lastTrustedTime === null || trusted > state.lastTrustedTime) {
          state.lastTrustedTime = trusted;
          state.lastTrustedEnvelope = envelopeJson;
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
        const encrypted = own(m, "encryption") !== undefined && own(m, "encryption") !== null;
        const fallback = new URL(encrypted ? "bundle.bin" : "bundle.zip", entry.manifestUrl).href;
        const chosen = o.bundleUrl?.(release, entry.manifestUrl) ?? own(m.bundle, "url") ?? fallback;
        const bundleUrl = checkUrl(chosen, entry.manifestUrl, transport);
        const total = m.bundle.length;
        let files: OpenedFile[] | null = null;
        if (backend.accepts === "files" || backend.verifyInJs) {
          const loaded = await reconcile();
          const policy = policyOf(loaded, loaded.cur, unixSeconds(clock()));
          const trust = trustOf(loaded.state);
          const sunk = core.SinkOpener ? collectFiles(m, backend.accepts === "files") : null;
          const opener = sunk && core.SinkOpener
            ? new core.SinkOpener(entry.envelopeJson, trust, policy, keys, sunk.sink, limits)
            : new core.Opener(entry.envelopeJson, trust, policy, keys, limits);
          try {
            const accelerated =
              encrypted && o.webCrypto !== false && typeof (opener as Partial<ExternallyDecryptingOpener<unknown>>).pushDelivered === "function"
                ? await WebCryptoOpener.create(opener as unknown as ExternallyDecryptingOpener<unknown>, keys)
                : null;
            await fetchStream(
              bundleUrl,
              { fetch: fetchFn, timeoutMs: o.bundleTimeoutMs ?? DEFAULT_BUNDLE_TIMEOUT_MS, maxBytes: total, signal: opts?.signal, transport },
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
            const opened = sunk ? sunk.files : (result as OpenedRelease).files;
            // Only this list, recorded as the verified content of this release, is accepted by backends.
            files = markVerifiedContent(release, entry.envelopeJson, opened);
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
            envelope: entry.envelopeJson,
            bundleUrl: bundleUrl.href,
            manifestUrl: entry.manifestUrl,
            ...(files && backend.accepts === "files" ? { files } : {}),
            ...(opts?.signal ? { signal: opts.signal } : {}),
            onProgress: (received, t) => {
              if (!files) {
                emit("downloadProgress", { received, total: t });
                opts?.onProgress?.({ received, total: t });
              }
            },
          });
        } catch (e) {
          throw toUpdateError(e, "CLIENT_BACKEND_FAILED", `${backend.name} download`);
        }
        const downloaded: DownloadedRelease = { release, id: staged.id, version: staged.version, files: backend.accepts === "files" ? files : null };
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
        state.pending = { version: m.version, zipSha256: m.bundle.zipSha256, envelope: entry.envelopeJson, id: entry.downloaded.id, mode };
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
        let reported: BackendCurrent;
        try {
          reported = await backend.notifyAppReady();
        } catch (e) {
          throw toUpdateError(e, "CLIENT_BACKEND_FAILED", `${backend.name} notifyAppReady`);
        }
        const loaded = await load();
        const { state } = loaded;
        const p = state.pending;
        let floor = state.floor;
        if (p && reported.id === p.id) {
          floor = higher(floor, { version: p.version, zipSha256: p.zipSha256, envelope: p.envelope });
          state.pending = null;
        } else {
          // Confirmed without a pending record (the app used the updater directly): the floor
          // moves only to what the backend's stored envelope proves.
          const envelope = own(reported, "envelope");
          const r = typeof envelope === "string" ? prove(envelope, rootsOf(state)) : null;
          if (r && typeof envelope === "string") floor = higher(floor, { version: r.manifest.version, zipSha256: r.manifest.bundle.zipSha256, envelope });
        }
        state.floor = floor;
        await saveState(storage, key, state);
        return reported;
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
      const loaded = await reconcile();
      const { state, corrupt, problems, cur } = loaded;
      return {
        state,
        stateCorrupt: corrupt,
        stateProblems: problems,
        current: cur,
        floor: floorOf(state, cur),
        lastTrustedTime: trustedTimeOf(loaded),
        trustVersion: Math.max(pinnedVersion, state.trust?.version ?? 0),
      };
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
