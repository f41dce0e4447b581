//! Tampering with any signed byte, any signature byte, any ciphertext byte or any zip byte,
//! and truncating, extending, reordering or duplicating segments: always an error, never an
//! accepted bundle (a panic fails the test too).

mod common;

use base64::Engine as _;
use common::*;
use otaseal::envelope::Envelope;
use otaseal::limits::Limits;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Flips bit `bit` of byte `at`.
fn flipped(data: &[u8], at: usize, bit: u8) -> Vec<u8> {
    let mut out = data.to_vec();
    out[at] ^= 1 << bit;
    out
}

#[test]
fn every_payload_and_signature_bit_matters() {
    let sealed = seal_with(sample_files(), Some(4096));
    let env = sealed.envelope.clone();
    let mut rejected = 0;
    for at in 0..env.payload.len() {
        let mut bad = env.clone();
        bad.payload = flipped(&env.payload, at, (at % 8) as u8);
        assert_eq!(
            code(otaseal::open::verify_release(bad.to_json().as_bytes(), &trust(), &policy(), &Limits::default())),
            "SIGNATURE_THRESHOLD"
        );
        rejected += 1;
    }
    for at in 0..64 {
        for bit in 0..8 {
            let mut bad = env.clone();
            bad.signatures[0].sig = flipped(&env.signatures[0].sig, at, bit);
            let got =
                code(otaseal::open::verify_release(bad.to_json().as_bytes(), &trust(), &policy(), &Limits::default()));
            assert_eq!(got, "SIGNATURE_THRESHOLD", "sig byte {at} bit {bit}");
            rejected += 1;
        }
    }
    // payloadType is signed too (PAE), and the keyid must be the trusted one.
    let mut bad = env.clone();
    bad.payload_type.push(' ');
    assert_ne!(
        code(otaseal::open::verify_release(bad.to_json().as_bytes(), &trust(), &policy(), &Limits::default())),
        "OK"
    );
    let mut bad = env.clone();
    bad.signatures[0].keyid = "0".repeat(64);
    assert_eq!(
        code(otaseal::open::verify_release(bad.to_json().as_bytes(), &trust(), &policy(), &Limits::default())),
        "SIGNATURE_THRESHOLD"
    );
    assert!(rejected > 1000);
}

#[test]
fn every_envelope_json_byte_flip_is_refused_or_harmless() {
    // Flipping bytes of the JSON text itself: either a parse error, or (for insignificant
    // whitespace and equivalent JSON) a still-valid, identical release. Never anything else.
    let sealed = seal_with(sample_files(), None);
    let json = sealed.envelope.to_json().into_bytes();
    let good = verify(&sealed).unwrap();
    for at in 0..json.len() {
        let bad = flipped(&json, at, 0);
        match otaseal::open::verify_release(&bad, &trust(), &policy(), &Limits::default()) {
            Ok(release) => assert_eq!(release, good, "flip at {at} changed the release"),
            Err(e) => assert!(
                ["ENVELOPE_MALFORMED", "SIGNATURE_THRESHOLD", "PAYLOAD_TYPE_UNKNOWN"].contains(&e.code()),
                "flip at {at}: {e}"
            ),
        }
    }
}

#[test]
fn every_ciphertext_byte_matters() {
    let mut files = sample_files();
    files.push(("assets/big.bin".into(), noise(9000, 11)));
    let sealed = seal_with(files, Some(4096));
    let env = sealed.envelope.to_json();
    let bundle = &sealed.bundle;
    assert!(bundle.len() > 2 * 4096, "want several segments, got {}", bundle.len());
    for at in 0..bundle.len() {
        let got = code(open_with(&env, &flipped(bundle, at, (at % 8) as u8), 4096));
        assert_ne!(got, "OK", "flip at {at} accepted");
        let want = if at == 0 {
            "DECRYPT_HEADER_MALFORMED"
        } else if at < 40 {
            "DECRYPT_HEADER_MISMATCH"
        } else {
            "DECRYPT_TAG"
        };
        assert_eq!(got, want, "flip at {at}");
    }
}

