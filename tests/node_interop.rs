//! Interoperability with Node's OpenSSL (`node:crypto`), both directions:
//!
//! - our PKCS#8 / SPKI PEMs, DSSE PAE bytes and signatures are read and checked by
//!   `tests/node/interop.mjs` (which also recomputes PAE from the DSSE spec);
//! - Node's own keys (PKCS#8 as Node writes it, plus a hand-built PKCS#8 v2), signatures and
//!   envelopes (a self-signed trust root, a binary payload, a tampered signature, a co-signed
//!   envelope of ours) are read and checked here.
//!
//! Needs `node` (>= 18) on PATH. Without it the test fails: CI installs Node.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use otaseal::digest::to_hex;
use otaseal::envelope::{pae, Envelope};
use otaseal::keys::{PublicKey, SigningKey};
use otaseal::limits::Limits;
use otaseal::manifest::MANIFEST_PAYLOAD_TYPE;
use otaseal::trust::{TrustRoot, TRUST_ROOT_PAYLOAD_TYPE};
use serde_json::{json, Value};
use sha2::Digest as _;

const INTEROP_PAYLOAD_TYPE: &str = "application/vnd.otaseal.interop+json; version=1";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

fn unb64(text: &str, what: &str) -> Vec<u8> {
    B64.decode(text).unwrap_or_else(|e| panic!("{what}: not Base64 ({e})"))
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or_else(|| panic!("node-out.json: no string at {pointer}"))
}

/// A fresh directory under cargo's per-target scratch space.
fn work_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("node-interop-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create the interop work dir");
    dir
}

/// Runs the Node side; panics with its report if it disagrees or cannot run.
fn run_node(job_file: &Path) {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = manifest_dir.join("tests/node/interop.mjs");
    let output = match Command::new("node").arg(&script).arg(job_file).current_dir(manifest_dir).output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`node` is not on PATH: the Node/OpenSSL interop test needs Node.js >= 18 \
             (CI installs it; locally install Node or put it on PATH)"
        ),
        Err(e) => panic!("cannot run `node {}`: {e}", script.display()),
    };
    assert!(
        output.status.success(),
        "node {} failed ({}):\n{}{}",
        script.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout),
    );
}

struct OurEnvelope {
    envelope: Envelope,
    signers: Vec<usize>,
}

fn job_envelope(e: &OurEnvelope, keys: &[SigningKey]) -> Value {
    let env = &e.envelope;
    json!({
        "json": env.to_json(),
        "payloadType": env.payload_type,
        "payloadB64": b64(&env.payload),
        "paeB64": b64(&pae(&env.payload_type, &env.payload)),
        "signatures": env.signatures.iter().zip(&e.signers).map(|(s, &key)| {
            assert_eq!(s.keyid, keys[key].keyid());
            json!({"key": key, "keyid": s.keyid, "sigB64": b64(&s.sig)})
        }).collect::<Vec<_>>(),
    })
}

