//! The publisher side: zip, hash, optionally encrypt, build and sign the manifest.

use semver::Version;

use crate::archive::{write_zip, ArchivePath};
use crate::digest::Sha256Digest;
use crate::envelope::Envelope;
use crate::error::{Error, Result};
use crate::keys::SigningKey;
use crate::limits::Limits;
use crate::manifest::{BundleInfo, EncryptionInfo, FileEntry, Manifest, MANIFEST_PAYLOAD_TYPE};
use crate::stream::{self, BundleKey, StreamEncryptor};

/// What a release is: everything the manifest signs besides the bundle itself.
#[derive(Debug, Clone)]
pub struct ReleaseInfo {
    pub app: String,
    pub channel: String,
    pub platforms: Vec<String>,
    pub version: Version,
    pub min_native_version: Option<Version>,
    /// Unix seconds.
    pub issued_at: i64,
    /// Unix seconds, after `issued_at`.
    pub expires_at: i64,
    pub url: Option<String>,
    /// Staged rollout in parts per million (`manifest::ROLLOUT_FULL` = all); `None` = all.
    pub rollout: Option<u32>,
}

/// Optional encryption: a bundle key and Tink's ciphertext segment size.
#[derive(Debug, Clone)]
pub struct Encryption {
    pub key: BundleKey,
    pub segment_size: u32,
}

/// A sealed release: the bytes to host and the signed envelope.
#[derive(Debug, Clone)]
pub struct Sealed {
    pub bundle: Vec<u8>,
    pub zip: Vec<u8>,
    pub manifest: Manifest,
    pub envelope: Envelope,
}

/// Validates raw `(path, bytes)` pairs into archive entries.
pub fn archive_entries(files: Vec<(String, Vec<u8>)>, limits: &Limits) -> Result<Vec<(ArchivePath, Vec<u8>)>> {
    files.into_iter().map(|(p, d)| Ok((ArchivePath::new(&p, limits.max_path_bytes)?, d))).collect()
}

/// Seals `files`: deterministic zip, optional encryption, manifest signed by every signer.
/// The manifest is re-parsed with `limits` before signing, so nothing is signed that a
/// verifier with the same limits would refuse.
pub fn seal(
    files: &[(ArchivePath, Vec<u8>)],
    info: &ReleaseInfo,
    encryption: Option<&Encryption>,
    signers: &[&SigningKey],
    limits: &Limits,
) -> Result<Sealed> {
    if signers.is_empty() {
        return Err(Error::invalid_argument("at least one signing key is needed"));
    }
    // Limits before content rules: a verifier counts files before it looks at their paths.
    crate::limits::check("max_files", limits.max_files, files.len() as u64)?;
    let (zip, written) = write_zip(files)?;
    let zip_sha256 = Sha256Digest::of(&zip);
    let (bundle, encryption_info) = match encryption {
        None => (zip.clone(), None),
        Some(enc) => {
            let associated_data = stream::binding(&info.app, &info.version);
            let mut encryptor = StreamEncryptor::new(&enc.key, &associated_data, enc.segment_size)?;
            let header = encryptor.header();
            let mut out = Vec::with_capacity(zip.len() + zip.len() / 1000 + 64);
            encryptor.push(&zip, &mut |c| {
                out.extend_from_slice(c);
                Ok(())
            })?;
            encryptor.finish(&mut |c| {
                out.extend_from_slice(c);
                Ok(())
            })?;
            let info = EncryptionInfo {
                key_id: enc.key.key_id().to_string(),
                segment_size: enc.segment_size,
                associated_data,
                header,
            };
            (out, Some(info))
        }
    };
    let manifest = Manifest {
        app: info.app.clone(),
        channel: info.channel.clone(),
        platforms: info.platforms.clone(),
        version: info.version.clone(),
        min_native_version: info.min_native_version.clone(),
        issued_at: info.issued_at,
        expires_at: info.expires_at,
        rollout: info.rollout,
        bundle: BundleInfo {
            url: info.url.clone(),
            length: bundle.len() as u64,
            sha256: Sha256Digest::of(&bundle),
            zip_length: zip.len() as u64,
            zip_sha256,
        },
        encryption: encryption_info,
        files: written.into_iter().map(|w| FileEntry { path: w.path, size: w.size, sha256: w.sha256 }).collect(),
    };
    let payload = manifest.to_json();
    // Refuse to sign what a verifier would refuse.
    let reparsed = Manifest::parse(&payload, limits)?;
    let mut envelope = Envelope::new(MANIFEST_PAYLOAD_TYPE, payload);
    for signer in signers {
        envelope.sign(signer)?;
    }
    Ok(Sealed { bundle, zip, manifest: reparsed, envelope })
}

/// Adds one more signature to an existing manifest envelope (for k-of-n thresholds). The
/// payload must be a valid manifest; the key must not have signed already.
pub fn add_signature(envelope_json: &[u8], key: &SigningKey, limits: &Limits) -> Result<Envelope> {
    let mut envelope = Envelope::parse(envelope_json, limits)?;
    if envelope.payload_type != MANIFEST_PAYLOAD_TYPE {
        return Err(Error::PayloadTypeUnknown { expected: MANIFEST_PAYLOAD_TYPE, found: envelope.payload_type });
    }
    Manifest::parse(&envelope.payload, limits)?;
    envelope.sign(key)?;
    Ok(envelope)
}
