//! Signed staged rollout (`docs/FORMAT.md` §3.7, §7 step 12a) and bundle-key files (§5.9).

mod common;

use common::*;
use otaseal::keys::{bundle_key_file, bundle_key_from_file};
use otaseal::limits::Limits;
use otaseal::manifest::{Manifest, ROLLOUT_FULL};
use otaseal::open;
use otaseal::policy::Policy;
use otaseal::seal;
use otaseal::stream::BundleKey;

fn sealed_with_rollout(rollout: Option<u32>) -> seal::Sealed {
    let mut i = info("2.0.0");
    i.rollout = rollout;
    seal::seal(&entries(sample_files()), &i, None, &[&signing_key(1)], &Limits::default()).expect("seal")
}

fn verdict(env: &str, bucket: Option<u32>) -> &'static str {
    let mut p = policy();
    p.rollout_bucket = bucket;
    match open::verify_release(env.as_bytes(), &trust(), &p, &Limits::default()) {
        Ok(_) => "OK",
        Err(e) => e.code(),
    }
}

#[test]
fn bucket_below_rollout_is_in_and_at_or_above_is_out() {
    let env = sealed_with_rollout(Some(100_000)).envelope.to_json();
    assert_eq!(verdict(&env, Some(0)), "OK");
    assert_eq!(verdict(&env, Some(99_999)), "OK");
    assert_eq!(verdict(&env, Some(100_000)), "ROLLOUT_EXCLUDED");
    assert_eq!(verdict(&env, Some(999_999)), "ROLLOUT_EXCLUDED");
}

#[test]
fn a_partial_rollout_without_a_bucket_fails_closed() {
    let env = sealed_with_rollout(Some(999_999)).envelope.to_json();
    assert_eq!(verdict(&env, None), "ROLLOUT_EXCLUDED");
    // Full rollout, explicit or absent, needs no bucket.
    assert_eq!(verdict(&sealed_with_rollout(Some(ROLLOUT_FULL)).envelope.to_json(), None), "OK");
    assert_eq!(verdict(&sealed_with_rollout(None).envelope.to_json(), None), "OK");
}

#[test]
fn rollout_zero_halts_everyone() {
    let env = sealed_with_rollout(Some(0)).envelope.to_json();
    for bucket in [None, Some(0), Some(1), Some(999_999)] {
        assert_eq!(verdict(&env, bucket), "ROLLOUT_EXCLUDED", "bucket {bucket:?}");
    }
}

#[test]
fn widening_keeps_every_install_a_narrower_rollout_took() {
    // Buckets are nested: bucket < a implies bucket < b for a <= b.
    let steps = [0u32, 1, 10_000, 100_000, 500_000, 999_999, ROLLOUT_FULL];
    let envs: Vec<String> = steps.iter().map(|r| sealed_with_rollout(Some(*r)).envelope.to_json()).collect();
    for bucket in [0u32, 1, 9_999, 10_000, 99_999, 250_000, 999_998, 999_999] {
        let mut was_in = false;
        for (r, env) in steps.iter().zip(&envs) {
            let is_in = verdict(env, Some(bucket)) == "OK";
            assert_eq!(is_in, bucket < *r, "bucket {bucket} at rollout {r}");
            assert!(is_in || !was_in, "bucket {bucket} dropped out when widening to {r}");
            was_in = is_in;
        }
    }
}

#[test]
fn widening_the_same_version_reaches_installs_already_on_it() {
    // Devices that took 2.0.0 at 10 % see the widened 2.0.0 as the identical bundle (step 9)
    // and, being in the bucket range, pass; devices not yet in pass as a newer version.
    let narrow = sealed_with_rollout(Some(100_000));
    let wide = sealed_with_rollout(Some(500_000));
    assert_eq!(narrow.manifest.bundle.zip_sha256, wide.manifest.bundle.zip_sha256);
    let mut on_it = policy();
    on_it.installed_version = Some("2.0.0".parse().unwrap());
    on_it.installed_zip_sha256 = Some(narrow.manifest.bundle.zip_sha256);
    on_it.rollout_bucket = Some(50_000);
    assert!(open::verify_release(wide.envelope.to_json().as_bytes(), &trust(), &on_it, &Limits::default()).is_ok());
    assert_eq!(verdict(&wide.envelope.to_json(), Some(300_000)), "OK");
    assert_eq!(verdict(&narrow.envelope.to_json(), Some(300_000)), "ROLLOUT_EXCLUDED");
}

#[test]
fn the_server_cannot_change_the_fraction_without_a_signature() {
    // Editing the payload's rollout (widening 10 % to 100 %) breaks the signature.
    let sealed = sealed_with_rollout(Some(100_000));
    let mut env: serde_json::Value = serde_json::from_str(&sealed.envelope.to_json()).unwrap();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let payload = String::from_utf8(b64.decode(env["payload"].as_str().unwrap()).unwrap()).unwrap();
    assert!(payload.contains("\"rollout\":100000"));
    for edited in
        [payload.replace("\"rollout\":100000,", ""), payload.replace("\"rollout\":100000", "\"rollout\":1000000")]
    {
        env["payload"] = b64.encode(edited.as_bytes()).into();
        assert_eq!(verdict(&env.to_string(), Some(500_000)), "SIGNATURE_THRESHOLD");
    }
}

