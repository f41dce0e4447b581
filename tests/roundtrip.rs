//! Seal → verify → open round trips: plain and encrypted, empty files, segment boundaries ±1,
//! any chunking, thresholds, determinism.

mod common;

use common::*;
use otaseal::limits::Limits;
use otaseal::open;
use otaseal::seal::{self, Encryption};
use otaseal::stream;
use otaseal::trust::TrustRoot;

fn assert_files(opened: &[open::OpenedFile], files: &[(String, Vec<u8>)]) {
    let mut want: Vec<_> = files.to_vec();
    want.sort_by(|a, b| a.0.cmp(&b.0));
    let got: Vec<_> = opened.iter().map(|f| (f.path.clone(), f.data.clone())).collect();
    assert_eq!(got, want);
}

#[test]
fn plain_and_encrypted_round_trip_in_any_chunking() {
    for encrypt in [None, Some(4096), Some(stream::DEFAULT_SEGMENT_SIZE)] {
        let sealed = seal_with(sample_files(), encrypt);
        let env = sealed.envelope.to_json();
        for chunk in [1, 3, 40, 41, 4095, 4096, 4097, usize::MAX] {
            let files = open_with(&env, &sealed.bundle, chunk).unwrap_or_else(|e| panic!("{encrypt:?}/{chunk}: {e}"));
            assert_files(&files, &sample_files());
        }
        assert_eq!(sealed.manifest.encryption.is_some(), encrypt.is_some());
    }
}

#[test]
fn a_single_empty_file_round_trips() {
    let files = vec![("index.html".to_string(), Vec::new())];
    for encrypt in [None, Some(4096)] {
        let sealed = seal_with(files.clone(), encrypt);
        assert_files(&open_with(&sealed.envelope.to_json(), &sealed.bundle, 7).unwrap(), &files);
    }
}

/// One stored file named "index.html" adds 118 bytes of zip structure (30 + 10 local, 46 + 10
/// central, 22 end), so its zip is `n + 118` bytes; incompressible content stays stored. (A lone
/// file must be index.html: §6.3.)
#[test]
fn zip_lengths_at_segment_boundaries_plus_minus_one() {
    const S: u32 = 4096;
    let first = 4096 - 40 - 16;
    let rest = 4096 - 16;
    for zip_len in [first - 1, first, first + 1, first + rest - 1, first + rest, first + rest + 1, first + 3 * rest] {
        let files = vec![("index.html".to_string(), noise(zip_len - 118, 3))];
        let sealed = seal_with(files.clone(), Some(S));
        assert_eq!(sealed.manifest.bundle.zip_length, zip_len as u64);
        assert_eq!(Some(sealed.manifest.bundle.length), stream::ciphertext_len(zip_len as u64, S));
        for chunk in [1000, 4096, 4097] {
            assert_files(&open_with(&sealed.envelope.to_json(), &sealed.bundle, chunk).unwrap(), &files);
        }
    }
}

