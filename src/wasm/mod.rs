//! WebAssembly bindings: a thin layer that only converts. JS values are checked and turned into
//! core types at the edge (`convert`), the core does the work, and its results go back as plain
//! JS objects. Every failure is thrown as a JS `Error` with `.name = "OtaError"`, `.code` =
//! `Error::code()` and `.message` = the `Display` text; a wrong argument type is
//! `INVALID_ARGUMENT`, never a trap.
//!
//! Built by `scripts/build-wasm.sh` (wasm-bindgen targets nodejs, web and bundler); the
//! TypeScript declarations of the argument and result shapes are below.

//!
//! Two modules come from these bindings. The verifier (`--no-default-features`), which apps
//! load: `verifyRelease`, `Opener`, `SinkOpener`, `inspect`, `trustApplyRotation`,
//! `bundleKeyId`, `errorCodes`. The sealer (feature `seal`, the default), for Node and CI: all
//! of that plus `seal`, `addSignature`, `keygen`, `publicKeyInfo`, `bundleKeyGenerate`,
//! `trustInit` and `trustRotate`. Publisher-only bindings sit behind `#[cfg(feature = "seal")]`
//! in their own files, so the verifier carries no signing, key generation or deflate code.

mod bench;
mod convert;
mod inspect;
mod keys;
mod open;
#[cfg(feature = "seal")]
mod seal;
mod trust;

pub use inspect::{error_codes, inspect};
pub use keys::bundle_key_id;
#[cfg(feature = "seal")]
pub use keys::{bundle_key_generate, keygen, public_key_info_of};
pub use open::{verify_release, Opener};
#[cfg(feature = "seal")]
pub use seal::{add_signature, seal};
pub use trust::trust_apply_rotation;
#[cfg(feature = "seal")]
pub use trust::{trust_init, trust_rotate};

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** What this device expects of a release (`docs/FORMAT.md` §7 steps 7-12). */
export interface Policy {
  app: string;
  channel: string;
  /** "android" | "ios" | "web" */
  platform: string;
  /** SemVer of the installed bundle; omit only when nothing is installed. */
  installedVersion?: string;
  /** Lowercase hex SHA-256 of the installed plaintext zip: an equal version is accepted only for it. */
  installedZipSha256?: string;
  /** SemVer of the native shell; required when a release sets minNativeVersion. */
  nativeVersion?: string;
  /** Unix seconds, read once. */
  now: number;
  /** The last trusted time this device saw (Unix seconds). */
  lastTrustedTime?: number;
  /** Default 300. */
  maxClockSkewSecs?: number;
  /**
   * This install's staged-rollout bucket, 0..999999: drawn at random once per install and kept.
   * A release with a partial `rollout` is taken only when `rolloutBucket < rollout`; without a
   * bucket it is refused (`ROLLOUT_EXCLUDED`). `docs/FORMAT.md` §3.7.
   */
  rolloutBucket?: number;
}

/** Bounds applied while verifying (`docs/FORMAT.md` §8); pass a `Partial<Limits>` to tighten. */
export interface Limits {
  maxEnvelopeBytes: number;
  maxSignatures: number;
  maxTrustKeys: number;
  maxFiles: number;
  maxPathBytes: number;
  maxFileBytes: number;
  maxTotalBytes: number;
  maxBundleBytes: number;
  maxRatio: number;
}

export interface BundleInfo {
  url: string | null;
  /** Exact length of the delivered bytes (ciphertext when encrypted). */
  length: number;
  sha256: string;
  zipLength: number;
  /** SHA-256 of the plaintext zip: the checksum native updaters compare. */
  zipSha256: string;
}

export interface EncryptionInfo {
  keyId: string;
  segmentSize: number;
  /** Hex. */
  associatedData: string;
  /** Hex, 40 bytes. */
  header: string;
}

export interface FileEntry {
  path: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  app: string;
  channel: string;
  platforms: string[];
  version: string;
  minNativeVersion: string | null;
  /** RFC 3339, `YYYY-MM-DDTHH:MM:SSZ`. */
  issuedAt: string;
  expiresAt: string;
  /** Staged rollout in parts per million (0..1000000); `null` = every install. */
  rollout: number | null;
  bundle: BundleInfo;
  encryption: EncryptionInfo | null;
  files: FileEntry[];
}

/** A manifest whose signatures and policy checks passed. */
export interface VerifiedRelease {
  /** The trusted keyids whose signatures counted, sorted. */
  signedBy: string[];
  manifest: Manifest;
}

export interface Progress {
  received: number;
  total: number;
}

export interface OpenedFile {
  path: string;
  data: Uint8Array;
  size: number;
  sha256: string;
}

export interface OpenedRelease {
  release: VerifiedRelease;
  files: OpenedFile[];
}

export interface KeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  keyid: string;
}

export interface PublicKeyInfo {
  keyid: string;
  publicKeyPem: string;
}

