//! The one error type. Every variant has a stable machine code (`Error::code`), listed in
//! `docs/FORMAT.md` §9; `Display` is for humans and may change.
//!
//! Decryption failures are deliberately opaque about *why* a tag did not verify (as RustCrypto's
//! `aead::Error`), but they say which segment failed and, where the framing tells them apart,
//! whether the cause was truncation, reordering, duplication or trailing data.

use std::fmt;

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Every way otaseal can refuse an input. Codes are stable; new variants may be added.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A caller-supplied argument is unusable (not an attack on the release itself).
    InvalidArgument { reason: String },
    /// An object was used after it finished or failed ("opener already finished").
    InvalidState { reason: String },
    /// A configured `Limits` bound was exceeded; `limit` names the field.
    LimitExceeded { limit: &'static str, max: u64, actual: u64 },
    /// The operating system's random source failed (sealing only; verifying needs none).
    RandomUnavailable,

    // --- keys ---
    /// A key file or key bytes could not be read as an Ed25519 key of the expected kind.
    KeyMalformed { reason: String },
    /// A small-order ("weak") Ed25519 public key: it would accept forged signatures.
    KeyWeak { keyid: String },
    /// A key's stated keyid is not the SHA-256 of its raw public key.
    KeyidMismatch { stated: String, computed: String },

    // --- DSSE envelope and signatures ---
    /// The envelope is not valid DSSE JSON (syntax, duplicate or unknown keys, bad base64).
    EnvelopeMalformed { reason: String },
    /// The envelope's payloadType is not the one expected here.
    PayloadTypeUnknown { expected: &'static str, found: String },
    /// Fewer valid signatures from distinct trusted keyids than the threshold.
    SignatureThreshold { role: &'static str, valid: usize, required: usize },

    // --- trust roots ---
    /// The trust-root document is not valid (syntax, unknown or duplicate keys, bad fields).
    TrustRootMalformed { reason: String },
    /// The same keyid appears twice in a trust root.
    TrustDuplicateKey { keyid: String },
    /// The threshold is 0 or larger than the number of keys.
    TrustThresholdInvalid { threshold: u64, keys: usize },
    /// A rotation did not go from version N to exactly N+1.
    TrustRootVersion { expected: u64, found: u64 },

    // --- manifest ---
    /// The manifest payload is not valid v1 JSON (syntax, duplicate or unknown keys, values).
    ManifestMalformed { reason: String },
    /// The manifest declares a format version this verifier does not implement.
    FormatVersionUnsupported { found: u64 },
    /// Two files in the manifest have the same path, or paths equal after case folding.
    ManifestDuplicatePath { path: String, other: String },

    // --- archive paths (manifest entries and zip entry names) ---
    /// A path contains a `..` component.
    PathTraversal { path: String },
    /// A path is absolute (`/x`) or names a drive (`C:`).
    PathAbsolute { path: String },
    /// A path contains a backslash.
    PathBackslash { path: String },
    /// A path is empty, has empty or `.` components, a trailing slash, or control characters.
    PathInvalid { path: String, reason: &'static str },
    /// A zip entry name is not valid UTF-8, or is non-ASCII without the UTF-8 flag (bit 11).
    PathNotUtf8 { path: String },
    /// A non-ASCII path is not in Unicode Normalization Form C.
    PathNotNfc { path: String },
    /// A path component is longer than 255 bytes (no device file system can create it).
    PathComponentTooLong { path: String, bytes: u64 },
    /// A path starts with a name reserved for archiver metadata (`__MACOSX`).
    PathReserved { path: String },
    /// A path is a file and also a folder of another path (`lib.js`, `lib.js/x.js`).
    PathPrefixConflict { path: String, file: String },
    /// The root layout would make a native installer re-root the bundle (§6.3).
    LayoutRerooted { reason: String },

    // --- policy ---
    /// The release is for another app.
    AppMismatch { expected: String, found: String },
    /// The release is for another channel.
    ChannelMismatch { expected: String, found: String },
    /// The release does not list this platform.
    PlatformMismatch { expected: String, found: Vec<String> },
    /// The release is not newer than what is installed (equal only for the identical bundle).
    Downgrade { installed: String, found: String },
    /// The native shell is older than the release's minimum native version (or unknown).
    NativeTooOld { required: String, native: Option<String> },
    /// The release expired at or before the clock reading.
    Expired { expires_at: String, now: String },
    /// The release is issued in the future, beyond the allowed clock skew.
    NotYetValid { issued_at: String, now: String },
    /// The clock reading is earlier than the last trusted time seen.
    ClockRollback { last_seen: String, now: String },
    /// A staged rollout (`rollout` parts per million) does not include this install's bucket,
    /// or the caller gave no bucket for a partial rollout.
    RolloutExcluded { rollout: u32, bucket: Option<u32> },

    // --- delivered bundle ---
    /// More bytes arrived than the signed bundle length; the stream was cut off.
    BundleTooLong { expected: u64 },
    /// The stream ended before the signed bundle length.
    BundleTruncated { expected: u64, actual: u64 },
    /// The SHA-256 of the delivered bytes is not the signed one.
    BundleHashMismatch { expected: String, actual: String },
    /// The SHA-256 of the plaintext zip is not the signed one.
    ZipHashMismatch { expected: String, actual: String },
    /// A file's content has another SHA-256 than signed.
    HashMismatch { path: String, expected: String, actual: String },
    /// A file's content has another length than signed.
    SizeMismatch { path: String, expected: u64, actual: u64 },

    // --- streaming decryption (Tink AES-GCM-HKDF) ---
    /// The release is encrypted and no supplied key has its key id.
    DecryptKeyUnknown { keyid: String },
    /// The manifest's associated data is not the binding for this app and version.
    DecryptBindingMismatch,
    /// The stream header is malformed (wrong length byte, or too short).
    DecryptHeaderMalformed,
    /// The stream header is not the signed one: it belongs to another stream.
    DecryptHeaderMismatch,
    /// The final segment is missing: the stream was cut at a segment boundary.
    DecryptTruncated { segment: u64 },
    /// Bytes follow the final segment.
    DecryptTrailingData { segment: u64 },
    /// The segment at this position belongs later in the stream (reordered or one dropped).
    DecryptSegmentReordered { segment: u64, belongs_at: u64 },
    /// The segment at this position repeats an earlier one.
    DecryptSegmentDuplicated { segment: u64, belongs_at: u64 },
    /// The segment failed authentication (no further detail, by design).
    DecryptTag { segment: u64 },

    // --- strict zip ---
    /// The zip structure is broken at this offset.
    ZipMalformed { offset: u64, reason: &'static str },
    /// Bytes precede the first local header.
    ZipPrependedData,
    /// Bytes follow the end-of-central-directory record.
    ZipTrailingData,
    /// An entry uses a compression method other than stored (0) or deflate (8).
    ZipUnsupportedMethod { path: String, method: u16 },
    /// An entry is encrypted with zip's own encryption.
    ZipEncryptedEntry { path: String },
    /// A zip feature outside the strict profile (data descriptor, zip64, extra fields, comments).
    ZipUnsupportedFeature { path: String, feature: &'static str },
    /// An entry is a symbolic link.
    ZipSymlink { path: String },
    /// An entry is a directory or another non-regular file.
    ZipNotAFile { path: String },
    /// A regular entry's permission bits would make the installed file unreadable.
    ZipFileMode { path: String, mode: u32 },
    /// The same entry name appears twice.
    ZipDuplicateEntry { path: String },
    /// Two entry names are equal after case folding.
    ZipCaseCollision { path: String, other: String },
    /// An entry is not in the signed file list.
    ZipUnlistedEntry { path: String },
    /// A signed file is not in the archive.
    ZipMissingFile { path: String },
    /// The local and central headers of an entry disagree.
    ZipHeaderMismatch { path: String, field: &'static str },
    /// The stored CRC-32 does not match the content.
    ZipCrcMismatch { path: String },
    /// The deflate data of an entry is corrupt as zlib decodes it (including a back-reference
    /// before the start of the output, "invalid distance too far back"), or does not end where
    /// the entry ends.
    ZipInflateFailed { path: String },
}

/// Every machine code, in the order of `docs/FORMAT.md` §9. A test keeps this, the enum and
/// the document in step.
pub const ALL_CODES: &[&str] = &[
    "INVALID_ARGUMENT",
    "INVALID_STATE",
    "LIMIT_EXCEEDED",
    "RANDOM_UNAVAILABLE",
    "KEY_MALFORMED",
    "KEY_WEAK",
    "KEYID_MISMATCH",
    "ENVELOPE_MALFORMED",
    "PAYLOAD_TYPE_UNKNOWN",
    "SIGNATURE_THRESHOLD",
    "TRUST_ROOT_MALFORMED",
    "TRUST_DUPLICATE_KEY",
    "TRUST_THRESHOLD_INVALID",
    "TRUST_ROOT_VERSION",
    "MANIFEST_MALFORMED",
    "FORMAT_VERSION_UNSUPPORTED",
    "MANIFEST_DUPLICATE_PATH",
    "PATH_TRAVERSAL",
    "PATH_ABSOLUTE",
    "PATH_BACKSLASH",
    "PATH_INVALID",
    "PATH_NOT_UTF8",
    "PATH_NOT_NFC",
    "PATH_COMPONENT_TOO_LONG",
    "PATH_RESERVED",
    "PATH_PREFIX_CONFLICT",
    "LAYOUT_REROOTED",
    "APP_MISMATCH",
    "CHANNEL_MISMATCH",
    "PLATFORM_MISMATCH",
    "DOWNGRADE",
    "NATIVE_TOO_OLD",
    "EXPIRED",
    "NOT_YET_VALID",
    "CLOCK_ROLLBACK",
    "ROLLOUT_EXCLUDED",
    "BUNDLE_TOO_LONG",
    "BUNDLE_TRUNCATED",
    "BUNDLE_HASH_MISMATCH",
    "ZIP_HASH_MISMATCH",
    "HASH_MISMATCH",
    "SIZE_MISMATCH",
    "DECRYPT_KEY_UNKNOWN",
    "DECRYPT_BINDING_MISMATCH",
    "DECRYPT_HEADER_MALFORMED",
    "DECRYPT_HEADER_MISMATCH",
    "DECRYPT_TRUNCATED",
    "DECRYPT_TRAILING_DATA",
    "DECRYPT_SEGMENT_REORDERED",
    "DECRYPT_SEGMENT_DUPLICATED",
    "DECRYPT_TAG",
    "ZIP_MALFORMED",
    "ZIP_PREPENDED_DATA",
    "ZIP_TRAILING_DATA",
    "ZIP_UNSUPPORTED_METHOD",
    "ZIP_ENCRYPTED_ENTRY",
    "ZIP_UNSUPPORTED_FEATURE",
    "ZIP_SYMLINK",
    "ZIP_NOT_A_FILE",
    "ZIP_FILE_MODE",
    "ZIP_DUPLICATE_ENTRY",
    "ZIP_CASE_COLLISION",
    "ZIP_UNLISTED_ENTRY",
    "ZIP_MISSING_FILE",
    "ZIP_HEADER_MISMATCH",
    "ZIP_CRC_MISMATCH",
    "ZIP_INFLATE_FAILED",
];

impl Error {
    /// The stable machine code, e.g. `"SIGNATURE_THRESHOLD"`.
    pub fn code(&self) -> &'static str {
        use Error::*;
        match self {
            InvalidArgument { .. } => "INVALID_ARGUMENT",
            InvalidState { .. } => "INVALID_STATE",
            LimitExceeded { .. } => "LIMIT_EXCEEDED",
            RandomUnavailable => "RANDOM_UNAVAILABLE",
            KeyMalformed { .. } => "KEY_MALFORMED",
            KeyWeak { .. } => "KEY_WEAK",
            KeyidMismatch { .. } => "KEYID_MISMATCH",
            EnvelopeMalformed { .. } => "ENVELOPE_MALFORMED",
            PayloadTypeUnknown { .. } => "PAYLOAD_TYPE_UNKNOWN",
            SignatureThreshold { .. } => "SIGNATURE_THRESHOLD",
            TrustRootMalformed { .. } => "TRUST_ROOT_MALFORMED",
            TrustDuplicateKey { .. } => "TRUST_DUPLICATE_KEY",
            TrustThresholdInvalid { .. } => "TRUST_THRESHOLD_INVALID",
            TrustRootVersion { .. } => "TRUST_ROOT_VERSION",
            ManifestMalformed { .. } => "MANIFEST_MALFORMED",
            FormatVersionUnsupported { .. } => "FORMAT_VERSION_UNSUPPORTED",
            ManifestDuplicatePath { .. } => "MANIFEST_DUPLICATE_PATH",
            PathTraversal { .. } => "PATH_TRAVERSAL",
            PathAbsolute { .. } => "PATH_ABSOLUTE",
            PathBackslash { .. } => "PATH_BACKSLASH",
            PathInvalid { .. } => "PATH_INVALID",
            PathNotUtf8 { .. } => "PATH_NOT_UTF8",
            PathNotNfc { .. } => "PATH_NOT_NFC",
            PathComponentTooLong { .. } => "PATH_COMPONENT_TOO_LONG",
            PathReserved { .. } => "PATH_RESERVED",
            PathPrefixConflict { .. } => "PATH_PREFIX_CONFLICT",
            LayoutRerooted { .. } => "LAYOUT_REROOTED",
            AppMismatch { .. } => "APP_MISMATCH",
            ChannelMismatch { .. } => "CHANNEL_MISMATCH",
            PlatformMismatch { .. } => "PLATFORM_MISMATCH",
            Downgrade { .. } => "DOWNGRADE",
            NativeTooOld { .. } => "NATIVE_TOO_OLD",
            Expired { .. } => "EXPIRED",
            NotYetValid { .. } => "NOT_YET_VALID",
            ClockRollback { .. } => "CLOCK_ROLLBACK",
            RolloutExcluded { .. } => "ROLLOUT_EXCLUDED",
            BundleTooLong { .. } => "BUNDLE_TOO_LONG",
            BundleTruncated { .. } => "BUNDLE_TRUNCATED",
            BundleHashMismatch { .. } => "BUNDLE_HASH_MISMATCH",
            ZipHashMismatch { .. } => "ZIP_HASH_MISMATCH",
            HashMismatch { .. } => "HASH_MISMATCH",
            SizeMismatch { .. } => "SIZE_MISMATCH",
            DecryptKeyUnknown { .. } => "DECRYPT_KEY_UNKNOWN",
            DecryptBindingMismatch => "DECRYPT_BINDING_MISMATCH",
            DecryptHeaderMalformed => "DECRYPT_HEADER_MALFORMED",
            DecryptHeaderMismatch => "DECRYPT_HEADER_MISMATCH",
            DecryptTruncated { .. } => "DECRYPT_TRUNCATED",
            DecryptTrailingData { .. } => "DECRYPT_TRAILING_DATA",
            DecryptSegmentReordered { .. } => "DECRYPT_SEGMENT_REORDERED",
            DecryptSegmentDuplicated { .. } => "DECRYPT_SEGMENT_DUPLICATED",
            DecryptTag { .. } => "DECRYPT_TAG",
            ZipMalformed { .. } => "ZIP_MALFORMED",
            ZipPrependedData => "ZIP_PREPENDED_DATA",
            ZipTrailingData => "ZIP_TRAILING_DATA",
            ZipUnsupportedMethod { .. } => "ZIP_UNSUPPORTED_METHOD",
            ZipEncryptedEntry { .. } => "ZIP_ENCRYPTED_ENTRY",
            ZipUnsupportedFeature { .. } => "ZIP_UNSUPPORTED_FEATURE",
            ZipSymlink { .. } => "ZIP_SYMLINK",
            ZipNotAFile { .. } => "ZIP_NOT_A_FILE",
            ZipFileMode { .. } => "ZIP_FILE_MODE",
            ZipDuplicateEntry { .. } => "ZIP_DUPLICATE_ENTRY",
            ZipCaseCollision { .. } => "ZIP_CASE_COLLISION",
            ZipUnlistedEntry { .. } => "ZIP_UNLISTED_ENTRY",
            ZipMissingFile { .. } => "ZIP_MISSING_FILE",
            ZipHeaderMismatch { .. } => "ZIP_HEADER_MISMATCH",
            ZipCrcMismatch { .. } => "ZIP_CRC_MISMATCH",
            ZipInflateFailed { .. } => "ZIP_INFLATE_FAILED",
        }
    }

    pub(crate) fn invalid_argument(reason: impl Into<String>) -> Self {
        Error::InvalidArgument { reason: reason.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Error::*;
        match self {
            InvalidArgument { reason } => write!(f, "invalid argument: {reason}"),
            InvalidState { reason } => write!(f, "invalid state: {reason}"),
            LimitExceeded { limit, max, actual } => {
                write!(f, "limit {limit} exceeded: {actual} > {max}")
            }
            RandomUnavailable => write!(f, "the system random source is unavailable"),
            KeyMalformed { reason } => write!(f, "malformed key: {reason}"),
            KeyWeak { keyid } => write!(f, "weak (small-order) Ed25519 public key {keyid}"),
            KeyidMismatch { stated, computed } => {
                write!(f, "keyid {stated} does not match the key (its keyid is {computed})")
            }
            EnvelopeMalformed { reason } => write!(f, "malformed DSSE envelope: {reason}"),
            PayloadTypeUnknown { expected, found } => {
                write!(f, "payloadType {found:?} is not {expected:?}")
            }
            SignatureThreshold { role, valid, required } => {
                write!(f, "{role}: {valid} valid signature(s) from distinct trusted keys, {required} required")
            }
            TrustRootMalformed { reason } => write!(f, "malformed trust root: {reason}"),
            TrustDuplicateKey { keyid } => write!(f, "trust root lists keyid {keyid} twice"),
            TrustThresholdInvalid { threshold, keys } => {
                write!(f, "threshold {threshold} is invalid for {keys} key(s)")
            }
            TrustRootVersion { expected, found } => {
                write!(f, "trust root version {found}, expected {expected}")
            }
            ManifestMalformed { reason } => write!(f, "malformed manifest: {reason}"),
            FormatVersionUnsupported { found } => {
                write!(f, "manifest format version {found} is not supported")
            }
            ManifestDuplicatePath { path, other } => {
                write!(f, "manifest lists {path:?} and {other:?}, the same path")
            }
            PathTraversal { path } => write!(f, "path {path:?} contains '..'"),
            PathAbsolute { path } => write!(f, "path {path:?} is absolute"),
            PathBackslash { path } => write!(f, "path {path:?} contains a backslash"),
            PathInvalid { path, reason } => write!(f, "path {path:?} is invalid: {reason}"),
            PathNotUtf8 { path } => {
                write!(f, "name {path:?} is not UTF-8, or is non-ASCII without the zip UTF-8 flag (bit 11)")
            }
            PathNotNfc { path } => write!(f, "path {path:?} is not in Unicode NFC (composed) form"),
            PathComponentTooLong { path, bytes } => {
                write!(f, "path {path:?} has a component of {bytes} bytes (at most 255)")
            }
            PathReserved { path } => write!(f, "path {path:?} is archiver metadata (__MACOSX)"),
            PathPrefixConflict { path, file } => {
                write!(f, "path {path:?} needs {file:?} as a folder, but it is a file")
            }
            LayoutRerooted { reason } => write!(f, "a native installer would re-root the bundle: {reason}"),
            AppMismatch { expected, found } => {
                write!(f, "release is for app {found:?}, expected {expected:?}")
            }
            ChannelMismatch { expected, found } => {
                write!(f, "release is for channel {found:?}, expected {expected:?}")
            }
            PlatformMismatch { expected, found } => {
                write!(f, "release is for platforms {found:?}, not {expected:?}")
            }
            Downgrade { installed, found } => {
                write!(f, "release version {found} is not newer than installed {installed}")
            }
            NativeTooOld { required, native } => match native {
                Some(n) => write!(f, "release needs native version {required}, this is {n}"),
                None => write!(f, "release needs native version {required}, native version unknown"),
            },
            Expired { expires_at, now } => write!(f, "release expired at {expires_at} (now {now})"),
            NotYetValid { issued_at, now } => {
                write!(f, "release is issued at {issued_at}, in the future (now {now})")
            }
            ClockRollback { last_seen, now } => {
                write!(f, "clock reads {now}, before the last trusted time {last_seen}")
            }
            RolloutExcluded { rollout, bucket: Some(bucket) } => write!(
                f,
                "staged rollout to {rollout} per million installs does not include this install (bucket {bucket})"
            ),
            RolloutExcluded { rollout, bucket: None } => write!(
                f,
                "staged rollout to {rollout} per million installs, and no rollout bucket was given for this install"
            ),
            BundleTooLong { expected } => {
                write!(f, "bundle is longer than the signed {expected} bytes")
            }
            BundleTruncated { expected, actual } => {
                write!(f, "bundle ended after {actual} of the signed {expected} bytes")
            }
            BundleHashMismatch { expected, actual } => {
                write!(f, "bundle SHA-256 is {actual}, signed {expected}")
            }
            ZipHashMismatch { expected, actual } => {
                write!(f, "plaintext zip SHA-256 is {actual}, signed {expected}")
            }
            HashMismatch { path, expected, actual } => {
                write!(f, "{path}: SHA-256 is {actual}, signed {expected}")
            }
            SizeMismatch { path, expected, actual } => {
                write!(f, "{path}: size is {actual}, signed {expected}")
            }
            DecryptKeyUnknown { keyid } => write!(f, "no decryption key with key id {keyid}"),
            DecryptBindingMismatch => {
                write!(f, "associated data does not bind this app and version")
            }
            DecryptHeaderMalformed => write!(f, "malformed stream header"),
            DecryptHeaderMismatch => {
                write!(f, "stream header is not the signed one (another stream's header)")
            }
            DecryptTruncated { segment } => {
                write!(f, "stream truncated: segment {segment} is not the final segment")
            }
            DecryptTrailingData { segment } => {
                write!(f, "data follows the final segment {segment}")
            }
            DecryptSegmentReordered { segment, belongs_at } => {
                write!(f, "segment at position {segment} belongs at {belongs_at}: reordered or dropped")
            }
            DecryptSegmentDuplicated { segment, belongs_at } => {
                write!(f, "segment at position {segment} duplicates segment {belongs_at}")
            }
            DecryptTag { segment } => write!(f, "segment {segment} failed authentication"),
            ZipMalformed { offset, reason } => write!(f, "zip malformed at {offset}: {reason}"),
            ZipPrependedData => write!(f, "zip has data before its first local header"),
            ZipTrailingData => write!(f, "zip has data after its end record"),
            ZipUnsupportedMethod { path, method } => {
                write!(f, "{path}: compression method {method} is not stored or deflate")
            }
            ZipEncryptedEntry { path } => write!(f, "{path}: zip-encrypted entries are refused"),
            ZipUnsupportedFeature { path, feature } => {
                write!(f, "{path}: unsupported zip feature: {feature}")
            }
            ZipSymlink { path } => write!(f, "{path}: symbolic links are refused"),
            ZipNotAFile { path } => write!(f, "{path}: not a regular file"),
            ZipFileMode { path, mode } => write!(f, "{path}: mode {mode:o} is not readable by its owner"),
            ZipDuplicateEntry { path } => write!(f, "zip has {path:?} twice"),
            ZipCaseCollision { path, other } => {
                write!(f, "zip names {path:?} and {other:?} collide when case-folded")
            }
            ZipUnlistedEntry { path } => write!(f, "zip entry {path:?} is not signed"),
            ZipMissingFile { path } => write!(f, "signed file {path:?} is not in the zip"),
            ZipHeaderMismatch { path, field } => {
                write!(f, "{path}: local and central headers disagree on {field}")
            }
            ZipCrcMismatch { path } => write!(f, "{path}: CRC-32 mismatch"),
            ZipInflateFailed { path } => write!(f, "{path}: corrupt deflate data"),
        }
    }
}

impl std::error::Error for Error {}