#[test]
fn zips_are_deterministic_and_sorted() {
    let a = seal_with(sample_files(), None);
    let mut reversed = sample_files();
    reversed.reverse();
    let b = seal_with(reversed, None);
    assert_eq!(a.zip, b.zip);
    let paths: Vec<_> = a.manifest.files.iter().map(|f| f.path.to_string()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
}

#[test]
fn two_of_three_threshold_and_add_signature() {
    let keys = [signing_key(1), signing_key(2), signing_key(3)];
    let root = TrustRoot::new(1, 2, keys.iter().map(|k| k.public().clone()).collect()).unwrap();
    let limits = Limits::default();
    let sealed = seal::seal(&entries(sample_files()), &info("2.0.0"), None, &[&keys[0]], &limits).unwrap();
    let one = sealed.envelope.to_json();
    let err = open::verify_release(one.as_bytes(), &root, &policy(), &limits).unwrap_err();
    assert_eq!(err.code(), "SIGNATURE_THRESHOLD");
    // The same key again is refused; a second key makes 2 of 3.
    assert_eq!(seal::add_signature(one.as_bytes(), &keys[0], &limits).unwrap_err().code(), "INVALID_ARGUMENT");
    let two = seal::add_signature(one.as_bytes(), &keys[2], &limits).unwrap().to_json();
    let release = open::verify_release(two.as_bytes(), &root, &policy(), &limits).unwrap();
    let mut want = vec![keys[0].keyid().to_string(), keys[2].keyid().to_string()];
    want.sort();
    assert_eq!(release.signed_by, want);
}

#[test]
fn equal_version_only_for_the_identical_bundle() {
    let sealed = seal_with(sample_files(), None);
    let mut p = policy();
    p.installed_version = Some("2.0.0".parse().unwrap());
    let env = sealed.envelope.to_json();
    let limits = Limits::default();
    assert_eq!(code(open::verify_release(env.as_bytes(), &trust(), &p, &limits)), "DOWNGRADE");
    p.installed_zip_sha256 = Some(sealed.manifest.bundle.zip_sha256);
    assert!(open::verify_release(env.as_bytes(), &trust(), &p, &limits).is_ok());
    // Build metadata does not make a version newer (SemVer precedence).
    p.installed_version = Some("2.0.0+build.9".parse().unwrap());
    p.installed_zip_sha256 = None;
    assert_eq!(code(open::verify_release(env.as_bytes(), &trust(), &p, &limits)), "DOWNGRADE");
    // A pre-release of the same version is older.
    p.installed_version = Some("2.0.0-rc.1".parse().unwrap());
    assert!(open::verify_release(env.as_bytes(), &trust(), &p, &limits).is_ok());
}

#[test]
fn a_ciphertext_moved_to_another_release_does_not_open() {
    // Same key, same files, another version: the binding (HKDF info) differs.
    let enc = Encryption { key: bundle_key(), segment_size: 4096 };
    let limits = Limits::default();
    let v2 = seal::seal(&entries(sample_files()), &info("2.0.0"), Some(&enc), &[&signing_key(1)], &limits).unwrap();
    let v3 = seal::seal(&entries(sample_files()), &info("3.0.0"), Some(&enc), &[&signing_key(1)], &limits).unwrap();
    // v3's manifest with v2's ciphertext: the signed header differs first.
    assert_eq!(code(open_with(&v3.envelope.to_json(), &v2.bundle, 500)), "DECRYPT_HEADER_MISMATCH");
    // Even with v2's header signed into v3's manifest, the tag fails (another derived key).
    let env = resign_with(&v3, |v| {
        v["encryption"]["header"] = otaseal::digest::to_hex(&v2.manifest.encryption.as_ref().unwrap().header).into();
        v["bundle"]["sha256"] = v2.manifest.bundle.sha256.to_hex().into();
        v["bundle"]["length"] = v2.manifest.bundle.length.into();
    });
    assert_eq!(code(open_with(&env, &v2.bundle, 500)), "DECRYPT_TAG");
}

#[test]
fn limits_are_enforced_when_parsing_manifests() {
    let sealed = seal_with(sample_files(), None);
    let env = sealed.envelope.to_json();
    for limits in [
        Limits { max_files: 3, ..Limits::default() },
        Limits { max_file_bytes: 3000, ..Limits::default() },
        Limits { max_total_bytes: 5000, ..Limits::default() },
        Limits { max_path_bytes: 10, ..Limits::default() },
        Limits { max_bundle_bytes: 100, ..Limits::default() },
        Limits { max_signatures: 0, ..Limits::default() },
    ] {
        let err = open::verify_release(env.as_bytes(), &trust(), &policy(), &limits).unwrap_err();
        assert_eq!(err.code(), "LIMIT_EXCEEDED", "{limits:?}");
    }
    // The compression ratio limit applies while the bundle streams.
    let files = vec![("index.html".to_string(), vec![0u8; 200_000])];
    let sealed = seal_with(files, None);
    let strict = Limits { max_ratio: 10, ..Limits::default() };
    let release = open::verify_release(sealed.envelope.to_json().as_bytes(), &trust(), &policy(), &strict).unwrap();
    let err = open::open_in_memory(release, &[], &strict, &sealed.bundle).unwrap_err();
    assert!(matches!(err, otaseal::Error::LimitExceeded { limit: "max_ratio", .. }), "{err}");
}
