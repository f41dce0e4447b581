//! One failing input per error code, and a check that the list covers every code in
//! `ALL_CODES` and that `docs/FORMAT.md` §9 documents exactly those codes.

mod common;

use std::collections::BTreeSet;

use common::*;
use otaseal::envelope::Envelope;
use otaseal::keys::{PublicKey, SigningKey};
use otaseal::limits::Limits;
use otaseal::open::{self, MemorySink, Opener};
use otaseal::seal;
use otaseal::stream::{self, BundleKey};
use otaseal::trust::{TrustRoot, TRUST_ROOT_PAYLOAD_TYPE};
use otaseal::ALL_CODES;

/// Codes whose trigger lives in a unit test inside the crate (it needs a test-only hook).
const TRIGGERED_BY_UNIT_TESTS: &[(&str, &str)] = &[("RANDOM_UNAVAILABLE", "random::tests::failure_is_reported")];

fn verify_json(env: &str) -> &'static str {
    code(open::verify_release(env.as_bytes(), &trust(), &policy(), &Limits::default()))
}

fn with_policy(edit: impl FnOnce(&mut otaseal::policy::Policy)) -> &'static str {
    let sealed = seal_with(sample_files(), None);
    let mut p = policy();
    edit(&mut p);
    code(open::verify_release(sealed.envelope.to_json().as_bytes(), &trust(), &p, &Limits::default()))
}

fn manifest_edit(edit: impl FnOnce(&mut serde_json::Value)) -> &'static str {
    let sealed = seal_with(sample_files(), None);
    verify_json(&resign_with(&sealed, edit))
}

fn trust_doc(edit: impl FnOnce(&mut serde_json::Value)) -> &'static str {
    let mut v: serde_json::Value = serde_json::from_str(&trust().to_document_json()).unwrap();
    edit(&mut v);
    code(TrustRoot::parse_document(&serde_json::to_vec(&v).unwrap(), &Limits::default()))
}

/// Opens an encrypted sealed release after `edit` changes the delivered bytes.
fn open_encrypted(edit: impl FnOnce(&mut Vec<u8>)) -> &'static str {
    let sealed = seal_with(sample_files(), Some(4096));
    let mut bundle = sealed.bundle.clone();
    edit(&mut bundle);
    code(open_with(&sealed.envelope.to_json(), &bundle, 1000))
}

fn decrypt(edit: impl FnOnce(&mut Vec<u8>)) -> &'static str {
    let key = bundle_key();
    // Exactly three full segments (4040 + 4080 + 4080 plaintext bytes at S = 4096).
    let mut ct = stream::encrypt_all(&key, b"ad", 4096, &noise(4040 + 2 * 4080, 1)).unwrap();
    edit(&mut ct);
    code(stream::decrypt_all(&key, b"ad", 4096, &ct))
}

fn seg(ct: &[u8], i: usize) -> Vec<u8> {
    let start = if i == 0 { 40 } else { 4096 * i };
    let end = 4096 * (i + 1);
    ct[start..end].to_vec()
}

