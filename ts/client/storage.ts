/**
 * The client's persistent state and the storages that hold it. The state is one JSON
 * document; a missing or unreadable document is treated as lost, which never widens what the
 * client accepts: the installed-version floor then comes from the backend's `current()` (or
 * `bundledVersion`), and the pinned trust root applies.
 * @module
 */
import { UpdateError } from "./errors.js";
import { isSemver } from "./semver.js";
import type { KeyValueStorage, StorageLike } from "./types.js";

/**
 * A release recorded by its version and plaintext-zip SHA-256.
 *
 * @example
 * ```ts
 * const entry: ReleaseRef = { version: "2.0.0", zipSha256: release.manifest.bundle.zipSha256 };
 * ```
 */
export interface ReleaseRef {
  version: string;
  zipSha256: string;
}

/**
 * A release recorded with the signed envelope that proves it: every load re-verifies the
 * envelope against the trust root, so an edited entry is detected, never believed.
 *
 * @example
 * ```ts
 * const floor: SignedRef = { version: "2.0.0", zipSha256, envelope: envelopeJson };
 * ```
 */
export interface SignedRef extends ReleaseRef {
  /** The release's DSSE envelope as fetched (JSON). */
  envelope: string;
}

/**
 * The persistent state (`docs/CLIENT.md` §3), format `v: 2`.
 *
 * @example
 * ```ts
 * const state: ClientState = emptyState();
 * ```
 */
export interface ClientState {
  /** The newest version confirmed running (notifyAppReady), with its signed envelope. */
  floor: SignedRef | null;
  /** Unix seconds: `min(now, signed issuedAt)` of the newest verified release. */
  lastTrustedTime: number | null;
  /** The envelope of that release: `lastTrustedTime` above its signed `issuedAt` is an edit. */
  lastTrustedEnvelope: string | null;
  /**
   * The rotations applied since the pinned root (envelopes N→N+1, in order) and the version
   * they reach. Stored as evidence, not as a root: every load re-verifies the chain from the
   * pinned root, so editing storage cannot plant a root.
   */
  trust: { version: number; chain: string[] } | null;
  /** Releases that were applied and never confirmed a good start: never retried. */
  blocklist: (ReleaseRef & { reason: string })[];
  /** A release handed to the backend (`next`/`set`) and not yet confirmed; counts for the floor. */
  pending: (SignedRef & { id: string; mode: "next" | "set" }) | null;
}

/** Most blocklist entries kept; the oldest are dropped first (they are below the floor by then). */
const MAX_BLOCKLIST = 64;

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * A state with nothing known.
 *
 * @example
 * ```ts
 * emptyState().floor; // null
 * ```
 */
export function emptyState(): ClientState {
  return { floor: null, lastTrustedTime: null, lastTrustedEnvelope: null, trust: null, blocklist: [], pending: null };
}