#[test]
fn node_openssl_interop() {
    let dir = work_dir();

    // ---- Ours: keys and envelopes for Node to check. ----
    let keys = vec![
        SigningKey::from_seed(&[0x11; 32]).expect("key"),
        SigningKey::from_seed(&[0x22; 32]).expect("key"),
        SigningKey::from_seed(&[0x33; 32]).expect("key"),
        SigningKey::generate().expect("random key"),
    ];
    let sign = |payload_type: &str, payload: Vec<u8>, signers: Vec<usize>| {
        let mut envelope = Envelope::new(payload_type, payload);
        for &k in &signers {
            envelope.sign(&keys[k]).expect("sign");
        }
        OurEnvelope { envelope, signers }
    };
    let envelopes = [
        // The first one is co-signed by Node below; keep it signed by keys 0 and 1.
        sign(MANIFEST_PAYLOAD_TYPE, br#"{"app":"com.example.app","version":"2.0.0"}"#.to_vec(), vec![0, 1]),
        // LEN counts bytes, not characters: a non-ASCII type and a payload that is not UTF-8.
        sign("application/x.t\u{eb}st+json; v=\u{fc}\u{2713}", (0..=255u8).rev().collect(), vec![2]),
        sign("t", Vec::new(), vec![0]),
        sign(
            INTEROP_PAYLOAD_TYPE,
            (0..100_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect(),
            vec![3, 1],
        ),
    ];
    let job = json!({
        "outDir": dir,
        "keys": keys.iter().map(|k| json!({
            "pkcs8Pem": k.to_pkcs8_pem().expect("pkcs8").as_str(),
            "spkiPem": k.public().to_spki_pem().expect("spki"),
            "publicHex": to_hex(k.public().raw()),
            "keyid": k.keyid(),
        })).collect::<Vec<_>>(),
        "envelopes": envelopes.iter().map(|e| job_envelope(e, &keys)).collect::<Vec<_>>(),
    });
    let job_file = dir.join("job.json");
    std::fs::write(&job_file, serde_json::to_vec_pretty(&job).expect("json")).expect("write job file");

    run_node(&job_file);

    // ---- Node's: keys, signatures, envelopes for us to check. ----
    let out: Value = serde_json::from_slice(&std::fs::read(dir.join("node-out.json")).expect("node-out.json"))
        .expect("node-out.json is JSON");
    let node_keys = out["keys"].as_array().expect("keys");
    assert_eq!(node_keys.len(), 2, "Node wrote two keys");

    let mut node_public = Vec::new();
    let mut node_signing = Vec::new();
    for (i, k) in node_keys.iter().enumerate() {
        let label = format!("node key {i}");
        let at = |field: &str| str_at(k, &format!("/{field}"));
        let raw_hex = at("publicHex");
        let raw = otaseal::digest::from_hex(raw_hex).expect("publicHex is lowercase hex");
        assert_eq!(at("keyid"), to_hex(&sha2::Sha256::digest(&raw)), "{label}: Node's keyid is not SHA-256(raw)");

        let public = PublicKey::from_spki_pem(at("spkiPem"))
            .unwrap_or_else(|e| panic!("{label}: our from_spki_pem refuses Node's SPKI PEM: {e}"));
        assert_eq!(to_hex(public.raw()), raw_hex, "{label}: raw key from Node's SPKI");
        assert_eq!(public.keyid(), at("keyid"), "{label}: keyid ours vs Node's");
        assert_eq!(public.to_spki_pem().expect("spki"), at("spkiPem"), "{label}: SPKI PEM re-encoded by us");

        let pkcs8 = at("pkcs8Pem");
        let der = unb64(&pkcs8.lines().filter(|l| !l.starts_with("-----")).collect::<String>(), "Node PKCS#8");
        let version = der.get(4).copied();
        assert!(matches!(version, Some(0 | 1)), "{label}: Node's PKCS#8 version byte {version:?}");
        let signing = SigningKey::from_pkcs8_pem(pkcs8).unwrap_or_else(|e| {
            panic!("{label}: our from_pkcs8_pem refuses Node's PKCS#8 (v{}) PEM: {e}", version.unwrap_or(0) + 1)
        });
        assert_eq!(signing.public(), &public, "{label}: public key from Node's PKCS#8");
        // We write the same v1 document as Node (OpenSSL 3.0 writes v1).
        if version == Some(0) {
            assert_eq!(signing.to_pkcs8_pem().expect("pkcs8").as_str(), pkcs8, "{label}: PKCS#8 v1 PEM re-encoded");
        }

        let v2 = SigningKey::from_pkcs8_pem(at("pkcs8V2Pem"))
            .unwrap_or_else(|e| panic!("{label}: our from_pkcs8_pem refuses a PKCS#8 v2 PEM: {e}"));
        assert_eq!(v2.public(), &public, "{label}: public key from PKCS#8 v2");
        let mismatch = SigningKey::from_pkcs8_pem(at("pkcs8V2MismatchPem"));
        assert_eq!(
            mismatch.map(|k| k.keyid().to_string()).map_err(|e| e.code()),
            Err("KEY_MALFORMED"),
            "{label}: PKCS#8 v2 whose embedded public key is not the seed's"
        );
        node_public.push(public);
        node_signing.push(signing);
    }

    let node_sigs = out["signatures"].as_array().expect("signatures");
    assert_eq!(node_sigs.len(), 6, "Node signed three messages with each key");
    for (i, s) in node_sigs.iter().enumerate() {
        let key = s["key"].as_u64().expect("key index") as usize;
        let message = unb64(str_at(s, "/messageB64"), "message");
        let sig = unb64(str_at(s, "/sigB64"), "sig");
        assert!(
            node_public[key].verify(&message, &sig),
            "Node signature {i} (key {key}, {}-byte message) does not verify with our PublicKey",
            message.len()
        );
        assert_eq!(
            node_signing[key].sign(&message).to_vec(),
            sig,
            "Node signature {i}: ours with the same key differs"
        );
        let mut tampered = sig.clone();
        tampered[10] ^= 0x04;
        assert!(!node_public[key].verify(&message, &tampered), "Node signature {i}: a flipped bit still verifies");
    }

    let limits = Limits::default();
    let node_envelope = |name: &str| {
        let json = str_at(&out, &format!("/envelopes/{name}"));
        Envelope::parse(json.as_bytes(), &limits).unwrap_or_else(|e| panic!("Node envelope {name}: parse: {e}"))
    };

    // A self-signed trust root built by Node: keyids, keys, threshold and both signatures.
    let root_json = str_at(&out, "/envelopes/trustRoot");
    let root = TrustRoot::from_pinned(root_json.as_bytes(), &limits)
        .unwrap_or_else(|e| panic!("Node's self-signed trust root is refused: {} ({e})", e.code()));
    assert_eq!((root.version, root.threshold), (1, 2), "Node's trust root version and threshold");
    assert_eq!(root.keys, node_public, "Node's trust root keys");
    let counted = node_envelope("trustRoot")
        .verify_threshold(TRUST_ROOT_PAYLOAD_TYPE, &root.keys, 2, "node trust root")
        .expect("Node's trust root envelope meets threshold 2");
    let mut want: Vec<String> = node_public.iter().map(|k| k.keyid().to_string()).collect();
    want.sort();
    assert_eq!(counted, want, "signers counted in Node's trust root envelope");

    // Binary payload, two Node signatures: PAE over bytes that are not UTF-8.
    let binary = node_envelope("binary");
    assert!(std::str::from_utf8(&binary.payload).is_err(), "the binary payload is not UTF-8");
    let counted = binary
        .verify_threshold(INTEROP_PAYLOAD_TYPE, &root.keys, 2, "node binary")
        .unwrap_or_else(|e| panic!("Node's binary envelope: {} ({e})", e.code()));
    assert_eq!(counted.len(), 2, "both Node signatures count");

    // One signature tampered by Node: threshold 2 fails with exactly one valid signer.
    let tampered = node_envelope("oneTampered");
    let err = tampered.verify_threshold(INTEROP_PAYLOAD_TYPE, &root.keys, 2, "node tampered").expect_err("threshold 2");
    assert_eq!(
        err,
        otaseal::Error::SignatureThreshold { role: "node tampered", valid: 1, required: 2 },
        "tampered envelope: one valid signer remains"
    );
    let counted = tampered.verify_threshold(INTEROP_PAYLOAD_TYPE, &root.keys, 1, "node tampered").expect("threshold 1");
    assert_eq!(counted, vec![node_public[0].keyid().to_string()], "only Node key 0 counts");

    // Our envelope, co-signed by Node key 0: three distinct signers across implementations.
    let co_signed = node_envelope("coSigned");
    assert_eq!(co_signed.payload, envelopes[0].envelope.payload, "co-signed payload");
    assert_eq!(co_signed.signatures[..2], envelopes[0].envelope.signatures[..], "our signatures are kept");
    let trusted = vec![keys[0].public().clone(), keys[1].public().clone(), node_public[0].clone()];
    let counted = co_signed
        .verify_threshold(MANIFEST_PAYLOAD_TYPE, &trusted, 3, "co-signed")
        .unwrap_or_else(|e| panic!("our envelope co-signed by Node: {} ({e})", e.code()));
    assert_eq!(counted.len(), 3, "two of our signatures and Node's count");

    std::fs::remove_dir_all(&dir).ok();
}
