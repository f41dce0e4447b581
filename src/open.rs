//! Verifying a release and opening its bundle: `docs/FORMAT.md` §7 steps 1-12
//! (`verify_release`) and 13-20 (`Opener`).
//!
//! The opener is fed the downloaded bytes in chunks of any size. It enforces the signed length
//! as bytes arrive, decrypts segments, reads the zip strictly and checks every file; files go
//! to a [`FileSink`] as *pending* and are only handed back by `finish`, after the whole-bundle
//! checks passed.

use crate::archive::reader::ZipReader;
use crate::digest::Sha256Stream;
use crate::envelope::Envelope;
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::manifest::{Manifest, MANIFEST_PAYLOAD_TYPE};
use crate::policy::Policy;
use crate::stream::{BundleKey, StreamDecryptor};
use crate::trust::TrustRoot;

/// A manifest whose signatures and policy checks passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedRelease {
    pub manifest: Manifest,
    /// The trusted keyids whose signatures counted, sorted.
    pub signed_by: Vec<String>,
}

/// Steps 1-12: envelope, signatures, manifest, policy.
pub fn verify_release(
    envelope_json: &[u8],
    trust: &TrustRoot,
    policy: &Policy,
    limits: &Limits,
) -> Result<VerifiedRelease> {
    // 1-3. Size cap, strict DSSE parse.
    let envelope = Envelope::parse(envelope_json, limits)?;
    // 4-5. payloadType, then a threshold of distinct trusted keyids over PAE.
    let signed_by = envelope.verify_threshold(MANIFEST_PAYLOAD_TYPE, &trust.keys, trust.threshold, "manifest")?;
    // 6. Only now is the payload read: strict v1 manifest.
    let manifest = Manifest::parse(&envelope.payload, limits)?;
    // 7-12. Policy.
    policy.check(&manifest)?;
    Ok(VerifiedRelease { manifest, signed_by })
}

// The sink types live beside the zip reader that calls them (src/archive/sink.rs); they are
// part of this module's API.
pub use crate::archive::sink::{FileSink, MemorySink, OpenedFile};

/// Receives what `finish` hands back.
#[derive(Debug)]
pub struct Opened<S> {
    pub release: VerifiedRelease,
    pub sink: S,
}

/// Streaming bundle opener.
pub struct Opener<S: FileSink> {
    release: VerifiedRelease,
    limits: Limits,
    received: u64,
    bundle_hash: Sha256Stream,
    /// Only for encrypted bundles: unencrypted ones have one hash for both (the manifest
    /// requires them equal).
    zip_hash: Option<Sha256Stream>,
    decryptor: Option<StreamDecryptor>,
    zip: ZipReader,
    sink: S,
    failed: bool,
    /// Set once `finish_in_place` / `finish_decrypted_in_place` passed.
    finished: bool,
    mode: Decryption,
}

/// Who opens the segments of an encrypted bundle; fixed by the first push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decryption {
    Unset,
    /// `push`: this opener (and every unencrypted bundle).
    Internal,
    /// `push_delivered` + `push_decrypted`: the caller.
    External,
}

impl<S: FileSink> Opener<S> {
    /// Starts opening `release`. An encrypted release needs the key with its key id among
    /// `keys`; an unencrypted release ignores `keys`.
    pub fn new(release: VerifiedRelease, keys: &[BundleKey], limits: &Limits, sink: S) -> Result<Self> {
        let m = &release.manifest;
        // 13. The decryption key, by key id.
        let decryptor = match &m.encryption {
            None => None,
            Some(enc) => {
                let key = keys
                    .iter()
                    .find(|k| k.key_id() == enc.key_id)
                    .ok_or_else(|| Error::DecryptKeyUnknown { keyid: enc.key_id.clone() })?;
                Some(StreamDecryptor::new(key, &enc.associated_data, enc.segment_size, Some(enc.header))?)
            }
        };
        let zip = ZipReader::new(m.files.clone(), *limits);
        Ok(Opener {
            zip_hash: decryptor.as_ref().map(|_| Sha256Stream::new()),
            release,
            limits: *limits,
            received: 0,
            bundle_hash: Sha256Stream::new(),
            decryptor,
            zip,
            sink,
            failed: false,
            finished: false,
            mode: Decryption::Unset,
        })
    }

