/**
 * What the client's verification produced, made unforgeable and immutable: verified releases
 * are deep-frozen and recorded in a module-private `WeakSet`, the verified files of a release
 * in a module-private `WeakMap`. Backends accept only those (`CLIENT_UNVERIFIED_RELEASE`
 * otherwise) and re-check every file's SHA-256 on a private copy of its bytes when they stage
 * it, so neither a hand-made `{ release, files }` nor bytes changed after verification are
 * installed. Also: own-property reads of caller objects (a polluted `Object.prototype` must not
 * change behaviour), and re-verification of an installed release's stored envelope.
 * @module
 */
import type { Limits, OpenedFile, Policy, VerifiedRelease } from "../../pkg/web/otaseal.js";
import { UpdateError } from "./errors.js";
import type { CoreApi } from "./types.js";

/** Releases returned by a client's `check()` (frozen). */
const RELEASES = new WeakSet<object>();
/** Verified file lists (frozen arrays) → the release and signed envelope they belong to. */
const CONTENT = new WeakMap<object, { release: VerifiedRelease; envelope: string }>();

/**
 * `obj[key]` when `obj` has it as an own property, else `undefined`: never the prototype chain.
 *
 * @example
 * ```ts
 * own({ a: 1 }, "a"); // 1
 * ```
 */
