//! Shared fixtures for the fuzz targets: the keys, trust root, policy and limits every target
//! uses, input splitting, and a helper that turns arbitrary zip bytes into a manifest that
//! lists what the zip claims to hold, so the archive reader gets past its listing checks.
//!
//! The fixture values match `tests/common/mod.rs` (keys from seeds `[1; 32]`, `[2; 32]`,
//! bundle key `[0x42; 32]`, app `com.example.app`, channel `production`), so seeds written by
//! `tests/fuzz_regressions.rs` verify here.

use std::sync::OnceLock;

use otaseal::archive::ArchivePath;
use otaseal::digest::Sha256Digest;
use otaseal::envelope::Envelope;
use otaseal::keys::SigningKey;
use otaseal::limits::Limits;
use otaseal::manifest::{BundleInfo, EncryptionInfo, FileEntry, Manifest, MANIFEST_PAYLOAD_TYPE};
use otaseal::open::{MemorySink, OpenedFile, Opener, VerifiedRelease};
use otaseal::policy::Policy;
use otaseal::stream::{self, BundleKey};
use otaseal::trust::TrustRoot;
use otaseal::{Error, Result};

pub const APP: &str = "com.example.app";
pub const CHANNEL: &str = "production";
pub const ISSUED: i64 = 1_800_000_000;
pub const NOW: i64 = ISSUED + 3600;
pub const SEGMENT_SIZE: u32 = 4096;

pub struct Fixtures {
    pub key1: SigningKey,
    pub key2: SigningKey,
    /// Version 1, threshold 1, key 1.
    pub trust: TrustRoot,
    pub bundle_key: BundleKey,
    pub policy: Policy,
    /// Defaults, but files, totals and bundles capped so no input makes a sink reserve
    /// hundreds of megabytes (the manifest is what bounds allocations).
    pub limits: Limits,
}

pub fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(|| {
        let key1 = SigningKey::from_seed(&[1; 32]).expect("seed");
        let key2 = SigningKey::from_seed(&[2; 32]).expect("seed");
        let trust = TrustRoot::new(1, 1, vec![key1.public().clone()]).expect("root");
        let mut policy = Policy::new(APP, CHANNEL, "ios", NOW);
        policy.native_version = "5.0.0".parse().ok();
        let limits = Limits {
            max_file_bytes: 1 << 20,
            max_total_bytes: 4 << 20,
            max_bundle_bytes: 4 << 20,
            ..Limits::default()
        };
        Fixtures { key1, key2, trust, bundle_key: BundleKey::from_bytes(&[0x42; 32]).expect("key"), policy, limits }
    })
}

/// Splits `data` into a little-endian u16 and the rest (0 when too short).
pub fn take_u16(data: &[u8]) -> (u16, &[u8]) {
    match data {
        [a, b, rest @ ..] => (u16::from_le_bytes([*a, *b]), rest),
        _ => (0, &[]),
    }
}

/// Chunk lengths for feeding `len` bytes: the bytes of `plan` (each + 1) in turn, cycling.
pub fn chunks<'a>(data: &'a [u8], plan: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    let mut i = 0;
    while !rest.is_empty() {
        let n = if plan.is_empty() { rest.len() } else { usize::from(plan[i % plan.len()]) * 97 + 1 };
        let (now, later) = rest.split_at(n.min(rest.len()));
        out.push(now);
        rest = later;
        i += 1;
    }
    out
}

/// The local entries a zip claims, read leniently front to back: (name, uncompressed size).
/// Stops at the first thing that is not a local header.
pub fn claimed_entries(zip: &[u8]) -> Vec<(String, u64)> {
    let u16_at = |at: usize| usize::from(u16::from_le_bytes([zip[at], zip[at + 1]]));
    let u32_at = |at: usize| u32::from_le_bytes([zip[at], zip[at + 1], zip[at + 2], zip[at + 3]]);
    let mut out = Vec::new();
    let mut at = 0usize;
    while at + 30 <= zip.len() && u32_at(at) == 0x0403_4b50 && out.len() < 64 {
        let name_len = u16_at(at + 26);
        let extra_len = u16_at(at + 28);
        let Some(name) = zip.get(at + 30..at + 30 + name_len) else { break };
        out.push((String::from_utf8_lossy(name).into_owned(), u64::from(u32_at(at + 22))));
        at = at + 30 + name_len + extra_len + u32_at(at + 18) as usize;
    }
    out
}

