//! Release vectors that declare their own outcome (`tests/fixtures/vectors/releases.json`).
//! The same file runs through every path: natively here, through the wasm bindings in Node and
//! Chromium (`tests/wasm.rs`, wasm-bindgen-test) and through the npm package's JS API
//! (`tests/js/vectors.test.mjs`). Every path must give the same code and the same files.
//!
//! Regenerate (new random encryption salts; the expectations must not change):
//! `cargo test --test vectors -- --ignored regenerate`

mod common;

use base64::Engine;
use common::*;
use otaseal::digest::Sha256Digest;
use otaseal::limits::Limits;
use otaseal::open;
use otaseal::policy::Policy;
use otaseal::stream::BundleKey;
use otaseal::trust::TrustRoot;
use serde_json::{json, Value};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/vectors/releases.json");
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The policy of `common::policy()` in the JS shape (`Policy` in src/wasm/mod.rs).
fn base_policy() -> Value {
    json!({ "app": APP, "channel": CHANNEL, "platform": "ios", "installedVersion": "1.0.0",
            "nativeVersion": "5.0.0", "now": NOW })
}

fn policy_from(v: &Value) -> Policy {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let mut p =
        Policy::new(&s("app").expect("app"), &s("channel").expect("channel"), &s("platform").expect("platform"), 0);
    p.now = v["now"].as_i64().expect("now");
    p.installed_version = s("installedVersion").map(|t| t.parse().expect("semver"));
    p.native_version = s("nativeVersion").map(|t| t.parse().expect("semver"));
    p.last_trusted_time = v.get("lastTrustedTime").and_then(Value::as_i64);
    p.rollout_bucket = v.get("rolloutBucket").and_then(Value::as_u64).map(|b| u32::try_from(b).expect("bucket"));
    p
}

/// What a case produces natively: `{"code": "OK"|CODE, "signedBy": [...], "files": [...]}`.
fn run_native(case: &Value) -> Value {
    let limits = Limits::default();
    let trust = TrustRoot::from_pinned(case["trust"].as_str().expect("trust").as_bytes(), &limits).expect("trust root");
    let policy = policy_from(&case["policy"]);
    let keys: Vec<BundleKey> = case["bundleKeys"]
        .as_array()
        .expect("bundleKeys")
        .iter()
        .map(|k| BundleKey::from_bytes(&B64.decode(k.as_str().expect("key")).expect("base64")).expect("key"))
        .collect();
    let bundle = B64.decode(case["bundle"].as_str().expect("bundle")).expect("base64");
    let chunk = case["chunk"].as_u64().expect("chunk") as usize;
    let result = (|| {
        let release =
            open::verify_release(case["envelope"].as_str().expect("envelope").as_bytes(), &trust, &policy, &limits)?;
        let signed_by = release.signed_by.clone();
        let mut opener = open::Opener::new(release, &keys, &limits, open::MemorySink::new())?;
        for piece in bundle.chunks(chunk) {
            opener.push(piece)?;
        }
        let files = opener.finish()?.sink.into_files();
        Ok::<_, otaseal::Error>((signed_by, files))
    })();
    match result {
        Ok((signed_by, files)) => json!({
            "code": "OK",
            "signedBy": signed_by,
            "files": files.iter().map(|f| json!({ "path": f.path, "size": f.data.len(),
                "sha256": Sha256Digest::of(&f.data).to_hex() })).collect::<Vec<_>>(),
        }),
        Err(e) => json!({ "code": e.code() }),
    }
}

#[test]
fn vectors_pass_natively() {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(VECTORS).expect("vectors file")).expect("json");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 15, "expected at least 15 vectors, found {}", cases.len());
    let mut codes = std::collections::BTreeSet::new();
    for case in cases {
        let got = run_native(case);
        assert_eq!(got, case["expect"], "vector {}", case["name"]);
        codes.insert(case["expect"]["code"].as_str().expect("code").to_string());
    }
    // The file must exercise both outcomes and many distinct rejections.
    assert!(codes.contains("OK") && codes.len() >= 12, "too few distinct outcomes: {codes:?}");
}

