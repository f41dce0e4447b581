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
 * The persistent state (`docs/CLIENT.md` §3).
 *
 * @example
 * ```ts
 * const state: ClientState = emptyState();
 * ```
 */
export interface ClientState {
  /** The newest version confirmed running (notifyAppReady), and its zip hash. */
  floor: ReleaseRef | null;
  /** Unix seconds: a time no later than the signed issuedAt of the newest verified release. */
  lastTrustedTime: number | null;
  /**
   * The rotations applied since the pinned root (envelopes N→N+1, in order) and the version
   * they reach. Stored as evidence, not as a root: every load re-verifies the chain from the
   * pinned root, so editing storage cannot plant a root.
   */
  trust: { version: number; chain: string[] } | null;
  /** Releases that were applied and never confirmed a good start: never retried. */
  blocklist: (ReleaseRef & { reason: string })[];
  /** A release handed to the backend (`next`/`set`) and not yet confirmed. */
  pending: (ReleaseRef & { id: string; mode: "next" | "set" }) | null;
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
  return { floor: null, lastTrustedTime: null, trust: null, blocklist: [], pending: null };
}

function ref(v: unknown): ReleaseRef | null {
  if (typeof v !== "object" || v === null) return null;
  const r = v as Record<string, unknown>;
  return isSemver(r["version"]) && typeof r["zipSha256"] === "string" && HEX64.test(r["zipSha256"])
    ? { version: r["version"], zipSha256: r["zipSha256"] }
    : null;
}

/**
 * Parses a stored state document. Anything malformed is dropped field by field (never
 * guessed); `corrupt` tells whether anything was.
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
  if (typeof doc !== "object" || doc === null || (doc as { v?: unknown }).v !== 1) return { state, corrupt: true };
  const d = doc as Record<string, unknown>;
  let corrupt = false;
  if (d["floor"] !== null) {
    state.floor = ref(d["floor"]);
    corrupt ||= state.floor === null;
  }
  const ltt = d["lastTrustedTime"];
  if (typeof ltt === "number" && Number.isSafeInteger(ltt) && ltt >= 0) state.lastTrustedTime = ltt;
  else corrupt ||= ltt !== null;
  const trust = d["trust"] as { version?: unknown; chain?: unknown } | null;
  if (
    trust !== null &&
    typeof trust === "object" &&
    Number.isSafeInteger(trust.version) &&
    Array.isArray(trust.chain) &&
    trust.chain.length > 0 &&
    trust.chain.every((e) => typeof e === "string")
  ) {
    state.trust = { version: trust.version as number, chain: trust.chain as string[] };
  } else corrupt ||= trust !== null;
  if (Array.isArray(d["blocklist"])) {
    for (const e of d["blocklist"]) {
      const r = ref(e);
      if (r) state.blocklist.push({ ...r, reason: String((e as { reason?: unknown }).reason ?? "") });
      else corrupt = true;
    }
  } else corrupt = true;
  const p = d["pending"] as Record<string, unknown> | null;
  if (p !== null && typeof p === "object") {
    const r = ref(p);
    if (r && typeof p["id"] === "string" && (p["mode"] === "next" || p["mode"] === "set")) {
      state.pending = { ...r, id: p["id"], mode: p["mode"] };
    } else corrupt = true;
  } else corrupt ||= p !== null;
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
  return JSON.stringify({ v: 1, ...state, blocklist: state.blocklist.slice(-MAX_BLOCKLIST) });
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