/// A manifest listing the valid, distinct (after case folding) names a zip claims, with their
/// claimed sizes and placeholder hashes, for `bundle` (the zip, or its encryption). Built as a
/// verifier would accept it: re-parsed with the fixture limits, `None` if refused.
pub fn manifest_for(zip: &[u8], bundle: &[u8], header: Option<[u8; stream::HEADER_LEN]>) -> Option<Manifest> {
    let f = fixtures();
    let mut files: Vec<FileEntry> = Vec::new();
    for (name, size) in claimed_entries(zip) {
        let Ok(path) = ArchivePath::new(&name, f.limits.max_path_bytes) else { continue };
        if size > f.limits.max_file_bytes || files.iter().any(|e| e.path.folded() == path.folded()) {
            continue;
        }
        files.push(FileEntry { path, size, sha256: Sha256Digest([0; 32]) });
    }
    if files.is_empty() {
        files.push(FileEntry {
            path: ArchivePath::new("index.html", 512).ok()?,
            size: 0,
            sha256: Sha256Digest([0; 32]),
        });
    }
    let version: semver::Version = "2.0.0".parse().ok()?;
    let encryption = header.map(|header| EncryptionInfo {
        key_id: f.bundle_key.key_id().to_string(),
        segment_size: SEGMENT_SIZE,
        associated_data: stream::binding(APP, &version),
        header,
    });
    let m = Manifest {
        app: APP.into(),
        channel: CHANNEL.into(),
        platforms: vec!["ios".into()],
        version,
        min_native_version: None,
        issued_at: ISSUED,
        expires_at: ISSUED + 86_400,
        rollout: None,
        bundle: BundleInfo {
            url: None,
            length: bundle.len() as u64,
            sha256: Sha256Digest::of(bundle),
            zip_length: zip.len() as u64,
            zip_sha256: Sha256Digest::of(zip),
        },
        encryption,
        files,
    };
    Manifest::parse(&m.to_json(), &f.limits).ok()
}

/// Opens `bundle` for `manifest` (no signature: the release is taken as verified), pushing
/// the given chunks.
pub fn open_unsigned(manifest: &Manifest, pieces: &[&[u8]]) -> Result<Vec<OpenedFile>> {
    let f = fixtures();
    let release = VerifiedRelease { manifest: manifest.clone(), signed_by: Vec::new() };
    let mut opener = Opener::new(release, std::slice::from_ref(&f.bundle_key), &f.limits, MemorySink::new())?;
    for piece in pieces {
        opener.push(piece)?;
    }
    Ok(opener.finish()?.sink.into_files())
}

/// Opens with the manifest's placeholder hashes replaced, one at a time, by the hashes the
/// opener reports, so files after the first get checked too. Returns the final manifest and
/// result.
pub fn open_fixing_hashes(mut manifest: Manifest, pieces: &[&[u8]]) -> (Manifest, Result<Vec<OpenedFile>>) {
    for _ in 0..=manifest.files.len() {
        let result = open_unsigned(&manifest, pieces);
        let Err(Error::HashMismatch { path, actual, .. }) = &result else {
            return (manifest, result);
        };
        let Some(file) = manifest.files.iter_mut().find(|f| f.path.as_str() == path) else {
            return (manifest, result);
        };
        let Some(digest) = Sha256Digest::from_hex(actual) else { return (manifest, result) };
        if file.sha256 == digest {
            return (manifest, result);
        }
        file.sha256 = digest;
    }
    let result = open_unsigned(&manifest, pieces);
    (manifest, result)
}

/// A manifest envelope over `payload`, signed by key 1.
pub fn signed_manifest(payload: &[u8]) -> String {
    let mut env = Envelope::new(MANIFEST_PAYLOAD_TYPE, payload.to_vec());
    env.sign(&fixtures().key1).expect("sign");
    env.to_json()
}

/// The error code, or "OK".
pub fn code<T>(r: &Result<T>) -> &'static str {
    match r {
        Ok(_) => "OK",
        Err(e) => e.code(),
    }
}