    /// (bytes received, signed bundle length)
    pub fn progress(&self) -> (u64, u64) {
        (self.received, self.release.manifest.bundle.length)
    }

    pub fn release(&self) -> &VerifiedRelease {
        &self.release
    }

    /// Feeds the next downloaded bytes. After any error the opener refuses further input.
    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        self.guarded(|o| o.push_inner(chunk))
    }

    /// Step 14 and the running hash of step 19, for every delivered byte on either path.
    fn receive(&mut self, chunk: &[u8]) -> Result<()> {
        // 14. Never more than the signed length: the stream is cut off, not read to the end.
        let signed = self.release.manifest.bundle.length;
        let received = self.received.saturating_add(chunk.len() as u64);
        if received > signed {
            return Err(Error::BundleTooLong { expected: signed });
        }
        crate::limits::check("max_bundle_bytes", self.limits.max_bundle_bytes, received)?;
        self.received = received;
        self.bundle_hash.update(chunk);
        Ok(())
    }

    fn push_inner(&mut self, chunk: &[u8]) -> Result<()> {
        self.set_mode(Decryption::Internal)?;
        self.receive(chunk)?;
        let Opener { decryptor, zip_hash, zip, sink, .. } = self;
        match decryptor {
            // 15-16. Decrypt each segment as it completes, then read the zip.
            Some(dec) => dec.push(chunk, &mut |plain| {
                if let Some(h) = zip_hash.as_mut() {
                    h.update(plain);
                }
                zip.push(plain, sink)
            }),
            None => zip.push(chunk, sink),
        }
    }

    /// Ends the input and runs the whole-bundle checks. Only an `Ok` here makes the files
    /// in the sink trusted.
    pub fn finish(mut self) -> Result<Opened<S>> {
        self.finish_in_place()?;
        self.into_opened()
    }

    /// `finish` without consuming the opener, so a caller can still reach its sink after a
    /// failure (`sink_mut`); `into_opened` then hands over the result.
    pub fn finish_in_place(&mut self) -> Result<()> {
        if self.mode == Decryption::External {
            return Err(Error::InvalidState {
                reason: "segments were decrypted externally: use finish_decrypted".into(),
            });
        }
        self.check_complete()?;
        self.failed = true;
        let Opener { decryptor, zip_hash, zip, sink, .. } = self;
        // 18. The final segment, then the end of the zip (central directory, end record).
        if let Some(dec) = decryptor {
            dec.finish(&mut |plain| {
                if let Some(h) = zip_hash.as_mut() {
                    h.update(plain);
                }
                zip.push(plain, sink)
            })?;
        }
        self.finish_checks()
    }

    /// The result of a `finish_in_place` (or `finish_decrypted_in_place`) that returned `Ok`.
    pub fn into_opened(self) -> Result<Opened<S>> {
        if !self.finished {
            return Err(Error::InvalidState { reason: "opener not finished".into() });
        }
        Ok(Opened { release: self.release, sink: self.sink })
    }

    /// The sink, whose contents are pending until `finish` returned `Ok`.
    pub fn sink_mut(&mut self) -> &mut S {
        &mut self.sink
    }

    /// Step 17 (exactly the signed length was received), on its own: an external decryption
    /// path calls it before opening its final segment, in the order `finish` checks them.
    /// Like every other step, a failure makes the opener unusable.
    pub fn check_complete(&mut self) -> Result<()> {
        self.guarded(|o| {
            let expected = o.release.manifest.bundle.length;
            if o.received != expected {
                return Err(Error::BundleTruncated { expected, actual: o.received });
            }
            Ok(())
        })
    }

    /// External decryption (an encrypted release whose segments the caller authenticates and
    /// decrypts itself, e.g. the JS layer with WebCrypto AES-GCM, same nonces and key): the
    /// delivered ciphertext goes here, in order. It is length-capped and hashed (steps 14,
    /// 19) exactly as `push` does, and its header is checked and the segment key derived
    /// (step 15), but no segment is opened. Trust does not move to the caller: the plaintext
    /// it hands to `push_decrypted` must hash to the signed zip SHA-256 (step 20) and every
    /// file to its signed entry, so a faulty external decryptor cannot make a bundle pass.
    pub fn push_delivered(&mut self, chunk: &[u8]) -> Result<()> {
        self.guarded(|this| {
            this.set_mode(Decryption::External)?;
            this.receive(chunk)?;
            let Some(dec) = this.decryptor.as_mut() else {
                return Err(Error::InvalidState { reason: "the release is not encrypted: use push".into() });
            };
            dec.push_header(chunk).map(|_| ())
        })
    }

    /// External decryption: the next authenticated plaintext segment (see `push_delivered`).
    pub fn push_decrypted(&mut self, plain: &[u8]) -> Result<()> {
        self.guarded(|this| {
            this.set_mode(Decryption::External)?;
            let Opener { zip_hash, zip, sink, .. } = this;
            let Some(h) = zip_hash.as_mut() else {
                return Err(Error::InvalidState { reason: "the release is not encrypted: use push".into() });
            };
            h.update(plain);
            zip.push(plain, sink)
        })
    }

    /// External decryption: the error the reference decryptor reports for a segment that did
    /// not open (`StreamDecryptor::segment_error`). The opener is unusable afterwards.
    pub fn segment_error(&mut self, index: u64, last: bool, segment: &[u8]) -> Error {
        self.failed = true;
        match &self.decryptor {
            Some(dec) => dec.segment_error(index, last, segment),
            None => Error::InvalidState { reason: "the release is not encrypted".into() },
        }
    }

    /// External decryption: ends the input (the final segment already went to
    /// `push_decrypted`) and runs the same whole-bundle checks as `finish`.
    pub fn finish_decrypted(mut self) -> Result<Opened<S>> {
        self.finish_decrypted_in_place()?;
        self.into_opened()
    }

    /// `finish_decrypted` without consuming the opener (see `finish_in_place`).
    pub fn finish_decrypted_in_place(&mut self) -> Result<()> {
        self.check_complete()?;
        if self.decryptor.is_none() {
            return Err(Error::InvalidState { reason: "the release is not encrypted: use finish".into() });
        }
        self.set_mode(Decryption::External)?;
        self.failed = true;
        self.finish_checks()
    }

    fn guarded(&mut self, f: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        if self.failed {
            return Err(Error::InvalidState { reason: "opener failed earlier; start again".into() });
        }
        let result = f(self);
        self.failed = result.is_err();
        result
    }

    fn set_mode(&mut self, mode: Decryption) -> Result<()> {
        match self.mode {
            Decryption::Unset => {
                self.mode = mode;
                Ok(())
            }
            m if m == mode => Ok(()),
            _ => Err(Error::InvalidState { reason: "push and push_delivered cannot be mixed".into() }),
        }
    }

    /// The end of the zip and steps 19-20. `failed` stays set unless they all pass.
    fn finish_checks(&mut self) -> Result<()> {
        let bundle = &self.release.manifest.bundle;
        self.zip.finish()?;
        // 19. SHA-256 of the delivered bytes.
        let actual = self.bundle_hash.clone().finish();
        if actual != bundle.sha256 {
            return Err(Error::BundleHashMismatch { expected: bundle.sha256.to_hex(), actual: actual.to_hex() });
        }
        // 20. SHA-256 of the plaintext zip (encrypted bundles; otherwise it is step 19).
        if let Some(h) = self.zip_hash.take() {
            let actual = h.finish();
            if actual != bundle.zip_sha256 {
                return Err(Error::ZipHashMismatch { expected: bundle.zip_sha256.to_hex(), actual: actual.to_hex() });
            }
        }
        self.failed = false;
        self.finished = true;
        Ok(())
    }
}

/// Verifies and opens a whole bundle held in memory (tests, CLI): `verify_release` was
/// already done by the caller.
pub fn open_in_memory(
    release: VerifiedRelease,
    keys: &[BundleKey],
    limits: &Limits,
    bundle: &[u8],
) -> Result<Vec<OpenedFile>> {
    let mut opener = Opener::new(release, keys, limits, MemorySink::new())?;
    for chunk in bundle.chunks(64 * 1024) {
        opener.push(chunk)?;
    }
    Ok(opener.finish()?.sink.into_files())
}
