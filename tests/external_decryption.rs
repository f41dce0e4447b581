//! The external-decryption mode of `Opener` (`push_delivered` / `push_decrypted` /
//! `segment_error` / `finish_decrypted`, used by the JS layer's WebCrypto path) gives exactly
//! the results of the opener's own decryption: the same files, the same error on every tamper
//! case. The external decryptor here frames segments the way `ts/accel/webcrypto.ts` does.

mod common;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use common::*;
use otaseal::limits::Limits;
use otaseal::open::{self, OpenedFile};
use otaseal::Result;

/// As `open_with`, but the segments are opened outside the opener.
fn open_external(envelope_json: &str, bundle: &[u8], chunk: usize) -> Result<Vec<OpenedFile>> {
    let release = open::verify_release(envelope_json.as_bytes(), &trust(), &policy(), &Limits::default())?;
    let enc = release.manifest.encryption.clone().expect("encrypted");
    let mut opener = open::Opener::new(release, &[bundle_key()], &Limits::default(), open::MemorySink::new())?;
    // The key from the signed header (the opener refuses any other delivered header).
    let mut derived = [0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(Some(&enc.header[1..33]), bundle_key().as_bytes())
        .expand(&enc.associated_data, &mut derived)
        .expect("hkdf");
    let cipher = Aes256Gcm::new(&derived.into());
    let size = enc.segment_size as usize;
    let (mut header_left, mut buf, mut index) = (40usize, Vec::new(), 0u64);
    let open_segment =
        |opener: &mut open::Opener<open::MemorySink>, buf: &mut Vec<u8>, index: &mut u64, last: bool| -> Result<()> {
            let too_far = u32::try_from(*index).is_err();
            if buf.len() < 16 || too_far {
                return Err(opener.segment_error(*index, last, buf));
            }
            let mut n = [0u8; 12];
            n[..7].copy_from_slice(&enc.header[33..40]);
            n[7..11].copy_from_slice(&(*index as u32).to_be_bytes());
            n[11] = u8::from(last);
            match cipher.decrypt(&Nonce::from(n), buf.as_slice()) {
                Ok(plain) => opener.push_decrypted(&plain)?,
                Err(_) => return Err(opener.segment_error(*index, last, buf)),
            }
            buf.clear();
            *index += 1;
            Ok(())
        };
    for piece in bundle.chunks(chunk.max(1)) {
        opener.push_delivered(piece)?;
        let mut data = &piece[header_left.min(piece.len())..];
        header_left -= header_left.min(piece.len());
        while !data.is_empty() {
            let capacity = if index == 0 { size - 40 } else { size };
            if buf.len() == capacity {
                open_segment(&mut opener, &mut buf, &mut index, false)?;
                continue;
            }
            let take = (capacity - buf.len()).min(data.len());
            buf.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
    }
    opener.check_complete()?;
    open_segment(&mut opener, &mut buf, &mut index, true)?;
    Ok(opener.finish_decrypted()?.sink.into_files())
}

fn same(envelope_json: &str, bundle: &[u8], chunk: usize, what: &str) {
    let internal = open_with(envelope_json, bundle, chunk);
    let external = open_external(envelope_json, bundle, chunk);
    match (&internal, &external) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{what}"),
        (Err(a), Err(b)) => assert_eq!((a.code(), a.to_string()), (b.code(), b.to_string()), "{what}"),
        _ => panic!("{what}: internal {:?} vs external {:?}", code(internal), code(external)),
    }
}

#[test]
fn external_decryption_matches_the_opener_on_every_tamper_case() {
    let mut files = sample_files();
    files.push(("assets/big.bin".into(), noise(20_000, 11)));
    let sealed = seal_with(files.clone(), Some(4096));
    let env = sealed.envelope.to_json();
    let b = &sealed.bundle;
    assert!(b.len() > 5 * 4096);
    for chunk in [1, 999, 4096, 1 << 20] {
        same(&env, b, chunk, "unmodified");
    }
    assert!(open_external(&env, b, 4096).is_ok());
    // Every byte flipped (header, bodies, tags).
    for at in (0..b.len()).step_by(7) {
        let mut t = b.clone();
        t[at] ^= 1 << (at % 8);
        same(&env, &t, 1000, &format!("flip at {at}"));
    }
    // Truncation and extension.
    for len in (0..b.len()).step_by(97).chain([b.len() - 1, 4096, 8192]) {
        same(&env, &b[..len], 999, &format!("truncated to {len}"));
    }
    let mut longer = b.clone();
    longer.extend_from_slice(&b[4096..8192]);
    same(&env, &longer, 4096, "a segment appended");
    // Reordered, duplicated, dropped, and a segment from another seal.
    let seg = |i: usize| b[4096 * i..4096 * (i + 1)].to_vec();
    let mut swapped = b.clone();
    swapped[4096..8192].copy_from_slice(&seg(2));
    swapped[8192..12288].copy_from_slice(&seg(1));
    same(&env, &swapped, 4096, "swapped");
    let mut duplicated = b.clone();
    duplicated[8192..12288].copy_from_slice(&seg(1));
    same(&env, &duplicated, 4096, "duplicated");
    let mut dropped = b[..4096].to_vec();
    dropped.extend_from_slice(&b[8192..]);
    same(&env, &dropped, 4096, "dropped");
    let other = seal_with(files, Some(4096));
    let mut mixed = b.clone();
    mixed[4096..8192].copy_from_slice(&other.bundle[4096..8192]);
    same(&env, &mixed, 4096, "mixed");
    same(&env, &other.bundle, 4096, "another seal");
}

#[test]
fn external_and_internal_pushes_do_not_mix() {
    let sealed = seal_with(sample_files(), Some(4096));
    let release = verify(&sealed).expect("verify");
    let mut opener = open::Opener::new(release.clone(), &[bundle_key()], &Limits::default(), open::MemorySink::new())
        .expect("opener");
    opener.push(&sealed.bundle[..100]).expect("push");
    assert_eq!(code(opener.push_delivered(&sealed.bundle[100..200])), "INVALID_STATE");
    let plain = seal_with(sample_files(), None);
    let release = verify(&plain).expect("verify");
    let mut opener = open::Opener::new(release, &[], &Limits::default(), open::MemorySink::new()).expect("opener");
    assert_eq!(code(opener.push_delivered(&plain.bundle)), "INVALID_STATE");
}