/** `o[key]` if own, else undefined: a polluted `Object.prototype` adds nothing to a stored document. */
function get(o: unknown, key: string): unknown {
  return typeof o === "object" && o !== null && Object.prototype.hasOwnProperty.call(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

function ref(v: unknown): ReleaseRef | null {
  const version = get(v, "version");
  const zipSha256 = get(v, "zipSha256");
  return isSemver(version) && typeof zipSha256 === "string" && HEX64.test(zipSha256) ? { version, zipSha256 } : null;
}

/** A {@link SignedRef}; entries without an envelope (format 1) are dropped as unproven. */
function signedRef(v: unknown): SignedRef | null {
  const r = ref(v);
  const envelope = get(v, "envelope");
  return r && typeof envelope === "string" && envelope.length > 0 ? { ...r, envelope } : null;
}

/**
 * Parses a stored state document. Anything malformed is dropped field by field (never
 * guessed); `corrupt` tells whether anything was. Only own properties are read. A format-1
 * document (no envelopes) keeps its blocklist and rotations; its floor, pending release and
 * last trusted time cannot be proven and are dropped (reported as corrupt).
 *
 * @example
 * ```ts
 * const { state, corrupt } = parseState(text);
 * ```
 */
export function parseState(text: string | null): { state: ClientState; corrupt: boolean } {
  const state = emptyState();
  if (text === null) return { state, corrupt: false };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { state, corrupt: true };
  }
  const v = get(doc, "v");
  if (typeof doc !== "object" || doc === null || (v !== 1 && v !== 2)) return { state, corrupt: true };
  let corrupt = false;
  const floor = get(doc, "floor") ?? null;
  if (floor !== null) {
    state.floor = signedRef(floor);
    corrupt ||= state.floor === null;
  }
  const ltt = get(doc, "lastTrustedTime") ?? null;
  const lte = get(doc, "lastTrustedEnvelope") ?? null;
  if (typeof ltt === "number" && Number.isSafeInteger(ltt) && ltt >= 0 && typeof lte === "string" && lte.length > 0) {
    state.lastTrustedTime = ltt;
    state.lastTrustedEnvelope = lte;
  } else corrupt ||= ltt !== null || lte !== null;
  const trust = get(doc, "trust") ?? null;
  const version = get(trust, "version");
  const chain = get(trust, "chain");
  if (trust !== null && Number.isSafeInteger(version) && Array.isArray(chain) && chain.length > 0 && chain.every((e) => typeof e === "string")) {
    state.trust = { version: version as number, chain: [...(chain as string[])] };
  } else corrupt ||= trust !== null;
  const blocklist = get(doc, "blocklist");
  if (Array.isArray(blocklist)) {
    for (const e of blocklist) {
      const r = ref(e);
      if (r) state.blocklist.push({ ...r, reason: String(get(e, "reason") ?? "") });
      else corrupt = true;
    }
  } else corrupt = true;
  const p = get(doc, "pending") ?? null;
  if (p !== null) {
    const r = signedRef(p);
    const id = get(p, "id");
    const mode = get(p, "mode");
    if (r && typeof id === "string" && (mode === "next" || mode === "set")) state.pending = { ...r, id, mode };
    else corrupt = true;
  }
  return { state, corrupt };
}

/**
 * Serialises the state (inverse of {@link parseState}); the blocklist is capped.
 *
 * @example
 * ```ts
 * await storage.set(key, serializeState(state));
 * ```
 */
export function serializeState(state: ClientState): string {
  return JSON.stringify({ v: 2, ...state, blocklist: state.blocklist.slice(-MAX_BLOCKLIST) });
}

/**
 * Reads the state; a storage that throws is `CLIENT_STATE` (fail closed: the client cannot
 * tell what it accepted before).
 *
 * @example
 * ```ts
 * const { state } = await loadState(storage, "otaseal:com.example.app:production");
 * ```
 */
export async function loadState(storage: KeyValueStorage, key: string): Promise<{ state: ClientState; corrupt: boolean }> {
  let text: string | null;
  try {
    text = await storage.get(key);
  } catch (e) {
    throw new UpdateError("CLIENT_STATE", `cannot read state ${key}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return parseState(text);
}

/**
 * Writes the state; a storage that throws is `CLIENT_STATE`.
 *
 * @example
 * ```ts
 * await saveState(storage, key, state);
 * ```
 */
export async function saveState(storage: KeyValueStorage, key: string, state: ClientState): Promise<void> {
  try {
    await storage.set(key, serializeState(state));
  } catch (e) {
    throw new UpdateError("CLIENT_STATE", `cannot write state ${key}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/**
 * A storage in memory (tests, Node, or when state must not outlive the process).
 *
 * @example
 * ```ts
 * const storage = memoryStorage();
 * await storage.set("k", "v");
 * ```
 */
export function memoryStorage(initial?: Record<string, string>): KeyValueStorage & { readonly data: Map<string, string> } {
  const data = new Map(Object.entries(initial ?? {}));
  return {
    data,
    get: async (k) => data.get(k) ?? null,
    set: async (k, v) => void data.set(k, v),
    remove: async (k) => void data.delete(k),
  };
}

/**
 * A storage over the browser's `localStorage` (or any `Storage`).
 *
 * @example
 * ```ts
 * const client = createUpdateClient({ ..., storage: localStorageStorage() });
 * ```
 */
export function localStorageStorage(store?: StorageLike): KeyValueStorage {
  const s = (): StorageLike => {
    const target = store ?? globalThis.localStorage;
    if (!target) throw new Error("localStorage is not available here");
    return target;
  };
  return {
    get: async (k) => s().getItem(k),
    set: async (k, v) => s().setItem(k, v),
    remove: async (k) => s().removeItem(k),
  };
}