// --- generation ---

fn case(name: &str, sealed_env: &str, bundle: &[u8], policy: Value, keys: &[&BundleKey], chunk: usize) -> Value {
    let trust = trust().to_document_json();
    case_with_trust(name, sealed_env, bundle, policy, keys, chunk, &trust)
}

fn case_with_trust(
    name: &str,
    envelope: &str,
    bundle: &[u8],
    policy: Value,
    keys: &[&BundleKey],
    chunk: usize,
    trust: &str,
) -> Value {
    let mut c = json!({
        "name": name,
        "envelope": envelope,
        "trust": trust,
        "policy": policy,
        "bundleKeys": keys.iter().map(|k| B64.encode(k.as_bytes())).collect::<Vec<_>>(),
        "bundle": B64.encode(bundle),
        "chunk": chunk,
    });
    c["expect"] = run_native(&c);
    c
}

fn with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut p = base_policy();
    edit(&mut p);
    p
}

/// A zip whose first entry escapes the install folder; the manifest lists a valid layout
/// (§6.3), so the zip reader is what refuses it.
fn slip_case() -> Value {
    let slip_zip = raw_zip(&[RawEntry::stored("../evil.js", b"alert(1)")], &[], &[]);
    let slip_env = envelope_for_raw_zip(&slip_zip, vec![("index.html", b"<h1>"), ("evil.js", b"alert(1)")]);
    case("zip entry ../evil.js (zip-slip)", &slip_env, &slip_zip, base_policy(), &[], 512)
}

/// Rewrites only the zip-slip case in place (the other cases keep their bytes).
#[test]
#[ignore = "writes tests/fixtures/vectors/releases.json"]
fn regenerate_slip_case() {
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(VECTORS).expect("vectors")).expect("json");
    let fresh = slip_case();
    for c in doc["cases"].as_array_mut().expect("cases") {
        if c["name"] == fresh["name"] {
            *c = fresh.clone();
        }
    }
    std::fs::write(VECTORS, serde_json::to_string_pretty(&doc).expect("json") + "\n").expect("write vectors");
}

