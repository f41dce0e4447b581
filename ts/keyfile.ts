/**
 * Bundle-key files (`docs/FORMAT.md` §5.9), as `otaseal enckey` writes them, read into the
 * 32 key bytes the update client's `decryptionKeys` take. Pure TypeScript over WebCrypto
 * (browsers, Node ≥ 20): no wasm needed. The same rules as the core's reader
 * (`bundleKeyFromFile`), which a test checks file for file.
 *
 * ```text
 * {"type": "otaseal-bundle-key", "keyId": "<64 hex>", "key": "<canonical Base64 of 32 bytes>"}
 * keyId = lowercase-hex( SHA-256( "otaseal bundle key id v1" 0x00 ‖ key ) )      (§5.6)
 * ```
 * @module
 */

/** `type` of a bundle-key file. */
export const BUNDLE_KEY_FILE_TYPE = "otaseal-bundle-key";
/** A bundle-key file is about 150 bytes; anything longer is not one. */
export const MAX_BUNDLE_KEY_FILE_BYTES = 4096;
const KEY_ID_CONTEXT = "otaseal bundle key id v1\u0000";

/**
 * A refused bundle-key file. `code` is always `KEY_MALFORMED`, as in the core; the message
 * never quotes the file (it holds a secret).
 *
 * @example
 * ```ts
 * try { await parseBundleKeyFile(text); } catch (e) { if (e instanceof KeyFileError) console.error(e.code); }
 * ```
 */
export class KeyFileError extends Error {
  readonly code = "KEY_MALFORMED" as const;
  constructor(reason: string) {
    super(`KEY_MALFORMED: not an otaseal bundle key file: ${reason}`);
    this.name = "OtaError";
  }
}

/** A bundle key and its id. */
export interface BundleKeyFile {
  /** The 32 key bytes. */
  key: Uint8Array;
  /** Lowercase hex, 64 characters (`docs/FORMAT.md` §5.6). */
  keyId: string;
}

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Canonical standard Base64 (padding present, unused bits zero) → bytes, or null. */
function base64(text: string): Uint8Array | null {
  if (!B64.test(text)) return null;
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  // Re-encoding must give the same text: rejects non-zero trailing bits.
  let again = "";
  for (const b of bytes) again += String.fromCharCode(b);
  return btoa(again) === text ? bytes : null;
}

/** Whether a JSON text repeats a member name in its (single, flat) top-level object. */
function hasDuplicateMember(text: string): boolean {
  const names = new Set<string>();
  // Strings are the only tokens that can hold ':' or ','; member names are the strings
  // directly followed by ':'.
  const re = /"((?:[^"\\]|\\.)*)"\s*:/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const name = JSON.parse(`"${m[1] ?? ""}"`) as string;
    if (names.has(name)) return true;
    names.add(name);
  }
  return false;
}

/**
 * The key id of 32 key bytes (`docs/FORMAT.md` §5.6).
 *
 * @example
 * ```ts
 * (await bundleKeyIdOf(key)) === release.manifest.encryption?.keyId;
 * ```
 */
export async function bundleKeyIdOf(key: Uint8Array): Promise<string> {
  const context = new TextEncoder().encode(KEY_ID_CONTEXT);
  const input = new Uint8Array(context.length + key.length);
  input.set(context);
  input.set(key, context.length);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", input));
  input.fill(0);
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Reads a bundle-key file. Refuses (`KeyFileError`, code `KEY_MALFORMED`) anything but strict
 * JSON with exactly `type`, `keyId` and `key`, and a file whose `keyId` is not its key's id.
 *
 * @example
 * ```ts
 * import { parseBundleKeyFile } from "otaseal/keyfile";
 * const { key } = await parseBundleKeyFile(await (await fetch("/bundle.key")).text());
 * createUpdateClient({ ..., decryptionKeys: [key] });
 * ```
 */
export async function parseBundleKeyFile(text: string): Promise<BundleKeyFile> {
  if (typeof text !== "string") throw new KeyFileError(`expected a string, received ${text === null ? "null" : typeof text}`);
  if (new TextEncoder().encode(text).length > MAX_BUNDLE_KEY_FILE_BYTES) {
    throw new KeyFileError(`larger than ${MAX_BUNDLE_KEY_FILE_BYTES} bytes`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new KeyFileError("not JSON");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new KeyFileError("not a JSON object");
  if (hasDuplicateMember(text)) throw new KeyFileError("a member appears twice");
  const members = Object.keys(doc).sort().join(",");
  if (members !== "key,keyId,type") throw new KeyFileError(`expected exactly the members type, keyId, key`);
  const d = doc as Record<string, unknown>;
  if (d["type"] !== BUNDLE_KEY_FILE_TYPE) throw new KeyFileError(`type must be "${BUNDLE_KEY_FILE_TYPE}"`);
  const keyId = d["keyId"];
  if (typeof keyId !== "string" || !/^[0-9a-f]{64}$/.test(keyId)) throw new KeyFileError("keyId is not 64 lowercase hex characters");
  const encoded = d["key"];
  const key = typeof encoded === "string" ? base64(encoded) : null;
  if (key === null) throw new KeyFileError("key is not canonical Base64");
  if (key.length !== 32) throw new KeyFileError(`a bundle key is 32 bytes, got ${key.length}`);
  const actual = await bundleKeyIdOf(key);
  if (actual !== keyId) {
    key.fill(0);
    throw new KeyFileError(`the file says keyId ${keyId} but its key has key id ${actual}: refusing a mislabelled key`);
  }
  return { key, keyId };
}
