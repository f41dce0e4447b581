//! The whole opener: steps 1-20 through the public API.
//!
//! Input: a mode byte, a chunk plan (one length byte, then that many plan bytes), then:
//! even mode, a plaintext zip that the harness encrypts with the fixture bundle key, describes
//! in a manifest (as the `archive` target does), signs with the trusted key, then verifies and
//! opens: signatures, policy, decryption, zip reader and the whole-bundle hashes all run;
//! odd mode, a little-endian u16 length, that many envelope bytes, then the bundle, opened
//! against the fixture trust root as they are (seeds are real sealed releases).
#![no_main]

use libfuzzer_sys::fuzz_target;
use otaseal::digest::Sha256Digest;
use otaseal::open::{verify_release, MemorySink, Opener};
use otaseal::stream;
use otaseal_fuzz::{chunks, fixtures, manifest_for, open_fixing_hashes, signed_manifest, take_u16};

fn open_signed(envelope: &[u8], pieces: &[&[u8]]) -> otaseal::Result<Vec<otaseal::open::OpenedFile>> {
    let f = fixtures();
    let release = verify_release(envelope, &f.trust, &f.policy, &f.limits)?;
    let mut opener = Opener::new(release, std::slice::from_ref(&f.bundle_key), &f.limits, MemorySink::new())?;
    for piece in pieces {
        opener.push(piece)?;
    }
    Ok(opener.finish()?.sink.into_files())
}

fuzz_target!(|data: &[u8]| {
    let [mode, n, rest @ ..] = data else { return };
    let n = usize::from(n % 16).min(rest.len());
    let (plan, payload) = rest.split_at(n);
    let f = fixtures();
    if mode % 2 == 0 {
        let zip = payload;
        let version: semver::Version = "2.0.0".parse().expect("semver");
        let ad = stream::binding(otaseal_fuzz::APP, &version);
        let Ok(bundle) = stream::encrypt_all(&f.bundle_key, &ad, otaseal_fuzz::SEGMENT_SIZE, zip) else { return };
        let header = bundle[..stream::HEADER_LEN].try_into().expect("header");
        let Some(manifest) = manifest_for(zip, &bundle, Some(header)) else { return };
        let pieces = chunks(&bundle, plan);
        // Learn the file hashes without signatures, then run the signed pipeline once.
        let (manifest, unsigned) = open_fixing_hashes(manifest, &pieces);
        let envelope = signed_manifest(&manifest.to_json());
        let signed = open_signed(envelope.as_bytes(), &pieces);
        assert_eq!(otaseal_fuzz::code(&unsigned), otaseal_fuzz::code(&signed), "signed and unsigned runs differ");
        if let Ok(files) = signed {
            for file in &files {
                let signed = manifest.files.iter().find(|f| f.path.as_str() == file.path).expect("a signed file");
                assert_eq!(Sha256Digest::of(&file.data), signed.sha256);
            }
            assert_eq!(Sha256Digest::of(zip), manifest.bundle.zip_sha256);
        }
    } else {
        let (len, rest) = take_u16(payload);
        let len = usize::from(len).min(rest.len());
        let (envelope, bundle) = rest.split_at(len);
        let _ = open_signed(envelope, &chunks(bundle, plan));
    }
});