#[test]
#[ignore = "writes tests/fixtures/vectors/releases.json"]
fn regenerate() {
    let key = bundle_key();
    let mut files = sample_files();
    files.push(("assets/noise.bin".into(), noise(6_000, 9)));
    let plain = seal_with(files.clone(), None);
    let enc = seal_with(files.clone(), Some(4096));
    let plain_env = plain.envelope.to_json();
    let enc_env = enc.envelope.to_json();
    let p = base_policy;

    let flip = |b: &[u8], at: usize| {
        let mut b = b.to_vec();
        b[at] ^= 0x01;
        b
    };
    let other_trust = TrustRoot::new(1, 1, vec![signing_key(2).public().clone()]).expect("root").to_document_json();
    let two_of_two =
        TrustRoot::new(1, 2, vec![signing_key(1).public().clone(), signing_key(2).public().clone()]).expect("root");
    let resigned_version = resign_with(&plain, |v| v["version"] = "2.0.1".into());
    let resigned_enc = resign_with(&enc, |v| v["version"] = "2.0.1".into());
    let staged = resign_with(&plain, |v| v["rollout"] = 100_000.into());

    let cases = vec![
        case("plain, 7-byte chunks", &plain_env, &plain.bundle, p(), &[], 7),
        case("plain, one chunk", &plain_env, &plain.bundle, p(), &[], plain.bundle.len()),
        case("encrypted 4096-byte segments, 1000-byte chunks", &enc_env, &enc.bundle, p(), &[&key], 1000),
        case("encrypted, one chunk", &enc_env, &enc.bundle, p(), &[&key], enc.bundle.len()),
        case("plain, flipped byte in the zip", &plain_env, &flip(&plain.bundle, 100), p(), &[], 64),
        case("encrypted, flipped byte in segment 1", &enc_env, &flip(&enc.bundle, 5000), p(), &[&key], 4096),
        case("encrypted, flipped header byte", &enc_env, &flip(&enc.bundle, 3), p(), &[&key], 4096),
        case("plain, truncated", &plain_env, &plain.bundle[..plain.bundle.len() - 10], p(), &[], 512),
        case("plain, one trailing byte", &plain_env, &[&plain.bundle[..], &[0]].concat(), p(), &[], 512),
        case("encrypted, no decryption key", &enc_env, &enc.bundle, p(), &[], 4096),
        case(
            "downgrade below installed 3.0.0",
            &plain_env,
            &plain.bundle,
            with(|v| v["installedVersion"] = "3.0.0".into()),
            &[],
            512,
        ),
        case(
            "equal version 2.0.0 without the installed zip hash",
            &plain_env,
            &plain.bundle,
            with(|v| v["installedVersion"] = "2.0.0".into()),
            &[],
            512,
        ),
        case("expired", &plain_env, &plain.bundle, with(|v| v["now"] = (EXPIRES + 1000).into()), &[], 512),
        case("not yet valid", &plain_env, &plain.bundle, with(|v| v["now"] = (ISSUED - 3600).into()), &[], 512),
        case(
            "clock rollback",
            &plain_env,
            &plain.bundle,
            with(|v| v["lastTrustedTime"] = (NOW + 86_400).into()),
            &[],
            512,
        ),
        case("another app", &plain_env, &plain.bundle, with(|v| v["app"] = "com.example.other".into()), &[], 512),
        case("another channel", &plain_env, &plain.bundle, with(|v| v["channel"] = "beta".into()), &[], 512),
        case("another platform", &plain_env, &plain.bundle, with(|v| v["platform"] = "web".into()), &[], 512),
        case(
            "native shell too old",
            &plain_env,
            &plain.bundle,
            with(|v| v["nativeVersion"] = "3.9.9".into()),
            &[],
            512,
        ),
        case_with_trust("signed by an untrusted key", &plain_env, &plain.bundle, p(), &[], 512, &other_trust),
        case_with_trust(
            "1 of 2 required signatures",
            &plain_env,
            &plain.bundle,
            p(),
            &[],
            512,
            &two_of_two.to_document_json(),
        ),
        case("plain bundle re-signed as 2.0.1 by the trusted key", &resigned_version, &plain.bundle, p(), &[], 512),
        case("encrypted, re-signed as 2.0.1: ciphertext bound to 2.0.0", &resigned_enc, &enc.bundle, p(), &[&key], 512),
        slip_case(),
        case("envelope is not JSON", "{\"payload\":", &plain.bundle, p(), &[], 512),
        case(
            "staged rollout 10 %, bucket 99999 is in",
            &staged,
            &plain.bundle,
            with(|v| v["rolloutBucket"] = 99_999.into()),
            &[],
            512,
        ),
        case(
            "staged rollout 10 %, bucket 100000 is out",
            &staged,
            &plain.bundle,
            with(|v| v["rolloutBucket"] = 100_000.into()),
            &[],
            512,
        ),
        case("staged rollout 10 %, no bucket: fail closed", &staged, &plain.bundle, p(), &[], 512),
    ];
    for c in &cases {
        println!("{:60} {}", c["name"].as_str().unwrap_or(""), c["expect"]["code"]);
    }
    let doc = json!({
        "about": "otaseal release vectors: each case declares its outcome. Generated by tests/vectors.rs (regenerate); run by tests/vectors.rs, tests/wasm.rs and tests/js/vectors.test.mjs.",
        "keys": { "signingKeySeeds": [hex(&[1; 32]), hex(&[2; 32])], "bundleKey": hex(key.as_bytes()) },
        "cases": cases,
    });
    std::fs::create_dir_all(std::path::Path::new(VECTORS).parent().expect("dir")).expect("mkdir");
    std::fs::write(VECTORS, serde_json::to_string_pretty(&doc).expect("json") + "\n").expect("write vectors");
}