#[test]
fn every_zip_byte_matters() {
    let sealed = seal_with(sample_files(), None);
    let env = sealed.envelope.to_json();
    for at in 0..sealed.bundle.len() {
        let got = code(open_with(&env, &flipped(&sealed.bundle, at, (at % 8) as u8), 1000));
        assert_ne!(got, "OK", "flip at {at} accepted");
    }
}

#[test]
fn truncation_and_extension_at_every_length() {
    for encrypt in [None, Some(4096)] {
        let sealed = seal_with(sample_files(), encrypt);
        let env = sealed.envelope.to_json();
        for len in 0..sealed.bundle.len() {
            assert_eq!(code(open_with(&env, &sealed.bundle[..len], 999)), "BUNDLE_TRUNCATED", "len {len}");
        }
        let mut longer = sealed.bundle.clone();
        longer.extend_from_slice(b"x");
        assert_eq!(code(open_with(&env, &longer, 999)), "BUNDLE_TOO_LONG");
    }
}

#[test]
fn segment_reorder_duplicate_and_swap_across_releases() {
    let files = vec![("index.html".to_string(), noise(20_000, 5))];
    let sealed = seal_with(files.clone(), Some(4096));
    let env = sealed.envelope.to_json();
    let b = &sealed.bundle;
    let seg = |i: usize| b[4096 * i..4096 * (i + 1)].to_vec();
    // Swap segments 1 and 2 (same length).
    let mut swapped = b.clone();
    swapped[4096..8192].copy_from_slice(&seg(2));
    swapped[8192..12288].copy_from_slice(&seg(1));
    assert_eq!(code(open_with(&env, &swapped, 4096)), "DECRYPT_SEGMENT_REORDERED");
    // Segment 1 repeated in place of segment 2.
    let mut duplicated = b.clone();
    duplicated[8192..12288].copy_from_slice(&seg(1));
    assert_eq!(code(open_with(&env, &duplicated, 4096)), "DECRYPT_SEGMENT_DUPLICATED");
    // Segment 1 dropped: the stream is then short, and a later segment comes early.
    let mut dropped = b[..4096].to_vec();
    dropped.extend_from_slice(&b[8192..]);
    assert_eq!(code(open_with(&env, &dropped, 4096)), "DECRYPT_SEGMENT_REORDERED");
    // A segment from another encryption of the same files (same key, same release).
    let other = seal_with(files, Some(4096));
    let mut mixed = b.clone();
    mixed[4096..8192].copy_from_slice(&other.bundle[4096..8192]);
    assert_eq!(code(open_with(&env, &mixed, 4096)), "DECRYPT_TAG");
}

#[test]
fn envelope_json_edge_cases() {
    let sealed = seal_with(sample_files(), None);
    let json = sealed.envelope.to_json();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "ENVELOPE_MALFORMED"),
        ("null".into(), "ENVELOPE_MALFORMED"),
        ("[]".into(), "ENVELOPE_MALFORMED"),
        ("{}".into(), "ENVELOPE_MALFORMED"),
        (json.replace("\"signatures\"", "\"signatures\":[],\"x\""), "ENVELOPE_MALFORMED"),
        (json.replace("\"payloadType\"", "\"payloadType\":\"a\",\"payloadType\""), "ENVELOPE_MALFORMED"),
        (
            {
                let mut w = v.clone();
                w["payload"] = B64.encode(b"not json").into();
                w.to_string()
            },
            "SIGNATURE_THRESHOLD",
        ),
        (
            {
                let mut w = v.clone();
                w["payload"] = "%%%".into();
                w.to_string()
            },
            "ENVELOPE_MALFORMED",
        ),
        (
            {
                let mut w = v.clone();
                w["signatures"] = serde_json::Value::Array(vec![w["signatures"][0].clone(); 33]);
                w.to_string()
            },
            "LIMIT_EXCEEDED",
        ),
        ("{".repeat(100_000), "ENVELOPE_MALFORMED"),
    ];
    for (input, want) in cases {
        let got = code(otaseal::open::verify_release(input.as_bytes(), &trust(), &policy(), &Limits::default()));
        assert_eq!(got, want, "{}", &input[..input.len().min(80)]);
    }
    // A correctly signed payload that is not a manifest.
    let mut env = Envelope::new(otaseal::manifest::MANIFEST_PAYLOAD_TYPE, b"[1,2]".to_vec());
    env.sign(&signing_key(1)).unwrap();
    let got = code(otaseal::open::verify_release(env.to_json().as_bytes(), &trust(), &policy(), &Limits::default()));
    assert_eq!(got, "MANIFEST_MALFORMED");
}

