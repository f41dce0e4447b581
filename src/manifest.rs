//! The release manifest, v1: the DSSE payload that names everything that matters about a
//! release. Parsing is strict: unknown keys, duplicate keys, missing required keys, arrays in
//! place of objects, values out of range and non-canonical spellings (hex case, time format)
//! are all refused. Optional fields may be absent or `null`; the sealer writes `null`. Schema: `docs/FORMAT.md` §3.

use semver::Version;

use crate::archive::ArchivePath;
use crate::digest::{from_hex, to_hex, Sha256Digest};
use crate::error::{Error, Result};
use crate::json::{self, Value};
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

fn malformed(reason: impl Into<String>) -> Error {
    Error::ManifestMalformed { reason: reason.into() }
}

/// The first file (in manifest order) whose path equals an earlier one's ignoring ASCII case,
/// with the index of the earliest such earlier file. The lowercased paths are built once into
/// one buffer and indices sorted by them (no hashing, O(n log n) for any input, one pass for
/// a list already in order).
fn first_case_duplicate(paths: &[&str]) -> Option<(usize, usize)> {
    let mut text = Vec::with_capacity(paths.iter().map(|p| p.len()).sum());
    let mut ends = Vec::with_capacity(paths.len());
    for p in paths {
        text.extend(p.bytes().map(|c| c.to_ascii_lowercase()));
        ends.push(text.len());
    }
    let key = |i: usize| &text[if i == 0 { 0 } else { ends[i - 1] }..ends[i]];
    let by_key = crate::order::sorted_indices(paths.len(), &|a, b| key(a).cmp(key(b)).then(a.cmp(&b)));
    crate::order::first_repeat(&by_key, &|a, b| key(a) == key(b))
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

/// A file entry as written, before its checks.
struct RawFile<'v> {
    path: &'v str,
    size: u64,
    sha256: &'v str,
}

fn raw_file<'v>(value: &'v Value<'_>) -> Result<RawFile<'v>> {
    let m = json::members(value, "each file", ["path", "size", "sha256"]).map_err(malformed)?;
    Ok(RawFile {
        path: m.string("path").map_err(malformed)?,
        size: m.integer("size").map_err(malformed)?,
        sha256: m.string("sha256").map_err(malformed)?,
    })
}

const MANIFEST_MEMBERS: [&str; 12] = [
    "formatVersion",
    "app",
    "channel",
    "platforms",
    "version",
    "minNativeVersion",
    "issuedAt",
    "expiresAt",
    "rollout",
    "bundle",
    "encryption",
    "files",
];