#[test]
fn rollout_is_checked_after_every_other_policy_step() {
    let env = sealed_with_rollout(Some(0)).envelope.to_json();
    let mut p = policy();
    p.now = EXPIRES;
    assert_eq!(open::verify_release(env.as_bytes(), &trust(), &p, &Limits::default()).unwrap_err().code(), "EXPIRED");
    let mut p = policy();
    p.installed_version = Some("3.0.0".parse().unwrap());
    assert_eq!(open::verify_release(env.as_bytes(), &trust(), &p, &Limits::default()).unwrap_err().code(), "DOWNGRADE");
}

#[test]
fn rollout_schema() {
    let sealed = sealed_with_rollout(None);
    let limits = Limits::default();
    // Absent: not written at all, so manifests without a rollout keep their exact bytes.
    assert!(!String::from_utf8_lossy(&sealed.envelope.payload).contains("rollout"));
    let parse = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v: serde_json::Value = serde_json::from_slice(&sealed.envelope.payload).unwrap();
        edit(&mut v);
        Manifest::parse(&serde_json::to_vec(&v).unwrap(), &limits).map(|m| m.rollout).map_err(|e| e.code())
    };
    assert_eq!(parse(&|v| v["rollout"] = serde_json::Value::Null), Ok(None));
    assert_eq!(parse(&|v| v["rollout"] = 0.into()), Ok(Some(0)));
    assert_eq!(parse(&|v| v["rollout"] = 1_000_000.into()), Ok(Some(1_000_000)));
    assert_eq!(parse(&|v| v["rollout"] = 1_000_001.into()), Err("MANIFEST_MALFORMED"));
    assert_eq!(parse(&|v| v["rollout"] = (u64::MAX).into()), Err("MANIFEST_MALFORMED"));
    assert_eq!(parse(&|v| v["rollout"] = 0.5.into()), Err("MANIFEST_MALFORMED"));
    assert_eq!(parse(&|v| v["rollout"] = (-1).into()), Err("MANIFEST_MALFORMED"));
    assert_eq!(parse(&|v| v["rollout"] = "100000".into()), Err("MANIFEST_MALFORMED"));
    // Written between expiresAt and bundle, and read back.
    let written = sealed_with_rollout(Some(123_456));
    let text = String::from_utf8(written.envelope.payload.clone()).unwrap();
    assert!(text.contains(",\"rollout\":123456,\"bundle\":"), "{text}");
    assert_eq!(written.manifest.rollout, Some(123_456));
}

#[test]
fn an_out_of_range_bucket_is_a_caller_error() {
    let env = sealed_with_rollout(None).envelope.to_json();
    assert_eq!(verdict(&env, Some(ROLLOUT_FULL)), "INVALID_ARGUMENT");
    let mut p = Policy::new(APP, CHANNEL, "ios", NOW);
    p.native_version = Some("5.0.0".parse().unwrap());
    p.rollout_bucket = Some(999_999);
    assert!(open::verify_release(env.as_bytes(), &trust(), &p, &Limits::default()).is_ok());
}

#[test]
fn bundle_key_files_round_trip_and_mislabelled_keys_are_refused() {
    let key = BundleKey::from_bytes(&[7; 32]).unwrap();
    let text = bundle_key_file(&key);
    let back = bundle_key_from_file(text.as_bytes()).unwrap();
    assert_eq!(back.as_bytes(), key.as_bytes());
    assert_eq!(back.key_id(), key.key_id());

    let other = BundleKey::from_bytes(&[8; 32]).unwrap();
    let code = |t: &str| bundle_key_from_file(t.as_bytes()).map(|_| ()).map_err(|e| e.code());
    // The keyId of another key: refused, and the message names both ids.
    let swapped = text.replace(key.key_id(), other.key_id());
    let err = bundle_key_from_file(swapped.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "KEY_MALFORMED");
    assert!(err.to_string().contains(other.key_id()) && err.to_string().contains(key.key_id()));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let with = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v = v.clone();
        edit(&mut v);
        v.to_string()
    };
    assert_eq!(code(&with(&|v| v["extra"] = 1.into())), Err("KEY_MALFORMED"));
    assert_eq!(code(&with(&|v| v["type"] = "otaseal-signing-key".into())), Err("KEY_MALFORMED"));
    assert_eq!(code(&with(&|v| v["keyId"] = key.key_id().to_uppercase().into())), Err("KEY_MALFORMED"));
    assert_eq!(code(&with(&|v| v["key"] = "AAAA".into())), Err("KEY_MALFORMED"));
    assert_eq!(
        code(&with(&|v| {
            v.as_object_mut().unwrap().remove("keyId");
        })),
        Err("KEY_MALFORMED")
    );
    // Non-canonical Base64 (a trailing bit set, no padding).
    let b64 = v["key"].as_str().unwrap().to_string();
    assert_eq!(code(&text.replace(&b64, b64.trim_end_matches('='))), Err("KEY_MALFORMED"));
    assert_eq!(code(&text.replace(&b64, &format!("{}B=", &b64[..42]))), Err("KEY_MALFORMED"));
    // Duplicate member, array, oversize, not JSON.
    assert_eq!(code(&text.replacen("{", &format!("{{\"key\": \"{b64}\",",), 1)), Err("KEY_MALFORMED"));
    assert_eq!(code("[]"), Err("KEY_MALFORMED"));
    assert_eq!(code(&" ".repeat(5000)), Err("KEY_MALFORMED"));
    assert_eq!(code("not json"), Err("KEY_MALFORMED"));
    // No refusal echoes the secret.
    for bad in [with(&|v| v["extra"] = 1.into()), text.replace(&b64, b64.trim_end_matches('='))] {
        let msg = bundle_key_from_file(bad.as_bytes()).unwrap_err().to_string();
        assert!(!msg.contains(&b64[..20]), "{msg}");
    }
}
