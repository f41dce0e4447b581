//! Fuzzing support: the seed corpora of `fuzz/corpus/<target>/` come from real sealed
//! releases made here (`write_fuzz_seed_corpora`, ignored by default), and every crash a fuzz
//! run found becomes a regression test below (see `fuzz/RESULTS.md`).
//!
//! Regenerate the seeds (ciphertexts differ on every run: random salts):
//!     cargo test --test fuzz_regressions -- --ignored write_fuzz_seed_corpora

mod common;

use std::path::{Path, PathBuf};

use common::*;
use otaseal::limits::Limits;
use otaseal::stream;
use otaseal::trust::TrustRoot;

fn corpus(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target)
}

fn write(target: &str, name: &str, parts: &[&[u8]]) {
    let dir = corpus(target);
    std::fs::create_dir_all(&dir).expect("corpus dir");
    std::fs::write(dir.join(name), parts.concat()).expect("seed");
}

#[test]
#[ignore = "writes fuzz/corpus; run by hand when the formats change"]
fn write_fuzz_seed_corpora() {
    let plain = seal_with(sample_files(), None);
    let encrypted = {
        let mut files = sample_files();
        files.push(("assets/big.bin".into(), noise(9000, 3)));
        seal_with(files, Some(4096))
    };
    let small = seal_with(vec![("index.html".into(), b"<h1>hi</h1>\n".to_vec())], Some(4096));

    // verify_release: mode 0 = envelope JSON, mode 1 = manifest payload (the harness signs it).
    for (name, sealed) in [("plain", &plain), ("encrypted", &encrypted)] {
        write("verify_release", &format!("envelope-{name}"), &[&[0], sealed.envelope.to_json().as_bytes()]);
        write("verify_release", &format!("payload-{name}"), &[&[1], &sealed.envelope.payload]);
    }

    // trust_root: 0 document, 1 pinned, 2 rotation envelope, 3 document signed by keys 1 and 2.
    let one = trust();
    let two_of_three = TrustRoot::new(1, 2, (1..=3).map(|i| signing_key(i).public().clone()).collect()).unwrap();
    let next = TrustRoot::new(2, 1, vec![signing_key(2).public().clone()]).unwrap();
    let rotation = next.to_signed_envelope(&[&signing_key(1), &signing_key(2)]).unwrap().to_json();
    write("trust_root", "document-1-of-1", &[&[0], one.to_document_json().as_bytes()]);
    write("trust_root", "document-2-of-3", &[&[0], two_of_three.to_document_json().as_bytes()]);
    write("trust_root", "pinned-document", &[&[1], one.to_document_json().as_bytes()]);
    write("trust_root", "pinned-envelope", &[&[1], rotation.as_bytes()]);
    write("trust_root", "rotation", &[&[2], rotation.as_bytes()]);
    write("trust_root", "signed-document-v2", &[&[3], next.to_document_json().as_bytes()]);
    assert!(one.rotate(rotation.as_bytes(), &Limits::default()).is_ok());

    // stream_decrypt: split count, split bytes, ciphertext (fixture key, ad "otaseal fuzz").
    let key = bundle_key();
    for len in [0usize, 5, 4040, 4041, 9000] {
        let ct = stream::encrypt_all(&key, b"otaseal fuzz", 4096, &noise(len, 9)).unwrap();
        write("stream_decrypt", &format!("plain-{len}-whole"), &[&[0], &ct]);
        write("stream_decrypt", &format!("plain-{len}-split"), &[&[3, 0, 41, 7], &ct]);
    }

    // archive: plan length, plan, zip.
    write("archive", "sealed-zip-whole", &[&[0], &plain.zip]);
    write("archive", "sealed-zip-split", &[&[3, 1, 40, 9], &plain.zip]);
    write("archive", "sealed-zip-encrypted-release", &[&[0], &encrypted.zip]);
    let attack = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    for name in [
        "ok_fixed_huffman_deflate",
        "symlink_absolute",
        "header_name_mismatch",
        "duplicate_name",
        "data_descriptor_flag",
        "deflate_trailing_bytes",
        "bomb_overlapping_entries",
        "trailing_comment",
    ] {
        let zip = std::fs::read(attack.join(format!("{name}.zip"))).unwrap();
        write("archive", &format!("corpus-{name}"), &[&[0], &zip]);
    }

    // open: mode, plan length, plan, then a zip (mode 0) or u16 length + envelope + bundle (mode 1).
    write("open", "zip-plain", &[&[0, 0], &plain.zip]);
    write("open", "zip-multi-segment", &[&[0, 2, 40, 200], &encrypted.zip]);
    for (name, sealed) in [("plain", &plain), ("encrypted", &encrypted), ("small", &small)] {
        let env = sealed.envelope.to_json();
        let len = u16::try_from(env.len()).unwrap().to_le_bytes();
        write("open", &format!("release-{name}"), &[&[1, 1, 42], &len, env.as_bytes(), &sealed.bundle]);
    }
}

/// The seed corpora exist and each target has a few seeds (they are committed).
#[test]
fn seed_corpora_are_committed() {
    for target in ["verify_release", "trust_root", "stream_decrypt", "archive", "open"] {
        let n = std::fs::read_dir(corpus(target)).map(|d| d.count()).unwrap_or(0);
        assert!(n >= 3, "fuzz/corpus/{target} has {n} seeds");
    }
}

/// Fuzz target `archive`, `crash-3a5af5ea180f6ae826eabb1080f9ca39d8a475ab` (2026 run, see
/// `fuzz/RESULTS.md`): a deflate stream that inflates past the signed size and then hits corrupt
/// data gave `SIZE_MISMATCH` when fed in small chunks but `ZIP_INFLATE_FAILED` when fed whole,
/// because output decoded in the same inflate call as the error was dropped before the size
/// check. Output decoded before an error now counts first, so the code no longer depends on
/// chunking: the overrun comes first in the stream, so it is `SIZE_MISMATCH`.
#[test]
fn inflate_overrun_before_corrupt_data_is_size_mismatch_in_any_chunking() {
    // Fixed-Huffman deflate: 'a', 20 matches of 258 bytes at distance 1 (5161 bytes in all),
    // then a match with distance code 30, which does not exist.
    let body = otaseal::digest::from_hex("4b1c05a360148c8251300a46c1281805a360148c8251300a46c1281805a360148c02e00300")
        .expect("hex");
    let content = vec![b'a'; 1000];
    let entry = RawEntry { method: 8, csize: body.len() as u32, body, ..RawEntry::stored("index.html", &content) };
    let zip = raw_zip(&[entry], b"", b"");
    let env = envelope_for_raw_zip(&zip, vec![("index.html", &content)]);
    for chunk in [1, 7, 40, 62, 98, 4096, usize::MAX] {
        assert_eq!(code(open_with(&env, &zip, chunk)), "SIZE_MISMATCH", "chunk {chunk}");
    }
    // The same stream with the signed size above its output: the corruption comes first.
    let big = vec![b'a'; 6000];
    let mut entry = RawEntry::stored("index.html", &big);
    entry.method = 8;
    entry.body =
        otaseal::digest::from_hex("4b1c05a360148c8251300a46c1281805a360148c8251300a46c1281805a360148c02e00300")
            .expect("hex");
    entry.csize = entry.body.len() as u32;
    let zip = raw_zip(&[entry], b"", b"");
    let env = envelope_for_raw_zip(&zip, vec![("index.html", &big)]);
    for chunk in [1, 7, 40, 4096, usize::MAX] {
        assert_eq!(code(open_with(&env, &zip, chunk)), "ZIP_INFLATE_FAILED", "chunk {chunk}");
    }
}
