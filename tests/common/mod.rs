//! Shared fixtures: keys, a trust root, sealing helpers, and a raw zip builder for crafting
//! archives the deterministic writer would never produce.
#![allow(dead_code)]

use otaseal::archive::ArchivePath;
use otaseal::digest::Sha256Digest;
use otaseal::envelope::Envelope;
use otaseal::keys::SigningKey;
use otaseal::limits::Limits;
use otaseal::manifest::{BundleInfo, FileEntry, Manifest, MANIFEST_PAYLOAD_TYPE};
use otaseal::open::{self, OpenedFile, VerifiedRelease};
use otaseal::policy::Policy;
use otaseal::seal::{self, Encryption, ReleaseInfo, Sealed};
use otaseal::stream::BundleKey;
use otaseal::trust::TrustRoot;
use otaseal::{Error, Result};

pub const APP: &str = "com.example.app";
pub const CHANNEL: &str = "production";
pub const ISSUED: i64 = 1_800_000_000;
pub const EXPIRES: i64 = ISSUED + 30 * 86_400;
pub const NOW: i64 = ISSUED + 3600;

pub fn signing_key(n: u8) -> SigningKey {
    SigningKey::from_seed(&[n; 32]).expect("fixed seed")
}

pub fn trust() -> TrustRoot {
    TrustRoot::new(1, 1, vec![signing_key(1).public().clone()]).expect("root")
}

pub fn bundle_key() -> BundleKey {
    BundleKey::from_bytes(&[0x42; 32]).expect("key")
}

pub fn policy() -> Policy {
    let mut p = Policy::new(APP, CHANNEL, "ios", NOW);
    p.installed_version = Some("1.0.0".parse().expect("semver"));
    p.native_version = Some("5.0.0".parse().expect("semver"));
    p
}

pub fn info(version: &str) -> ReleaseInfo {
    ReleaseInfo {
        app: APP.into(),
        channel: CHANNEL.into(),
        platforms: vec!["ios".into(), "android".into()],
        version: version.parse().expect("semver"),
        min_native_version: Some("4.0.0".parse().expect("semver")),
        issued_at: ISSUED,
        expires_at: EXPIRES,
        url: Some("https://updates.example.com/app-2.0.0.bin".into()),
        rollout: None,
    }
}

/// Bytes that do not compress: SHA-256 in counter mode.
pub fn noise(len: usize, seed: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 32);
    let mut counter = 0u64;
    while out.len() < len {
        let mut block = vec![seed];
        block.extend_from_slice(&counter.to_le_bytes());
        out.extend_from_slice(&Sha256Digest::of(&block).0);
        counter += 1;
    }
    out.truncate(len);
    out
}

pub fn sample_files() -> Vec<(String, Vec<u8>)> {
    vec![
        ("index.html".into(), b"<!doctype html><script src=app.js></script>".to_vec()),
        ("app.js".into(), b"console.log('v2');\n".repeat(200)),
        ("assets/logo.bin".into(), noise(3000, 7)),
        ("empty.txt".into(), Vec::new()),
    ]
}

pub fn entries(files: Vec<(String, Vec<u8>)>) -> Vec<(ArchivePath, Vec<u8>)> {
    seal::archive_entries(files, &Limits::default()).expect("paths")
}

pub fn seal_with(files: Vec<(String, Vec<u8>)>, encrypt: Option<u32>) -> Sealed {
    let enc = encrypt.map(|segment_size| Encryption { key: bundle_key(), segment_size });
    seal::seal(&entries(files), &info("2.0.0"), enc.as_ref(), &[&signing_key(1)], &Limits::default()).expect("seal")
}

pub fn verify(sealed: &Sealed) -> Result<VerifiedRelease> {
    open::verify_release(sealed.envelope.to_json().as_bytes(), &trust(), &policy(), &Limits::default())
}

/// Verifies and opens `bundle` against `envelope_json`, pushing `chunk`-byte pieces.
pub fn open_with(envelope_json: &str, bundle: &[u8], chunk: usize) -> Result<Vec<OpenedFile>> {
    let release = open::verify_release(envelope_json.as_bytes(), &trust(), &policy(), &Limits::default())?;
    let mut opener = open::Opener::new(release, &[bundle_key()], &Limits::default(), open::MemorySink::new())?;
    for piece in bundle.chunks(chunk.max(1)) {
        opener.push(piece)?;
    }
    Ok(opener.finish()?.sink.into_files())
}

pub fn code<T>(r: Result<T>) -> &'static str {
    match r {
        Ok(_) => "OK",
        Err(e) => e.code(),
    }
}

/// Signs an unencrypted manifest around arbitrary `bundle` bytes and file list, so crafted
/// archives reach the zip reader (length and hashes of the bundle are made to match).
pub fn envelope_for_raw_zip(bundle: &[u8], files: Vec<(&str, &[u8])>) -> String {
    let digest = Sha256Digest::of(bundle);
    let manifest = Manifest {
        app: APP.into(),
        channel: CHANNEL.into(),
        platforms: vec!["ios".into()],
        version: "2.0.0".parse().expect("semver"),
        min_native_version: None,
        issued_at: ISSUED,
        expires_at: EXPIRES,
        rollout: None,
        bundle: BundleInfo {
            url: None,
            length: bundle.len() as u64,
            sha256: digest,
            zip_length: bundle.len() as u64,
            zip_sha256: digest,
        },
        encryption: None,
        files: files
            .into_iter()
            .map(|(p, d)| FileEntry {
                path: ArchivePath::new(p, 512).expect("path"),
                size: d.len() as u64,
                sha256: Sha256Digest::of(d),
            })
            .collect(),
    };
    sign_manifest(&manifest)
}

pub fn sign_manifest(manifest: &Manifest) -> String {
    sign_payload(manifest.to_json())
}