#[test]
fn manifest_field_validation() {
    let sealed = seal_with(sample_files(), Some(4096));
    type Edit = fn(&mut serde_json::Value);
    let cases: Vec<(Edit, &str)> = vec![
        (|v| v["app"] = "com example".into(), "MANIFEST_MALFORMED"),
        (|v| v["channel"] = "".into(), "MANIFEST_MALFORMED"),
        (|v| v["platforms"] = serde_json::json!([]), "MANIFEST_MALFORMED"),
        (|v| v["platforms"] = serde_json::json!(["ios", "ios"]), "MANIFEST_MALFORMED"),
        (|v| v["platforms"] = serde_json::json!(["windows"]), "MANIFEST_MALFORMED"),
        (|v| v["version"] = "v2".into(), "MANIFEST_MALFORMED"),
        (|v| v["version"] = "2.0".into(), "MANIFEST_MALFORMED"),
        (|v| v["minNativeVersion"] = "4".into(), "MANIFEST_MALFORMED"),
        (|v| v["issuedAt"] = "2027-01-15T08:00:00+00:00".into(), "MANIFEST_MALFORMED"),
        (|v| v["expiresAt"] = v["issuedAt"].clone(), "MANIFEST_MALFORMED"),
        (|v| v["bundle"]["sha256"] = "AB".repeat(32).into(), "MANIFEST_MALFORMED"),
        (|v| v["bundle"]["length"] = 5.into(), "MANIFEST_MALFORMED"),
        (|v| v["bundle"]["length"] = (-1).into(), "MANIFEST_MALFORMED"),
        (|v| v["bundle"]["url"] = "https://x y".into(), "MANIFEST_MALFORMED"),
        (|v| v["encryption"]["scheme"] = "xor".into(), "MANIFEST_MALFORMED"),
        (|v| v["encryption"]["segmentSize"] = 100.into(), "MANIFEST_MALFORMED"),
        (|v| v["encryption"]["header"] = "00".repeat(40).into(), "MANIFEST_MALFORMED"),
        (|v| v["encryption"]["keyId"] = "k".into(), "MANIFEST_MALFORMED"),
        (|v| v["encryption"] = serde_json::Value::Null, "MANIFEST_MALFORMED"),
        (|v| v["files"] = serde_json::json!([]), "MANIFEST_MALFORMED"),
        (|v| v["files"][0]["sha256"] = "00".into(), "MANIFEST_MALFORMED"),
        (|v| v["files"][0]["extra"] = 1.into(), "MANIFEST_MALFORMED"),
        (|v| v["formatVersion"] = "1".into(), "MANIFEST_MALFORMED"),
    ];
    for (i, (edit, want)) in cases.into_iter().enumerate() {
        let env = resign_with(&sealed, edit);
        let got = code(otaseal::open::verify_release(env.as_bytes(), &trust(), &policy(), &Limits::default()));
        assert_eq!(got, want, "case {i}");
    }
}
