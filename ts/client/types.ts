/**
 * Shapes shared by the update client, its backends and its storages. Type-only: the wasm core
 * is injected ({@link CoreApi}), never imported, so the same client runs in Node and browsers.
 * @module
 */
import type {
  Inspection,
  Limits,
  OpenedFile,
  Opener,
  SinkOpener,
  FileSink,
  Policy,
  VerifiedRelease,
} from "../../pkg/node/otaseal.js";

/**
 * The functions of the wasm core the client uses. The entry points pass the right build
 * (`pkg/node` under Node, `pkg/web` in browsers).
 *
 * `trustApplyRotation` verifies a trust-root rotation envelope (root N → N+1, `docs/FORMAT.md`
 * §4.5) against the current root and returns the new root's document JSON. Cores without it
 * (older builds) make `client.rotateTrust` fail with `CLIENT_ROTATION_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * import * as core from "otaseal/wasm";
 * const client = createClientWithCore(core, options);
 * ```
 */
export interface CoreApi {
  verifyRelease(envelopeJson: string, trustJson: string, policy: Policy, limits?: Partial<Limits> | null): VerifiedRelease;
  Opener: new (
    envelopeJson: string,
    trustJson: string,
    policy: Policy,
    decryptionKeys: Uint8Array[],
    limits?: Partial<Limits> | null,
  ) => Opener;
  /**
   * When present, bundles stream through it: files leave wasm memory as they are verified
   * (wasm memory never shrinks, so holding a bundle there would keep it grown for good).
   */
  SinkOpener?: new (
    envelopeJson: string,
    trustJson: string,
    policy: Policy,
    decryptionKeys: Uint8Array[],
    sink: FileSink,
    limits?: Partial<Limits> | null,
  ) => SinkOpener;
  inspect(envelopeJson: string): Inspection;
  trustApplyRotation?: (trustJson: string, rotationJson: string, limits?: Partial<Limits> | null) => string;
}

/**
 * What a backend reports as running now. `version` is `null` when the backend cannot tell
 * (then the stored floor or `bundledVersion` decides).
 *
 * @example
 * ```ts
 * const { id, version } = await backend.current();
 * ```
 */
export interface BackendCurrent {
  /** The backend's bundle id; `"builtin"` for the bundle shipped with the app. */
  id: string;
  version: string | null;
  /** Lowercase hex SHA-256 of the running plaintext zip, when known. */
  zipSha256: string | null;
  /** The native shell's version, when the backend knows it. */
  native: string | null;
  /**
   * The signed envelope the backend stored with the running bundle (fallback updaters,
   * `filesystemBackend`): the client re-verifies it and takes the version, zip hash and
   * signed `issuedAt` from it, never the backend's claim. `null`: the backend keeps envelopes
   * but has none for this bundle (builtin, or storage edited); then a non-builtin version is
   * not believed. Absent (`undefined`): the backend keeps none (Capgo: the native plugin's
   * own record is taken as it is).
   */
  envelope?: string | null;
}

/**
 * What the client hands a backend after verification. `files` is present only for backends
 * with `accepts: "files"`, and only after the opener's `finish()` passed (every byte checked).
 *
 * @example
 * ```ts
 * const staged = await backend.stage({ release, bundleUrl, manifestUrl, files });
 * ```
 */
export interface StageInput {
  release: VerifiedRelease;
  /** Where the (verified) bundle was or will be fetched. */
  bundleUrl: string;
  manifestUrl: string;
  /** The release's signed envelope (JSON), for backends that keep it with the bundle. */
  envelope?: string;
  /** The verified files: a frozen list only the client's download produces (`verifiedContent` re-checks it). */
  files?: OpenedFile[];
  signal?: AbortSignal;
  onProgress?: (received: number, total: number) => void;
}

/**
 * A bundle a backend has staged (downloaded, not yet active).
 *
 * @example
 * ```ts
 * await backend.next(staged.id);
 * ```
 */
export interface StagedBundle {
  id: string;
  version: string;
}

/**
 * An installer the client hands verified releases to. `accepts` says what it needs:
 * `"files"` — the verified plaintext files (web fallback, memory); `"pin"` — a URL and the
 * signed hashes, which the backend's native side downloads and enforces itself (Capgo).
 *
 * @example
 * ```ts
 * const client = createUpdateClient({ ..., backend: memoryBackend(new MemoryUpdater()) });
 * ```
 */
export interface UpdateBackend {
  readonly name: string;
  readonly accepts: "files" | "pin";
  /** When `accepts` is "pin": whether the client should also download and verify every byte in JS first. */
  readonly verifyInJs?: boolean;
  /** Throws `CLIENT_BACKEND_UNSUPPORTED` / `CLIENT_NOT_NATIVE` before anything is downloaded. */
  assertSupported(release: VerifiedRelease): Promise<void>;
  current(): Promise<BackendCurrent>;
  stage(input: StageInput): Promise<StagedBundle>;
  next(id: string): Promise<void>;
  set(id: string): Promise<void>;
  notifyAppReady(): Promise<BackendCurrent>;
  /**
   * Whether bundle `id` is stored with exactly these signed files, hashed now (fallback
   * updaters). The client then believes a running bundle only when its files are intact.
   */
  storedFilesMatch?(id: string, files: readonly { path: string; size: number; sha256: string }[]): Promise<boolean>;
  /**
   * `"confirmed"`: started and confirmed (notifyAppReady); `"pending"`: staged or started, not
   * confirmed yet; `"error"`: started and rolled back; `"missing"`: unknown id.
   */
  bundleStatus(id: string): Promise<"confirmed" | "pending" | "error" | "missing">;
}

/**
 * A small string key-value store. Implementations: `memoryStorage()`, `localStorageStorage()`
 * (browsers), `preferencesStorage(Preferences)` (`otaseal/capacitor`). Errors thrown here are
 * reported as `CLIENT_STATE`.
 *
 * @example
 * ```ts
 * const storage: KeyValueStorage = { get: async (k) => map.get(k) ?? null, set: async (k, v) => void map.set(k, v), remove: async (k) => void map.delete(k) };
 * ```
 */
export interface KeyValueStorage {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  remove(key: string): Promise<void>;
}

/**
 * A `fetch` compatible function (the global one, or a test double).
 *
 * @example
 * ```ts
 * const f: FetchLike = (url, init) => fetch(url, init);
 * ```
 */
export type FetchLike = (url: string, init: { signal: AbortSignal; redirect: "follow" | "error"; cache: "no-store" }) => Promise<Response>;

/**
 * The parts of the Web Storage API (`localStorage`) {@link localStorageStorage} uses. Declared
 * here so the package's types need no DOM lib.
 *
 * @example
 * ```ts
 * const store: StorageLike = globalThis.localStorage;
 * ```
 */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}