impl Manifest {
    /// Parses and validates manifest JSON (the DSSE payload, already size-capped), in the
    /// order of FORMAT.md §3.6.
    pub fn parse(json: &[u8], limits: &Limits) -> Result<Self> {
        let doc = json::parse(json).map_err(malformed)?;
        let Value::Object(top) = &doc else {
            return Err(malformed("the manifest must be a JSON object"));
        };
        // Step 1: the version decides the schema, so it is read before anything else in the
        // document; only a repeated `formatVersion` is refused among the other members.
        let mut versions = top.iter().filter(|(k, _)| k == "formatVersion").map(|(_, v)| v);
        let version = versions.next().ok_or_else(|| malformed("missing member \"formatVersion\""))?;
        if versions.next().is_some() {
            return Err(malformed("member \"formatVersion\" appears twice in the manifest"));
        }
        let format_version = json::as_integer(version, "formatVersion").map_err(malformed)?;
        if format_version != FORMAT_VERSION {
            return Err(Error::FormatVersionUnsupported { found: format_version });
        }
        // Step 2: the whole document against the schema.
        let m = json::members(&doc, "the manifest", MANIFEST_MEMBERS).map_err(malformed)?;
        let app = m.string("app").map_err(malformed)?;
        let channel = m.string("channel").map_err(malformed)?;
        let platforms = m
            .array("platforms")
            .map_err(malformed)?
            .iter()
            .map(|p| json::as_string(p, "each platform").map_err(malformed))
            .collect::<Result<Vec<_>>>()?;
        let version_text = m.string("version").map_err(malformed)?;
        let min_native_text = m.optional_string("minNativeVersion").map_err(malformed)?;
        let issued_text = m.string("issuedAt").map_err(malformed)?;
        let expires_text = m.string("expiresAt").map_err(malformed)?;
        let rollout = m.optional_integer("rollout").map_err(malformed)?;
        let bundle =
            json::members(m.required("bundle").map_err(malformed)?, "bundle", BUNDLE_MEMBERS).map_err(malformed)?;
        let bundle_url = bundle.optional_string("url").map_err(malformed)?;
        let bundle_length = bundle.integer("length").map_err(malformed)?;
        let bundle_sha256 = bundle.string("sha256").map_err(malformed)?;
        let bundle_zip_length = bundle.integer("zipLength").map_err(malformed)?;
        let bundle_zip_sha256 = bundle.string("zipSha256").map_err(malformed)?;
        let encryption = m
            .optional("encryption")
            .map(|e| {
                let e = json::members(e, "encryption", ENCRYPTION_MEMBERS).map_err(malformed)?;
                Ok(RawEncryption {
                    scheme: e.string("scheme").map_err(malformed)?,
                    key_id: e.string("keyId").map_err(malformed)?,
                    segment_size: e.integer("segmentSize").map_err(malformed)?,
                    associated_data: e.string("associatedData").map_err(malformed)?,
                    header: e.string("header").map_err(malformed)?,
                })
            })
            .transpose()?;
        let raw_files = m.array("files").map_err(malformed)?.iter().map(raw_file).collect::<Result<Vec<_>>>()?;

        // Step 3: values, in the order of §3.6.
        identifier("app", app, MAX_APP_ID)?;
        identifier("channel", channel, MAX_CHANNEL)?;
        if platforms.is_empty() {
            return Err(malformed("platforms is empty"));
        }
        for (i, p) in platforms.iter().enumerate() {
            if !PLATFORMS.contains(p) {
                return Err(malformed(format!("platform {p:?} is not one of {PLATFORMS:?}")));
            }
            if platforms[..i].contains(p) {
                return Err(malformed(format!("platform {p:?} is listed twice")));
            }
        }
        let version = semver("version", version_text)?;
        let min_native_version = min_native_text.map(|v| semver("minNativeVersion", v)).transpose()?;
        let issued_at = time("issuedAt", issued_text)?;
        let expires_at = time("expiresAt", expires_text)?;
        if expires_at <= issued_at {
            return Err(malformed("expiresAt is not after issuedAt"));
        }
        let rollout = rollout
            .map(|r| {
                u32::try_from(r)
                    .ok()
                    .filter(|r| *r <= ROLLOUT_FULL)
                    .ok_or_else(|| malformed(format!("rollout must be 0..={ROLLOUT_FULL} (parts per million)")))
            })
            .transpose()?;

        if let Some(url) = bundle_url {
            if url.is_empty() || url.len() > MAX_URL || url.chars().any(|c| c.is_control() || c == ' ') {
                return Err(malformed(format!("bundle.url must be 1-{MAX_URL} characters, no spaces")));
            }
        }
        limits::check("max_bundle_bytes", limits.max_bundle_bytes, bundle_length)?;
        limits::check("max_bundle_bytes", limits.max_bundle_bytes, bundle_zip_length)?;
        let bundle = BundleInfo {
            url: bundle_url.map(str::to_string),
            length: bundle_length,
            sha256: digest("bundle.sha256", bundle_sha256)?,
            zip_length: bundle_zip_length,
            zip_sha256: digest("bundle.zipSha256", bundle_zip_sha256)?,
        };

        let encryption = encryption.map(|e| parse_encryption(e, app, &version, &bundle)).transpose()?;
        if encryption.is_none() && (bundle.length != bundle.zip_length || bundle.sha256 != bundle.zip_sha256) {
            return Err(malformed("an unencrypted bundle must have length = zipLength and sha256 = zipSha256"));
        }

        limits::check("max_files", limits.max_files, raw_files.len() as u64)?;
        if raw_files.is_empty() {
            return Err(malformed("files is empty"));
        }
        let mut files = Vec::with_capacity(raw_files.len());
        let paths: Vec<&str> = raw_files.iter().map(|f| f.path).collect();
        let duplicate = first_case_duplicate(&paths);
        let mut total: u64 = 0;
        for (i, f) in raw_files.iter().enumerate() {
            let path = ArchivePath::new(f.path, limits.max_path_bytes)?;
            limits::check("max_file_bytes", limits.max_file_bytes, f.size)?;
            total = total.saturating_add(f.size);
            limits::check("max_total_bytes", limits.max_total_bytes, total)?;
            if let Some((_, other)) = duplicate.filter(|&(at, _)| at == i) {
                let other: &FileEntry = &files[other];
                return Err(Error::ManifestDuplicatePath { path: path.to_string(), other: other.path.to_string() });
            }
            let sha256 = digest("files[].sha256", f.sha256)?;
            files.push(FileEntry { path, size: f.size, sha256 });
        }
        // The file list as a whole (§6.3): what the native side writes file by file, or
        // unpacks from the zip, lands at exactly these paths.
        crate::archive::path::check_file_set(files.iter().map(|f| &f.path))?;

        Ok(Manifest {
            app: app.to_string(),
            channel: channel.to_string(),
            platforms: platforms.iter().map(|p| p.to_string()).collect(),
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

    /// Canonical JSON of this manifest (compact, fixed key order): the DSSE payload. `rollout`
    /// is omitted when absent, so such a manifest is byte-identical to one written before the
    /// member existed.
    pub fn to_json(&self) -> Vec<u8> {
        let mut w = json::Writer::new(false);
        w.begin_object().key("formatVersion").integer(FORMAT_VERSION);
        w.key("app").string(&self.app).key("channel").string(&self.channel);
        w.key("platforms").begin_array();
        for p in &self.platforms {
            w.item().string(p);
        }
        w.end_array();
        w.key("version").string(&self.version.to_string());
        w.key("minNativeVersion").optional_string(self.min_native_version.as_ref().map(Version::to_string).as_deref());
        w.key("issuedAt").string(&format_rfc3339_utc(self.issued_at));
        w.key("expiresAt").string(&format_rfc3339_utc(self.expires_at));
        if let Some(r) = self.rollout {
            w.key("rollout").integer(u64::from(r));
        }
        w.key("bundle").begin_object();
        w.key("url").optional_string(self.bundle.url.as_deref());
        w.key("length").integer(self.bundle.length).key("sha256").string(&self.bundle.sha256.to_hex());
        w.key("zipLength").integer(self.bundle.zip_length).key("zipSha256").string(&self.bundle.zip_sha256.to_hex());
        w.end_object();
        w.key("encryption");
        match &self.encryption {
            Some(e) => {
                w.begin_object().key("scheme").string(ENCRYPTION_SCHEME).key("keyId").string(&e.key_id);
                w.key("segmentSize").integer(u64::from(e.segment_size));
                w.key("associatedData").string(&to_hex(&e.associated_data)).key("header").string(&to_hex(&e.header));
                w.end_object();
            }
            None => {
                w.null();
            }
        }
        w.key("files").begin_array();
        for f in &self.files {
            w.item().begin_object().key("path").string(f.path.as_str()).key("size").integer(f.size);
            w.key("sha256").string(&f.sha256.to_hex()).end_object();
        }
        w.end_array().end_object();
        w.finish().into_bytes()
    }
}

const BUNDLE_MEMBERS: [&str; 5] = ["url", "length", "sha256", "zipLength", "zipSha256"];
const ENCRYPTION_MEMBERS: [&str; 5] = ["scheme", "keyId", "segmentSize", "associatedData", "header"];

struct RawEncryption<'v> {
    scheme: &'v str,
    key_id: &'v str,
    segment_size: u64,
    associated_data: &'v str,
    header: &'v str,
}

fn parse_encryption(e: RawEncryption<'_>, app: &str, version: &Version, bundle: &BundleInfo) -> Result<EncryptionInfo> {
    if e.scheme != ENCRYPTION_SCHEME {
        return Err(malformed(format!("encryption.scheme {:?} is not {ENCRYPTION_SCHEME:?}", e.scheme)));
    }
    if Sha256Digest::from_hex(e.key_id).is_none() {
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
    let header: [u8; stream::HEADER_LEN] = from_hex(e.header)
        .and_then(|h| h.try_into().ok())
        .ok_or_else(|| malformed("encryption.header is not 40 bytes of lowercase hex"))?;
    if usize::from(header[0]) != stream::HEADER_LEN {
        return Err(malformed("encryption.header does not start with its length 0x28"));
    }
    let associated_data =
        from_hex(e.associated_data).ok_or_else(|| malformed("encryption.associatedData is not lowercase hex"))?;
    if associated_data != stream::binding(app, version) {
        return Err(Error::DecryptBindingMismatch);
    }
    let expected = stream::ciphertext_len(bundle.zip_length, segment_size);
    if expected != Some(bundle.length) {
        return Err(malformed("bundle.length is not the ciphertext length of zipLength"));
    }
    Ok(EncryptionInfo { key_id: e.key_id.to_string(), segment_size, associated_data, header })
}

#[cfg(test)]
mod tests {
    use super::first_case_duplicate;

    /// The definition: the first index with an earlier equal (ignoring ASCII case) path, and the
    /// earliest such earlier path.
    fn naive(paths: &[&str]) -> Option<(usize, usize)> {
        (0..paths.len()).find_map(|i| (0..i).find(|&j| paths[j].eq_ignore_ascii_case(paths[i])).map(|j| (i, j)))
    }

    #[test]
    fn first_case_duplicate_is_the_first_in_manifest_order() {
        let names = ["a", "A", "b", "B.js", "b.JS", "c/d", "C/D", "ä", "Ä", "index.html"];
        let mut seed = 7u32;
        for round in 0..3000 {
            let len = (round % 9) + 1;
            let paths: Vec<&str> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    names[(seed >> 16) as usize % names.len()]
                })
                .collect();
            assert_eq!(first_case_duplicate(&paths), naive(&paths), "{paths:?}");
            let mut sorted = paths.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(first_case_duplicate(&sorted), naive(&sorted), "{sorted:?}");
        }
    }
}