export function own<T extends object, K extends keyof T>(obj: T | null | undefined, key: K): T[K] | undefined {
  if (obj === null || obj === undefined || (typeof obj !== "object" && typeof obj !== "function")) return undefined;
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/**
 * A null-prototype copy of the own enumerable properties of `obj` (undefined values dropped),
 * so that neither this code nor the wasm core (which reads with `Reflect.get`) sees inherited
 * properties.
 *
 * @example
 * ```ts
 * const policy = ownCopy({ app, channel, platform, now });
 * ```
 */
export function ownCopy<T extends object>(obj: T | null | undefined): T {
  const out = Object.create(null) as Record<string, unknown>;
  if (obj !== null && obj !== undefined && typeof obj === "object") {
    for (const key of Object.keys(obj)) {
      const v = (obj as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = v;
    }
  }
  return out as T;
}

/**
 * Freezes `value` and everything reachable from it (typed arrays, whose elements cannot be
 * frozen, are left as they are).
 *
 * @example
 * ```ts
 * const release = deepFreeze(core.verifyRelease(envelope, trust, policy));
 * ```
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  if (Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return value;
}

/**
 * Deep-freezes a release the core verified and records it as verified.
 *
 * @example
 * ```ts
 * const release = markVerifiedRelease(core.verifyRelease(envelope, trust, policy));
 * ```
 */
export function markVerifiedRelease(release: VerifiedRelease): VerifiedRelease {
  deepFreeze(release);
  RELEASES.add(release);
  return release;
}

/**
 * Whether `release` came from a client's verification (and is therefore frozen).
 *
 * @example
 * ```ts
 * if (!isVerifiedRelease(input.release)) throw new Error("unverified");
 * ```
 */
export function isVerifiedRelease(release: unknown): release is VerifiedRelease {
  return typeof release === "object" && release !== null && RELEASES.has(release);
}

/**
 * Records the files the opener's `finish()` verified for `release` (signed as `envelope`):
 * returns them as a frozen array of frozen file objects, the only kind backends accept.
 *
 * @example
 * ```ts
 * const files = markVerifiedContent(release, envelopeJson, sunk.files);
 * ```
 */
export function markVerifiedContent(release: VerifiedRelease, envelope: string, files: readonly OpenedFile[]): OpenedFile[] {
  const list = Object.freeze(files.map((f) => Object.freeze({ path: f.path, size: f.size, sha256: f.sha256, data: f.data }))) as OpenedFile[];
  CONTENT.set(list, { release, envelope });
  return list;
}

function fail(who: string, why: string): never {
  throw new UpdateError("CLIENT_UNVERIFIED_RELEASE", `${who} installs only what the otaseal client verified: ${why}`);
}

/** Lowercase hex of a digest. */
function hex(buffer: ArrayBuffer): string {
  let s = "";
  for (const b of new Uint8Array(buffer)) s += b.toString(16).padStart(2, "0");
  return s;
}

/**
 * Lowercase hex SHA-256 with WebCrypto (browsers, workers, Node ≥ 20).
 *
 * @example
 * ```ts
 * await sha256Hex(bytes); // "e3b0c4…"
 * ```
 */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  // Structural: the package type-checks without the DOM lib.
  const subtle = (globalThis as { crypto?: { subtle?: { digest(algorithm: "SHA-256", data: Uint8Array): Promise<ArrayBuffer> } } }).crypto?.subtle;
  if (!subtle) throw new UpdateError("CLIENT_WEB_UNAVAILABLE", "WebCrypto (crypto.subtle) is not available here: file hashes cannot be re-checked");
  return hex(await subtle.digest("SHA-256", data));
}

/**
 * What a backend may install: the release, its signed envelope and private copies of the
 * files, after checking that `files` is the list the client verified for this very `release`
 * and that every copy still has its signed size and SHA-256. Throws `CLIENT_UNVERIFIED_RELEASE`.
 *
 * @example
 * ```ts
 * const { files } = await verifiedContent(input.release, input.files, "filesystemBackend");
 * ```
 */
export async function verifiedContent(
  release: unknown,
  files: unknown,
  who: string,
): Promise<{ release: VerifiedRelease; envelope: string; files: OpenedFile[] }> {
  if (!isVerifiedRelease(release)) fail(who, "the release was not returned by a client's check()");
  const content = typeof files === "object" && files !== null ? CONTENT.get(files) : undefined;
  if (!content) fail(who, "no verified content (the files were not produced by the client's download)");
  if (content.release !== release) fail(who, "the files belong to another release");
  const signed = release.manifest.files;
  const list = files as readonly OpenedFile[];
  if (list.length !== signed.length) fail(who, "the file list is not the signed one");
  const byPath = new Map(list.map((f) => [f.path, f]));
  const out: OpenedFile[] = [];
  for (const s of signed) {
    const f = byPath.get(s.path);
    if (!f || !(f.data instanceof Uint8Array) || f.data.byteLength !== s.size) fail(who, `${s.path} is not the signed file`);
    // A private copy, hashed and then installed: later changes to the caller's bytes do not reach it.
    const data = f.data.slice();
    if ((await sha256Hex(data)) !== s.sha256) fail(who, `${s.path} no longer has its signed SHA-256`);
    out.push(Object.freeze({ path: s.path, size: s.size, sha256: s.sha256, data }));
  }
  return { release, envelope: content.envelope, files: out };
}

/**
 * Re-verifies the signed envelope of a release that was installed earlier: a threshold of
 * `trust` signed it for this app, channel and platform. Expiry and the floor are not
 * re-applied (a release keeps running after it expires); the returned release is frozen.
 * Throws the core's code when it does not verify.
 *
 * @example
 * ```ts
 * const installed = verifyInstalled(core, storedEnvelope, trust, { app, channel, platform });
 * installed.manifest.version; // signed
 * ```
 */
export function verifyInstalled(
  core: Pick<CoreApi, "verifyRelease" | "inspect">,
  envelope: string,
  trust: string,
  target: { app: string; channel: string; platform: string },
  limits?: Partial<Limits>,
): VerifiedRelease {
  const claimed = own(core.inspect(envelope), "manifest");
  if (!claimed) throw new UpdateError("CLIENT_UNVERIFIED_RELEASE", "the stored envelope holds no release manifest");
  const issued = Math.floor(Date.parse(claimed.issuedAt) / 1000);
  if (!Number.isSafeInteger(issued)) throw new UpdateError("CLIENT_UNVERIFIED_RELEASE", "the stored envelope has no usable issuedAt");
  // Verified as "the identical bundle at the installed version", at its own signed issue time.
  const policy = ownCopy<Policy>({
    app: target.app,
    channel: target.channel,
    platform: target.platform,
    now: issued,
    installedVersion: claimed.version,
    installedZipSha256: claimed.bundle.zipSha256,
    ...(own(claimed, "minNativeVersion") ? { nativeVersion: own(claimed, "minNativeVersion") as string } : {}),
  });
  const release = core.verifyRelease(envelope, trust, policy, limits ? ownCopy(limits) : null);
  const m = release.manifest;
  if (m.version !== claimed.version || m.bundle.zipSha256 !== claimed.bundle.zipSha256 || m.issuedAt !== claimed.issuedAt) {
    throw new UpdateError("CLIENT_UNVERIFIED_RELEASE", "the stored envelope verified to another release than it claims");
  }
  return deepFreeze(release);
}

/**
 * The version of a trust root (document or self-signed envelope JSON); 0 when unreadable (the
 * core refuses it when verifying).
 *
 * @example
 * ```ts
 * trustVersion(core, trustJson); // 1
 * ```
 */
export function trustVersion(core: Pick<CoreApi, "inspect">, json: string): number {
  try {
    const doc = JSON.parse(json) as unknown;
    if (typeof own(doc as { payloadType?: unknown }, "payloadType") === "string") {
      return own(own(core.inspect(json), "trustRoot"), "version") ?? 0;
    }
    const v = own(doc as { version?: unknown }, "version");
    return typeof v === "number" ? v : 0;
  } catch {
    return 0;
  }
}
