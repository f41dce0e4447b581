//! The release manifest, v1: the DSSE payload that names everything that matters about a
//! release. Parsing is strict: unknown keys, duplicate keys, missing required keys, arrays in
//! place of objects, values out of range and non-canonical spellings (hex case, time format)
//! are all refused. Optional fields may be absent or `null`; the sealer writes `null`. Schema: `docs/FORMAT.md` §3.

use semver::Version;
use serde::{Deserialize, Serialize};

use crate::archive::ArchivePath;
use crate::digest::{from_hex, to_hex, Sha256Digest};
use crate::error::{Error, Result};
use crate::limits::{self, Limits};
use crate::stream;
use crate::timestamp::{format_rfc3339_utc, parse_rfc3339_utc};

/// DSSE payloadType of a release manifest.
pub const MANIFEST_PAYLOAD_TYPE: &str = "application/vnd.otaseal.manifest+json; version=1";
/// The only manifest format version this crate implements.
pub const FORMAT_VERSION: u64 = 1;
/// `encryption.scheme` for Tink's streaming AEAD, AES-256-GCM-HKDF-SHA256.
pub const ENCRYPTION_SCHEME: &str = "tink-aes256-gcm-hkdf-sha256-streaming";
/// Platforms a release may name.
pub const PLATFORMS: &[&str] = &["android", "ios", "web"];
/// Longest app id, channel, and URL accepted.
const MAX_APP_ID: usize = 255;
const MAX_CHANNEL: usize = 64;
const MAX_URL: usize = 2048;
const MAX_VERSION_TEXT: usize = 128;
/// `rollout` is in parts per million: this value (and an absent `rollout`) means every
/// install; 0 means none. Integers only (`docs/FORMAT.md` §1, §3.7).
pub const ROLLOUT_FULL: u32 = 1_000_000;

/// A validated v1 manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub app: String,
    pub channel: String,
    pub platforms: Vec<String>,
    pub version: Version,
    pub min_native_version: Option<Version>,
    /// Unix seconds.
    pub issued_at: i64,
    /// Unix seconds; strictly after `issued_at`.
    pub expires_at: i64,
    /// Staged rollout in parts per million (0..=`ROLLOUT_FULL`); `None` is every install.
    pub rollout: Option<u32>,
    pub bundle: BundleInfo,
    pub encryption: Option<EncryptionInfo>,
    pub files: Vec<FileEntry>,
}

/// The delivered bundle and the plaintext zip inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleInfo {
    pub url: Option<String>,
    /// Exact length of the delivered bytes (ciphertext when encrypted).
    pub length: u64,
    pub sha256: Sha256Digest,
    /// Exact length of the plaintext zip (equal to `length` when not encrypted).
    pub zip_length: u64,
    /// SHA-256 of the plaintext zip: the checksum native updaters compare.
    pub zip_sha256: Sha256Digest,
}

/// Parameters of the Tink streaming AEAD encryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptionInfo {
    /// Key id of the bundle key (`stream::BundleKey::key_id`).
    pub key_id: String,
    /// Tink's ciphertext segment size.
    pub segment_size: u32,
    /// Tink's associated data (HKDF info): `stream::binding(app, version)`.
    pub associated_data: Vec<u8>,
    /// The stream's 40-byte header, so a header from another stream is named as such.
    pub header: [u8; stream::HEADER_LEN],
}