export interface BundleKeyInfo {
  key: Uint8Array;
  keyId: string;
}

export interface SealFile {
  path: string;
  data: Uint8Array;
}

export interface ReleaseInfo {
  app: string;
  channel: string;
  platforms: string[];
  version: string;
  minNativeVersion?: string;
  /** Unix seconds. */
  issuedAt: number;
  /** Unix seconds, after issuedAt. */
  expiresAt: number;
  url?: string;
  /** Staged rollout in parts per million, 0..=1000000; omit for every install. */
  rollout?: number;
}

export interface SealEncryption {
  /** 32-byte bundle key. */
  key: Uint8Array;
  /** Tink ciphertext segment size, 4096..=8388608; default 1048576. */
  segmentSize?: number;
}

export interface Sealed {
  bundle: Uint8Array;
  zipSha256: string;
  envelopeJson: string;
  manifest: Manifest;
}

export interface TrustRootInfo {
  version: number;
  threshold: number;
  keys: PublicKeyInfo[];
}

/** The result of `inspect`: parsed, NOT verified. */
export interface Inspection {
  payloadType: string;
  signatures: { keyid: string }[];
  /** UNVERIFIED. */
  manifest?: Manifest;
  /** UNVERIFIED. */
  trustRoot?: TrustRootInfo;
}

/** Every error thrown by this module: a JS `Error` with `name === "OtaError"`. */
export interface OtaError extends Error {
  name: "OtaError";
  code: OtaErrorCode;
}
"#;

/// The union of `OtaError.code` values; `tests/error_codes.rs` keeps it equal to `ALL_CODES`.
#[wasm_bindgen(typescript_custom_section)]
const TS_ERROR_CODES: &str = r#"export type OtaErrorCode =
  | "INVALID_ARGUMENT"
  | "INVALID_STATE"
  | "LIMIT_EXCEEDED"
  | "RANDOM_UNAVAILABLE"
  | "KEY_MALFORMED"
  | "KEY_WEAK"
  | "KEYID_MISMATCH"
  | "ENVELOPE_MALFORMED"
  | "PAYLOAD_TYPE_UNKNOWN"
  | "SIGNATURE_THRESHOLD"
  | "TRUST_ROOT_MALFORMED"
  | "TRUST_DUPLICATE_KEY"
  | "TRUST_THRESHOLD_INVALID"
  | "TRUST_ROOT_VERSION"
  | "MANIFEST_MALFORMED"
  | "FORMAT_VERSION_UNSUPPORTED"
  | "MANIFEST_DUPLICATE_PATH"
  | "PATH_TRAVERSAL"
  | "PATH_ABSOLUTE"
  | "PATH_BACKSLASH"
  | "PATH_INVALID"
  | "PATH_NOT_UTF8"
  | "PATH_NOT_NFC"
  | "PATH_COMPONENT_TOO_LONG"
  | "PATH_RESERVED"
  | "PATH_PREFIX_CONFLICT"
  | "LAYOUT_REROOTED"
  | "APP_MISMATCH"
  | "CHANNEL_MISMATCH"
  | "PLATFORM_MISMATCH"
  | "DOWNGRADE"
  | "NATIVE_TOO_OLD"
  | "EXPIRED"
  | "NOT_YET_VALID"
  | "CLOCK_ROLLBACK"
  | "ROLLOUT_EXCLUDED"
  | "BUNDLE_TOO_LONG"
  | "BUNDLE_TRUNCATED"
  | "BUNDLE_HASH_MISMATCH"
  | "ZIP_HASH_MISMATCH"
  | "HASH_MISMATCH"
  | "SIZE_MISMATCH"
  | "DECRYPT_KEY_UNKNOWN"
  | "DECRYPT_BINDING_MISMATCH"
  | "DECRYPT_HEADER_MALFORMED"
  | "DECRYPT_HEADER_MISMATCH"
  | "DECRYPT_TRUNCATED"
  | "DECRYPT_TRAILING_DATA"
  | "DECRYPT_SEGMENT_REORDERED"
  | "DECRYPT_SEGMENT_DUPLICATED"
  | "DECRYPT_TAG"
  | "ZIP_MALFORMED"
  | "ZIP_PREPENDED_DATA"
  | "ZIP_TRAILING_DATA"
  | "ZIP_UNSUPPORTED_METHOD"
  | "ZIP_ENCRYPTED_ENTRY"
  | "ZIP_UNSUPPORTED_FEATURE"
  | "ZIP_SYMLINK"
  | "ZIP_NOT_A_FILE"
  | "ZIP_FILE_MODE"
  | "ZIP_DUPLICATE_ENTRY"
  | "ZIP_CASE_COLLISION"
  | "ZIP_UNLISTED_ENTRY"
  | "ZIP_MISSING_FILE"
  | "ZIP_HEADER_MISMATCH"
  | "ZIP_CRC_MISMATCH"
  | "ZIP_INFLATE_FAILED";
"#;