fn cases() -> Vec<(&'static str, &'static str)> {
    let a = b"alpha" as &[u8];
    let good = RawEntry::stored("index.html", a);
    vec![
        ("INVALID_ARGUMENT", {
            let files = entries(sample_files());
            code(seal::seal(&files, &info("2.0.0"), None, &[], &Limits::default()))
        }),
        ("INVALID_STATE", {
            let sealed = seal_with(sample_files(), None);
            let release = verify(&sealed).unwrap();
            let mut opener = Opener::new(release, &[], &Limits::default(), MemorySink::new()).unwrap();
            let _ = opener.push(&[0; 4]);
            code(opener.push(&sealed.bundle))
        }),
        ("LIMIT_EXCEEDED", {
            let sealed = seal_with(sample_files(), None);
            let tiny = Limits { max_envelope_bytes: 100, ..Limits::default() };
            code(open::verify_release(sealed.envelope.to_json().as_bytes(), &trust(), &policy(), &tiny))
        }),
        (
            "KEY_MALFORMED",
            code(SigningKey::from_pkcs8_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")),
        ),
        ("KEY_WEAK", {
            let mut identity = [0u8; 32];
            identity[0] = 1;
            code(PublicKey::from_raw(&identity))
        }),
        ("KEYID_MISMATCH", trust_doc(|v| v["keys"][0]["keyid"] = "00".repeat(32).into())),
        ("ENVELOPE_MALFORMED", verify_json(r#"{"payloadType":"x","payload":"","payload":"","signatures":[]}"#)),
        ("PAYLOAD_TYPE_UNKNOWN", {
            let mut env = Envelope::new("application/json", b"{}".to_vec());
            env.sign(&signing_key(1)).unwrap();
            verify_json(&env.to_json())
        }),
        ("SIGNATURE_THRESHOLD", {
            let files = entries(sample_files());
            let sealed = seal::seal(&files, &info("2.0.0"), None, &[&signing_key(9)], &Limits::default()).unwrap();
            verify_json(&sealed.envelope.to_json())
        }),
        ("TRUST_ROOT_MALFORMED", trust_doc(|v| v["extra"] = 1.into())),
        (
            "TRUST_DUPLICATE_KEY",
            trust_doc(|v| {
                let k = v["keys"][0].clone();
                v["keys"].as_array_mut().unwrap().push(k);
            }),
        ),
        ("TRUST_THRESHOLD_INVALID", trust_doc(|v| v["threshold"] = 2.into())),
        ("TRUST_ROOT_VERSION", {
            let next = TrustRoot::new(3, 1, vec![signing_key(2).public().clone()]).unwrap();
            let env = next.to_signed_envelope(&[&signing_key(1), &signing_key(2)]).unwrap();
            code(trust().rotate(env.to_json().as_bytes(), &Limits::default()))
        }),
        ("MANIFEST_MALFORMED", manifest_edit(|v| v["surprise"] = true.into())),
        ("FORMAT_VERSION_UNSUPPORTED", manifest_edit(|v| v["formatVersion"] = 2.into())),
        (
            "MANIFEST_DUPLICATE_PATH",
            manifest_edit(|v| {
                let mut f = v["files"][0].clone();
                f["path"] = f["path"].as_str().unwrap().to_uppercase().into();
                v["files"].as_array_mut().unwrap().push(f);
            }),
        ),
        ("PATH_TRAVERSAL", manifest_edit(|v| v["files"][0]["path"] = "../../etc/passwd".into())),
        ("PATH_ABSOLUTE", manifest_edit(|v| v["files"][0]["path"] = "/etc/passwd".into())),
        ("PATH_BACKSLASH", manifest_edit(|v| v["files"][0]["path"] = "a\\b".into())),
        ("PATH_INVALID", manifest_edit(|v| v["files"][0]["path"] = "a//b".into())),
        ("APP_MISMATCH", with_policy(|p| p.app = "com.other.app".into())),
        ("CHANNEL_MISMATCH", with_policy(|p| p.channel = "beta".into())),
        ("PLATFORM_MISMATCH", with_policy(|p| p.platform = "web".into())),
        ("DOWNGRADE", with_policy(|p| p.installed_version = Some("2.0.0".parse().unwrap()))),
        ("NATIVE_TOO_OLD", with_policy(|p| p.native_version = Some("3.9.9".parse().unwrap()))),
        ("EXPIRED", with_policy(|p| p.now = EXPIRES)),
        ("NOT_YET_VALID", with_policy(|p| p.now = ISSUED - 301)),
        ("CLOCK_ROLLBACK", with_policy(|p| p.last_trusted_time = Some(NOW + 1))),
        ("ROLLOUT_EXCLUDED", {
            let sealed = seal_with(sample_files(), None);
            let env = resign_with(&sealed, |v| v["rollout"] = 100_000.into());
            let mut p = policy();
            p.rollout_bucket = Some(100_000);
            code(open::verify_release(env.as_bytes(), &trust(), &p, &Limits::default()))
        }),
        ("BUNDLE_TOO_LONG", open_encrypted(|b| b.push(0))),
        (
            "BUNDLE_TRUNCATED",
            open_encrypted(|b| {
                b.pop();
            }),
        ),
        ("BUNDLE_HASH_MISMATCH", {
            let sealed = seal_with(sample_files(), None);
            let env = resign_with(&sealed, |v| {
                v["bundle"]["sha256"] = "ab".repeat(32).into();
                v["bundle"]["zipSha256"] = "ab".repeat(32).into();
            });
            code(open_with(&env, &sealed.bundle, 999))
        }),
        ("ZIP_HASH_MISMATCH", {
            let sealed = seal_with(sample_files(), Some(4096));
            let env = resign_with(&sealed, |v| v["bundle"]["zipSha256"] = "ab".repeat(32).into());
            code(open_with(&env, &sealed.bundle, 999))
        }),
        ("HASH_MISMATCH", {
            let sealed = seal_with(sample_files(), None);
            let env = resign_with(&sealed, |v| v["files"][0]["sha256"] = "cd".repeat(32).into());
            code(open_with(&env, &sealed.bundle, 999))
        }),
        ("SIZE_MISMATCH", {
            let sealed = seal_with(sample_files(), None);
            let env = resign_with(&sealed, |v| v["files"][0]["size"] = 1.into());
            code(open_with(&env, &sealed.bundle, 999))
        }),
        ("DECRYPT_KEY_UNKNOWN", {
            let sealed = seal_with(sample_files(), Some(4096));
            let release = verify(&sealed).unwrap();
            let other = BundleKey::from_bytes(&[1; 32]).unwrap();
            code(Opener::new(release, &[other], &Limits::default(), MemorySink::new()))
        }),
        ("DECRYPT_BINDING_MISMATCH", {
            let sealed = seal_with(sample_files(), Some(4096));
            let other = stream::binding(APP, &"9.9.9".parse().unwrap());
            verify_json(&resign_with(&sealed, |v| {
                v["encryption"]["associatedData"] = otaseal::digest::to_hex(&other).into()
            }))
        }),
        ("DECRYPT_HEADER_MALFORMED", open_encrypted(|b| b[0] = 0x27)),
        ("DECRYPT_HEADER_MISMATCH", open_encrypted(|b| b[1] ^= 1)),
        ("DECRYPT_TRUNCATED", decrypt(|ct| ct.truncate(4096 * 2))),
        (
            "DECRYPT_TRAILING_DATA",
            decrypt(|ct| {
                let s = seg(ct, 1);
                ct.extend_from_slice(&s)
            }),
        ),
        (
            "DECRYPT_SEGMENT_REORDERED",
            decrypt(|ct| {
                let (s1, s2) = (seg(ct, 1), seg(ct, 2));
                ct[4096..8192].copy_from_slice(&s2);
                ct[8192..].copy_from_slice(&s1);
            }),
        ),
        (
            "DECRYPT_SEGMENT_DUPLICATED",
            decrypt(|ct| {
                let s1 = seg(ct, 1);
                ct[8192..].copy_from_slice(&s1);
            }),
        ),
        ("DECRYPT_TAG", open_encrypted(|b| b[100] ^= 0x80)),
        ("ZIP_MALFORMED", {
            let mut e = good.clone();
            e.csize += 1;
            e.body.push(0);
            open_raw(&raw_zip(&[e], b"", b""), vec![("index.html", a)])
        }),
        (
            "ZIP_PREPENDED_DATA",
            open_raw(&raw_zip(std::slice::from_ref(&good), b"MZ\x90\x00", b""), vec![("index.html", a)]),
        ),
        (
            "ZIP_TRAILING_DATA",
            open_raw(&raw_zip(std::slice::from_ref(&good), b"", b"#!trailer"), vec![("index.html", a)]),
        ),
        (
            "ZIP_UNSUPPORTED_METHOD",
            open_raw(&raw_zip(&[RawEntry { method: 12, ..good.clone() }], b"", b""), vec![("index.html", a)]),
        ),
        (
            "ZIP_ENCRYPTED_ENTRY",
            open_raw(&raw_zip(&[RawEntry { flags: 0x0801, ..good.clone() }], b"", b""), vec![("index.html", a)]),
        ),
        (
            "ZIP_UNSUPPORTED_FEATURE",
            open_raw(
                &raw_zip(&[RawEntry { extra: vec![0x55, 0x54, 1, 0, 0], ..good.clone() }], b"", b""),
                vec![("index.html", a)],
            ),
        ),
        (
            "ZIP_SYMLINK",
            open_raw(
                &raw_zip(&[RawEntry { external: 0o120_777 << 16, ..good.clone() }], b"", b""),
                vec![("index.html", a)],
            ),
        ),
        (
            "ZIP_NOT_A_FILE",
            open_raw(
                &raw_zip(&[RawEntry { external: 0o040_755 << 16, ..good.clone() }], b"", b""),
                vec![("index.html", a)],
            ),
        ),
        ("ZIP_DUPLICATE_ENTRY", open_raw(&raw_zip(&[good.clone(), good.clone()], b"", b""), vec![("index.html", a)])),
        (
            "ZIP_CASE_COLLISION",
            open_raw(&raw_zip(&[good.clone(), RawEntry::stored("INDEX.HTML", a)], b"", b""), vec![("index.html", a)]),
        ),
        (
            "ZIP_UNLISTED_ENTRY",
            open_raw(&raw_zip(&[good.clone(), RawEntry::stored("b.txt", a)], b"", b""), vec![("index.html", a)]),
        ),
        (
            "ZIP_MISSING_FILE",
            open_raw(&raw_zip(std::slice::from_ref(&good), b"", b""), vec![("index.html", a), ("b.txt", a)]),
        ),
        (
            "ZIP_HEADER_MISMATCH",
            open_raw(&raw_zip(&[RawEntry { central_crc: Some(1), ..good.clone() }], b"", b""), vec![("index.html", a)]),
        ),
        (
            "ZIP_CRC_MISMATCH",
            open_raw(&raw_zip(&[RawEntry { crc: 1, ..good.clone() }], b"", b""), vec![("index.html", a)]),
        ),
        ("ZIP_INFLATE_FAILED", {
            let mut e = RawEntry::deflated("index.html", a);
            e.body = vec![0xff; e.body.len()];
            open_raw(&raw_zip(&[e], b"", b""), vec![("index.html", a)])
        }),
        // The install profile (docs/FORMAT.md §6): names, modes, file sets, layout.
        (
            "PATH_NOT_UTF8",
            open_raw(
                &raw_zip(&[RawEntry { flags: 0, ..RawEntry::stored("caf\u{e9}.js", a) }], b"", b""),
                vec![("index.html", a)],
            ),
        ),
        (
            "PATH_NOT_NFC",
            open_raw(&raw_zip(&[RawEntry::stored("cafe\u{301}.js", a)], b"", b""), vec![("index.html", a)]),
        ),
        (
            "PATH_COMPONENT_TOO_LONG",
            open_raw(&raw_zip(&[RawEntry::stored(&"x".repeat(256), a)], b"", b""), vec![("index.html", a)]),
        ),
        (
            "PATH_RESERVED",
            open_raw(&raw_zip(&[RawEntry::stored("__MACOSX/._index.html", a)], b"", b""), vec![("index.html", a)]),
        ),
        (
            "PATH_PREFIX_CONFLICT",
            verify_json(&envelope_for_raw_zip(b"zip", vec![("index.html", a), ("lib.js", a), ("lib.js/x.js", a)])),
        ),
        ("LAYOUT_REROOTED", verify_json(&envelope_for_raw_zip(b"zip", vec![("dist/index.html", a)]))),
        (
            "ZIP_FILE_MODE",
            open_raw(
                &raw_zip(&[RawEntry { external: 0o100_200 << 16, ..good.clone() }], b"", b""),
                vec![("index.html", a)],
            ),
        ),
    ]
}

#[test]
fn every_error_code_has_a_failing_input() {
    let mut covered = BTreeSet::new();
    let mut wrong = Vec::new();
    for (want, got) in cases() {
        if want != got {
            wrong.push(format!("{want}: got {got}"));
        }
        covered.insert(want);
    }
    assert!(wrong.is_empty(), "cases gave the wrong code:\n{}", wrong.join("\n"));
    for (c, _) in TRIGGERED_BY_UNIT_TESTS {
        covered.insert(c);
    }
    let all: BTreeSet<&str> = ALL_CODES.iter().copied().collect();
    let missing: Vec<_> = all.difference(&covered).collect();
    let unknown: Vec<_> = covered.difference(&all).collect();
    assert!(missing.is_empty(), "codes with no failing input: {missing:?}");
    assert!(unknown.is_empty(), "cases for codes not in ALL_CODES: {unknown:?}");
}

#[test]
fn rotation_needs_both_thresholds() {
    let old = trust();
    let next = TrustRoot::new(2, 1, vec![signing_key(2).public().clone()]).unwrap();
    let limits = Limits::default();
    let only_old = next.to_signed_envelope(&[&signing_key(1)]).unwrap();
    let err = old.rotate(only_old.to_json().as_bytes(), &limits).unwrap_err();
    assert_eq!(err.to_string(), "rotation (new root): 0 valid signature(s) from distinct trusted keys, 1 required");
    let only_new = next.to_signed_envelope(&[&signing_key(2)]).unwrap();
    let err = old.rotate(only_new.to_json().as_bytes(), &limits).unwrap_err();
    assert_eq!(err.code(), "SIGNATURE_THRESHOLD");
    let both = next.to_signed_envelope(&[&signing_key(1), &signing_key(2)]).unwrap();
    assert_eq!(old.rotate(both.to_json().as_bytes(), &limits).unwrap(), next);
    // The old root's threshold is checked before the body is read: a garbage body (or a wrong
    // version) that root 1 never signed is SIGNATURE_THRESHOLD, not a parse or version error.
    for body in [
        b"not json".to_vec(),
        TrustRoot::new(7, 1, vec![signing_key(2).public().clone()]).unwrap().to_document_json().into_bytes(),
    ] {
        let mut unsigned = Envelope::new(TRUST_ROOT_PAYLOAD_TYPE, body);
        unsigned.sign(&signing_key(2)).unwrap();
        assert_eq!(code(old.rotate(unsigned.to_json().as_bytes(), &limits)), "SIGNATURE_THRESHOLD");
        unsigned.sign(&signing_key(1)).unwrap();
        let err = code(old.rotate(unsigned.to_json().as_bytes(), &limits));
        assert!(err == "TRUST_ROOT_MALFORMED" || err == "TRUST_ROOT_VERSION", "{err}");
    }
    // A rotation envelope is a trust root, not a manifest, and vice versa.
    assert_eq!(both.payload_type, TRUST_ROOT_PAYLOAD_TYPE);
    assert_eq!(verify_json(&both.to_json()), "PAYLOAD_TYPE_UNKNOWN");
    // Pinned as a signed envelope, a root must carry a threshold of its own keys.
    assert_eq!(TrustRoot::from_pinned(both.to_json().as_bytes(), &limits).unwrap(), next);
    assert_eq!(code(TrustRoot::from_pinned(only_old.to_json().as_bytes(), &limits)), "SIGNATURE_THRESHOLD");
}

/// Order rules of FORMAT.md that a code depends on: the manifest's version before its shape
/// (§3.6.1), what counts as a pinned envelope (§4.4), the size cap before anything (§4.3), and
/// an opener that refuses everything after a failed finish (§7).
#[test]
fn codes_follow_the_documented_order() {
    let limits = Limits::default();
    assert_eq!(
        manifest_edit(|v| {
            v["formatVersion"] = 2.into();
            v["bundle"] = serde_json::json!([1]);
        }),
        "FORMAT_VERSION_UNSUPPORTED"
    );
    assert_eq!(manifest_edit(|v| v["bundle"] = serde_json::json!([1])), "MANIFEST_MALFORMED");
    assert_eq!(code(TrustRoot::from_pinned(br#"["x"]"#, &limits)), "TRUST_ROOT_MALFORMED");
    assert_eq!(code(TrustRoot::from_pinned(br#"[{"payloadType":"x"}]"#, &limits)), "TRUST_ROOT_MALFORMED");
    let huge = format!(r#"{{"payloadType":"x","pad":"{}"}}"#, "a".repeat(limits.max_envelope_bytes as usize));
    assert_eq!(code(TrustRoot::from_pinned(huge.as_bytes(), &limits)), "LIMIT_EXCEEDED");

    let sealed = seal_with(sample_files(), None);
    let release = verify(&sealed).unwrap();
    let mut opener = Opener::new(release, &[], &limits, MemorySink::new()).unwrap();
    let (head, tail) = sealed.bundle.split_at(sealed.bundle.len() - 1);
    opener.push(head).unwrap();
    assert_eq!(code(opener.finish_in_place()), "BUNDLE_TRUNCATED");
    assert_eq!(code(opener.push(tail)), "INVALID_STATE");
    assert_eq!(code(opener.finish_in_place()), "INVALID_STATE");
}

/// FORMAT.md §9 lists exactly ALL_CODES.
#[test]
fn format_md_documents_exactly_the_codes() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/FORMAT.md")).expect("docs/FORMAT.md");
    let start = doc.find("## 9.").expect("FORMAT.md has a section '## 9.'");
    let section = &doc[start..];
    let end = section[5..].find("\n## ").map_or(section.len(), |i| i + 5);
    let section = &section[..end];
    let mut documented = BTreeSet::new();
    for piece in section.split('`').skip(1).step_by(2) {
        if !piece.is_empty() && piece.chars().all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()) {
            documented.insert(piece.to_string());
        }
    }
    let all: BTreeSet<String> = ALL_CODES.iter().map(|s| s.to_string()).collect();
    assert_eq!(documented, all, "FORMAT.md §9 and ALL_CODES differ");
}

/// The TypeScript `OtaErrorCode` union in the wasm bindings lists exactly ALL_CODES, in order.
#[test]
fn typescript_error_code_union_matches() {
    let src =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/wasm/mod.rs")).expect("src/wasm/mod.rs");
    let start = src.find("export type OtaErrorCode =").expect("OtaErrorCode union");
    let end = start + src[start..].find(';').expect("end of union");
    let listed: Vec<&str> =
        src[start..end].lines().skip(1).map(|l| l.trim().trim_start_matches("| ").trim_matches('"')).collect();
    assert_eq!(listed, otaseal::ALL_CODES, "OtaErrorCode in src/wasm/mod.rs and ALL_CODES differ");
}