/// One signed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    pub path: ArchivePath,
    pub size: u64,
    pub sha256: Sha256Digest,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ManifestJson {
    format_version: u64,
    app: String,
    channel: String,
    platforms: Vec<String>,
    version: String,
    #[serde(default)]
    min_native_version: Option<String>,
    issued_at: String,
    expires_at: String,
    /// Omitted when absent, so a manifest without a rollout is byte-identical to one written
    /// before the member existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rollout: Option<u64>,
    bundle: BundleJson,
    #[serde(default)]
    encryption: Option<EncryptionJson>,
    files: Vec<FileJson>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct BundleJson {
    #[serde(default)]
    url: Option<String>,
    length: u64,
    sha256: String,
    zip_length: u64,
    zip_sha256: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct EncryptionJson {
    scheme: String,
    key_id: String,
    segment_size: u64,
    associated_data: String,
    header: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileJson {
    path: String,
    size: u64,
    sha256: String,
}

/// Reads only `formatVersion`, so a future format is named as such rather than as malformed.
#[derive(Deserialize)]
struct VersionProbe {
    #[serde(rename = "formatVersion")]
    format_version: u64,
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::ManifestMalformed { reason: reason.into() }
}

/// The first file (in manifest order) whose path equals an earlier one's ignoring ASCII case,
/// with the index of the earliest such earlier file. Sorting indices costs no allocation and no
/// hashing (a `HashMap` of folded paths was a tenth of a cold 3000-file verification), and stays
/// O(n log n) for any input.
fn first_case_duplicate(files: &[FileJson]) -> Option<(usize, usize)> {
    let folded = |i: usize| files[i].path.bytes().map(|c| c.to_ascii_lowercase());
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_unstable_by(|&a, &b| folded(a).cmp(folded(b)).then(a.cmp(&b)));
    // Within a run of equal paths the order is by index: its second element is the run's first
    // duplicate, and its neighbour the run's earliest file.
    order.windows(2).filter(|w| folded(w[0]).eq(folded(w[1]))).map(|w| (w[1], w[0])).min_by_key(|&(dup, _)| dup)
}

fn digest(field: &str, text: &str) -> Result<Sha256Digest> {
    Sha256Digest::from_hex(text).ok_or_else(|| malformed(format!("{field} is not 64 lowercase hex characters")))
}

fn semver(field: &str, text: &str) -> Result<Version> {
    if text.len() > MAX_VERSION_TEXT {
        return Err(malformed(format!("{field} is longer than {MAX_VERSION_TEXT} bytes")));
    }
    Version::parse(text).map_err(|e| malformed(format!("{field} {text:?} is not SemVer 2.0 ({e})")))
}

fn identifier(field: &str, text: &str, max: usize) -> Result<()> {
    let ok = !text.is_empty()
        && text.len() <= max
        && text.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'));
    if ok {
        Ok(())
    } else {
        Err(malformed(format!("{field} must be 1-{max} characters of A-Z a-z 0-9 . - _")))
    }
}

fn time(field: &str, text: &str) -> Result<i64> {
    parse_rfc3339_utc(text).ok_or_else(|| malformed(format!("{field} is not YYYY-MM-DDTHH:MM:SSZ")))
}

impl Manifest {
    /// Parses and validates manifest JSON (the DSSE payload, already size-capped).
    pub fn parse(json: &[u8], limits: &Limits) -> Result<Self> {
        // The version decides the schema, so it is checked before anything else in the
        // document (FORMAT.md §3.6.1); only the top level must be an object for that.
        if !crate::json::starts_as_object(json) {
            return Err(malformed("the manifest must be a JSON object"));
        }
        let probe: VersionProbe = serde_json::from_slice(json).map_err(|e| malformed(e.to_string()))?;
        if probe.format_version != FORMAT_VERSION {
            return Err(Error::FormatVersionUnsupported { found: probe.format_version });
        }
        if !crate::json::objects_at(json, &["bundle", "encryption", "files[]"]) {
            return Err(malformed("bundle, encryption and each file must be JSON objects"));
        }
        let raw: ManifestJson = serde_json::from_slice(json).map_err(|e| malformed(e.to_string()))?;
        Self::from_json(raw, limits)
    }

    fn from_json(raw: ManifestJson, limits: &Limits) -> Result<Self> {
        identifier("app", &raw.app, MAX_APP_ID)?;
        identifier("channel", &raw.channel, MAX_CHANNEL)?;
        if raw.platforms.is_empty() {
            return Err(malformed("platforms is empty"));
        }
        for (i, p) in raw.platforms.iter().enumerate() {
            if !PLATFORMS.contains(&p.as_str()) {
                return Err(malformed(format!("platform {p:?} is not one of {PLATFORMS:?}")));
            }
            if raw.platforms[..i].contains(p) {
                return Err(malformed(format!("platform {p:?} is listed twice")));
            }
        }
        let version = semver("version", &raw.version)?;
        let min_native_version =
            raw.min_native_version.as_deref().map(|v| semver("minNativeVersion", v)).transpose()?;
        let issued_at = time("issuedAt", &raw.issued_at)?;
        let expires_at = time("expiresAt", &raw.expires_at)?;
        if expires_at <= issued_at {
            return Err(malformed("expiresAt is not after issuedAt"));
        }
        let rollout = raw
            .rollout
            .map(|r| {
                u32::try_from(r)
                    .ok()
                    .filter(|r| *r <= ROLLOUT_FULL)
                    .ok_or_else(|| malformed(format!("rollout must be 0..={ROLLOUT_FULL} (parts per million)")))
            })
            .transpose()?;

        let b = raw.bundle;
        if let Some(url) = &b.url {
            if url.is_empty() || url.len() > MAX_URL || url.chars().any(|c| c.is_control() || c == ' ') {
                return Err(malformed(format!("bundle.url must be 1-{MAX_URL} characters, no spaces")));
            }
        }
        limits::check("max_bundle_bytes", limits.max_bundle_bytes, b.length)?;
        limits::check("max_bundle_bytes", limits.max_bundle_bytes, b.zip_length)?;
        let bundle = BundleInfo {
            url: b.url,
            length: b.length,
            sha256: digest("bundle.sha256", &b.sha256)?,
            zip_length: b.zip_length,
            zip_sha256: digest("bundle.zipSha256", &b.zip_sha256)?,
        };

        let encryption = raw.encryption.map(|e| parse_encryption(e, &raw.app, &version, &bundle)).transpose()?;
        if encryption.is_none() && (bundle.length != bundle.zip_length || bundle.sha256 != bundle.zip_sha256) {
            return Err(malformed("an unencrypted bundle must have length = zipLength and sha256 = zipSha256"));
        }

        limits::check("max_files", limits.max_files, raw.files.len() as u64)?;
        if raw.files.is_empty() {
            return Err(malformed("files is empty"));
        }
        let mut files = Vec::with_capacity(raw.files.len());
        let duplicate = first_case_duplicate(&raw.files);
        let mut total: u64 = 0;
        for (i, f) in raw.files.into_iter().enumerate() {
            let path = ArchivePath::new(&f.path, limits.max_path_bytes)?;
            limits::check("max_file_bytes", limits.max_file_bytes, f.size)?;
            total = total.saturating_add(f.size);
            limits::check("max_total_bytes", limits.max_total_bytes, total)?;
            if let Some((_, other)) = duplicate.filter(|&(at, _)| at == i) {
                let other: &FileEntry = &files[other];
                return Err(Error::ManifestDuplicatePath { path: path.to_string(), other: other.path.to_string() });
            }
            let sha256 = digest("files[].sha256", &f.sha256)?;
            files.push(FileEntry { path, size: f.size, sha256 });
        }
        // The file list as a whole (§6.3): what the native side writes file by file, or
        // unpacks from the zip, lands at exactly these paths.
        crate::archive::path::check_file_set(files.iter().map(|f| &f.path))?;

        Ok(Manifest {
            app: raw.app,
            channel: raw.channel,
            platforms: raw.platforms,
            version,
            min_native_version,
            issued_at,
            expires_at,
            rollout,
            bundle,
            encryption,
            files,
        })
    }

    /// Canonical JSON of this manifest (compact, fixed key order): the DSSE payload.
    pub fn to_json(&self) -> Vec<u8> {
        let raw = ManifestJson {
            format_version: FORMAT_VERSION,
            app: self.app.clone(),
            channel: self.channel.clone(),
            platforms: self.platforms.clone(),
            version: self.version.to_string(),
            min_native_version: self.min_native_version.as_ref().map(Version::to_string),
            issued_at: format_rfc3339_utc(self.issued_at),
            expires_at: format_rfc3339_utc(self.expires_at),
            rollout: self.rollout.map(u64::from),
            bundle: BundleJson {
                url: self.bundle.url.clone(),
                length: self.bundle.length,
                sha256: self.bundle.sha256.to_hex(),
                zip_length: self.bundle.zip_length,
                zip_sha256: self.bundle.zip_sha256.to_hex(),
            },
            encryption: self.encryption.as_ref().map(|e| EncryptionJson {
                scheme: ENCRYPTION_SCHEME.to_string(),
                key_id: e.key_id.clone(),
                segment_size: u64::from(e.segment_size),
                associated_data: to_hex(&e.associated_data),
                header: to_hex(&e.header),
            }),
            files: self
                .files
                .iter()
                .map(|f| FileJson { path: f.path.to_string(), size: f.size, sha256: f.sha256.to_hex() })
                .collect(),
        };
        // Strings and integers only: serialisation cannot fail.
        serde_json::to_vec(&raw).unwrap_or_default()
    }
}

fn parse_encryption(e: EncryptionJson, app: &str, version: &Version, bundle: &BundleInfo) -> Result<EncryptionInfo> {
    if e.scheme != ENCRYPTION_SCHEME {
        return Err(malformed(format!("encryption.scheme {:?} is not {ENCRYPTION_SCHEME:?}", e.scheme)));
    }
    if Sha256Digest::from_hex(&e.key_id).is_none() {
        return Err(malformed("encryption.keyId is not 64 lowercase hex characters"));
    }
    let segment_size = u32::try_from(e.segment_size)
        .ok()
        .filter(|s| (stream::MIN_SEGMENT_SIZE..=stream::MAX_SEGMENT_SIZE).contains(s))
        .ok_or_else(|| {
            malformed(format!(
                "encryption.segmentSize must be {}..={}",
                stream::MIN_SEGMENT_SIZE,
                stream::MAX_SEGMENT_SIZE
            ))
        })?;
    let header: [u8; stream::HEADER_LEN] = from_hex(&e.header)
        .and_then(|h| h.try_into().ok())
        .ok_or_else(|| malformed("encryption.header is not 40 bytes of lowercase hex"))?;
    if usize::from(header[0]) != stream::HEADER_LEN {
        return Err(malformed("encryption.header does not start with its length 0x28"));
    }
    let associated_data =
        from_hex(&e.associated_data).ok_or_else(|| malformed("encryption.associatedData is not lowercase hex"))?;
    if associated_data != stream::binding(app, version) {
        return Err(Error::DecryptBindingMismatch);
    }
    let expected = stream::ciphertext_len(bundle.zip_length, segment_size);
    if expected != Some(bundle.length) {
        return Err(malformed("bundle.length is not the ciphertext length of zipLength"));
    }
    Ok(EncryptionInfo { key_id: e.key_id, segment_size, associated_data, header })
}