pub fn sign_payload(payload: Vec<u8>) -> String {
    let mut env = Envelope::new(MANIFEST_PAYLOAD_TYPE, payload);
    env.sign(&signing_key(1)).expect("sign");
    env.to_json()
}

/// Rewrites the manifest JSON inside a sealed envelope (as a publisher would) and re-signs.
pub fn resign_with(sealed: &Sealed, edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value = serde_json::from_slice(&sealed.envelope.payload).expect("json");
    edit(&mut v);
    sign_payload(serde_json::to_vec(&v).expect("json"))
}

pub fn err(e: Error) -> &'static str {
    e.code()
}

/// One zip entry with every header field under the test's control.
#[derive(Clone)]
pub struct RawEntry {
    pub name: Vec<u8>,
    pub body: Vec<u8>,
    pub method: u16,
    pub flags: u16,
    pub crc: u32,
    pub csize: u32,
    pub usize: u32,
    pub version_needed: u16,
    pub extra: Vec<u8>,
    pub made_by: u16,
    pub external: u32,
    pub central_crc: Option<u32>,
    pub central_name: Option<Vec<u8>>,
}

impl RawEntry {
    /// A valid stored entry.
    pub fn stored(name: &str, content: &[u8]) -> Self {
        RawEntry {
            name: name.as_bytes().to_vec(),
            body: content.to_vec(),
            method: 0,
            flags: 0x0800,
            crc: crc32fast::hash(content),
            csize: content.len() as u32,
            usize: content.len() as u32,
            version_needed: 20,
            extra: Vec::new(),
            made_by: 0x031E,
            external: 0o100_644 << 16,
            central_crc: None,
            central_name: None,
        }
    }

    /// A valid deflated entry.
    pub fn deflated(name: &str, content: &[u8]) -> Self {
        let body = miniz_oxide::deflate::compress_to_vec(content, 6);
        RawEntry { method: 8, csize: body.len() as u32, body, ..Self::stored(name, content) }
    }
}

/// Builds a zip from raw entries; `prepend`/`append` add bytes around it.
pub fn raw_zip(entries: &[RawEntry], prepend: &[u8], append: &[u8]) -> Vec<u8> {
    let mut out = prepend.to_vec();
    let base = out.len();
    let mut central = Vec::new();
    for e in entries {
        let offset = (out.len() - base) as u32;
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        for v in [e.version_needed, e.flags, e.method, 0, 0x21] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [e.crc, e.csize, e.usize] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&(e.extra.len() as u16).to_le_bytes());
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&e.extra);
        out.extend_from_slice(&e.body);

        let cname = e.central_name.clone().unwrap_or_else(|| e.name.clone());
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        for v in [e.made_by, e.version_needed, e.flags, e.method, 0, 0x21] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [e.central_crc.unwrap_or(e.crc), e.csize, e.usize] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&(cname.len() as u16).to_le_bytes());
        central.extend_from_slice(&(e.extra.len() as u16).to_le_bytes());
        for v in [0u16, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&e.external.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(&cname);
        central.extend_from_slice(&e.extra);
    }
    let cd_offset = (out.len() - base) as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    let n = entries.len() as u16;
    for v in [0u16, 0, n, n] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(append);
    out
}

/// Opens a crafted zip whose manifest lists `files`.
pub fn open_raw(zip: &[u8], files: Vec<(&str, &[u8])>) -> &'static str {
    let env = envelope_for_raw_zip(zip, files);
    code(open_with(&env, zip, 17))
}

// ---- hardening helpers (attack_corpus.rs, mutation.rs, fuzz_regressions.rs) -------------------

/// A release around arbitrary plaintext `zip` bytes: a manifest that lists `files` (whatever the
/// zip holds) with the bundle length and hashes made to match, signed by the fixture key.
/// `segment_size` encrypts the zip with `bundle_key()` first. Returns (envelope JSON, bundle).
pub fn seal_raw_zip(zip: &[u8], files: Vec<FileEntry>, segment_size: Option<u32>) -> (String, Vec<u8>) {
    let (manifest, bundle) = raw_zip_release(zip, files, segment_size);
    (sign_manifest(&manifest), bundle)
}

/// The unsigned manifest and the delivered bundle for `seal_raw_zip`.
pub fn raw_zip_release(zip: &[u8], files: Vec<FileEntry>, segment_size: Option<u32>) -> (Manifest, Vec<u8>) {
    use otaseal::stream::{binding, encrypt_all, HEADER_LEN};
    let version: semver::Version = "2.0.0".parse().expect("semver");
    let (bundle, encryption) = match segment_size {
        None => (zip.to_vec(), None),
        Some(segment_size) => {
            let associated_data = binding(APP, &version);
            let ct = encrypt_all(&bundle_key(), &associated_data, segment_size, zip).expect("encrypt");
            let header: [u8; HEADER_LEN] = ct[..HEADER_LEN].try_into().expect("header");
            let key_id = bundle_key().key_id().to_string();
            (ct, Some(otaseal::manifest::EncryptionInfo { key_id, segment_size, associated_data, header }))
        }
    };
    let manifest = Manifest {
        app: APP.into(),
        channel: CHANNEL.into(),
        platforms: vec!["ios".into()],
        version,
        min_native_version: None,
        issued_at: ISSUED,
        expires_at: EXPIRES,
        rollout: None,
        bundle: BundleInfo {
            url: None,
            length: bundle.len() as u64,
            sha256: Sha256Digest::of(&bundle),
            zip_length: zip.len() as u64,
            zip_sha256: Sha256Digest::of(zip),
        },
        encryption,
        files,
    };
    (manifest, bundle)
}
// ---- end of hardening helpers ------------------------------------------------------------------
