//! Deterministic mutation testing: over ten thousand mutations of valid sealed releases (an
//! encrypted five-segment one and a plain one), across every region of a release. Each region
//! has the set of codes its mutations may produce; a mutation is accepted only where the
//! format says so (and then the result must be exactly the signed content), and a panic fails
//! the test. Re-signed variants (the fixture key signs the mutated manifest) carry mutations
//! past the signature check, and re-encrypted ones carry zip mutations past the decryptor, so
//! every later step sees mutated input too.
//!
//! Regions and what each may produce:
//!
//! | region | mutation | allowed outcome |
//! |---|---|---|
//! | `envelope_json` | bytes of the envelope JSON text | `ENVELOPE_MALFORMED`, `SIGNATURE_THRESHOLD`, `PAYLOAD_TYPE_UNKNOWN`, or the identical release (whitespace, equivalent JSON) |
//! | `payload_unsigned` | bytes of the decoded payload, signature kept | `SIGNATURE_THRESHOLD` |
//! | `payload_resigned` | bytes of the payload, re-signed | manifest, policy and opening codes; accepted only with the same files, bundle and encryption |
//! | `manifest_fields` | JSON values of the manifest, re-signed | as `payload_resigned` |
//! | `signatures` | the signature list (1-of-1 and 2-of-3 roots) | accepted exactly when a threshold of original (keyid, sig) pairs survives; else `SIGNATURE_THRESHOLD` (`LIMIT_EXCEEDED` above 32) |
//! | `policy` | the caller's policy | exactly the code an independent oracle of steps 7-12 computes |
//! | `tink_header` | bytes 0-39 of the ciphertext | `DECRYPT_HEADER_MALFORMED` (byte 0) else `DECRYPT_HEADER_MISMATCH` |
//! | `tink_header_resigned` | header bytes changed in bundle and manifest | `DECRYPT_TAG` (byte 0: `MANIFEST_MALFORMED`) |
//! | `segments` | ciphertext bytes after the header | in place: `DECRYPT_TAG`; shorter: `BUNDLE_TRUNCATED` or `DECRYPT_TAG`; longer: `BUNDLE_TOO_LONG` or `DECRYPT_TAG` |
//! | `segment_ops` | swap, copy, foreign segment; drop or cut at a boundary (re-signed) | exactly the diagnosed code |
//! | `zip_plain` / `zip_encrypted` | zip bytes, re-signed (and re-encrypted) | archive codes; accepted only in place and with identical files |
//! | `bundle_plain_unsigned` | plain bundle bytes, manifest kept | archive codes, `BUNDLE_*` |

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};

use common::*;
use otaseal::digest::{to_hex, Sha256Digest};
use otaseal::envelope::{Envelope, EnvelopeSignature};
use otaseal::limits::Limits;
use otaseal::manifest::Manifest;
use otaseal::open::{self, MemorySink, OpenedFile, Opener, VerifiedRelease};
use otaseal::policy::Policy;
use otaseal::seal::Sealed;
use otaseal::stream;
use otaseal::trust::TrustRoot;
use serde_json::Value;

const SEGMENT: usize = 4096;

/// xorshift64*: small, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

// --- code sets -------------------------------------------------------------------------------

const ENVELOPE_CODES: &[&str] = &["ENVELOPE_MALFORMED", "SIGNATURE_THRESHOLD", "PAYLOAD_TYPE_UNKNOWN"];
const MANIFEST_CODES: &[&str] = &[
    "MANIFEST_MALFORMED",
    "FORMAT_VERSION_UNSUPPORTED",
    "LIMIT_EXCEEDED",
    "PATH_INVALID",
    "PATH_BACKSLASH",
    "PATH_ABSOLUTE",
    "PATH_TRAVERSAL",
    "PATH_NOT_NFC",
    "PATH_COMPONENT_TOO_LONG",
    "PATH_RESERVED",
    "PATH_PREFIX_CONFLICT",
    "LAYOUT_REROOTED",
    "MANIFEST_DUPLICATE_PATH",
    "DECRYPT_BINDING_MISMATCH",
];
const POLICY_CODES: &[&str] = &[
    "APP_MISMATCH",
    "CHANNEL_MISMATCH",
    "PLATFORM_MISMATCH",
    "DOWNGRADE",
    "NATIVE_TOO_OLD",
    "NOT_YET_VALID",
    "EXPIRED",
];
const BUNDLE_CODES: &[&str] = &[
    "DECRYPT_KEY_UNKNOWN",
    "BUNDLE_TOO_LONG",
    "BUNDLE_TRUNCATED",
    "BUNDLE_HASH_MISMATCH",
    "ZIP_HASH_MISMATCH",
    "DECRYPT_HEADER_MALFORMED",
    "DECRYPT_HEADER_MISMATCH",
    "DECRYPT_TRUNCATED",
    "DECRYPT_TRAILING_DATA",
    "DECRYPT_SEGMENT_REORDERED",
    "DECRYPT_SEGMENT_DUPLICATED",
    "DECRYPT_TAG",
];
/// What the strict zip reader may say about a zip whose bundle hashes were re-signed.
const ARCHIVE_CODES: &[&str] = &[
    "LIMIT_EXCEEDED",
    "PATH_INVALID",
    "PATH_BACKSLASH",
    "PATH_ABSOLUTE",
    "PATH_TRAVERSAL",
    "PATH_NOT_UTF8",
    "PATH_NOT_NFC",
    "PATH_COMPONENT_TOO_LONG",
    "PATH_RESERVED",
    "SIZE_MISMATCH",
    "HASH_MISMATCH",
    "ZIP_MALFORMED",
    "ZIP_PREPENDED_DATA",
    "ZIP_TRAILING_DATA",
    "ZIP_UNSUPPORTED_METHOD",
    "ZIP_ENCRYPTED_ENTRY",
    "ZIP_UNSUPPORTED_FEATURE",
    "ZIP_SYMLINK",
    "ZIP_NOT_A_FILE",
    "ZIP_FILE_MODE",
    "ZIP_DUPLICATE_ENTRY",
    "ZIP_CASE_COLLISION",
    "ZIP_UNLISTED_ENTRY",
    "ZIP_MISSING_FILE",
    "ZIP_HEADER_MISMATCH",
    "ZIP_CRC_MISMATCH",
    "ZIP_INFLATE_FAILED",
];

fn union(sets: &[&[&'static str]]) -> BTreeSet<&'static str> {
    sets.iter().flat_map(|s| s.iter().copied()).collect()
}

// --- running one attempt ---------------------------------------------------------------------

enum Outcome {
    /// Verified and opened: the release and the files `finish` handed back.
    Accepted(Box<VerifiedRelease>, Vec<OpenedFile>),
    Rejected(&'static str),
    Panicked(String),
}

impl Outcome {
    fn label(&self) -> String {
        match self {
            Outcome::Accepted(..) => "OK".into(),
            Outcome::Rejected(c) => (*c).into(),
            Outcome::Panicked(_) => "PANIC".into(),
        }
    }
}

fn guarded(f: impl FnOnce() -> otaseal::Result<(VerifiedRelease, Vec<OpenedFile>)>) -> Outcome {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok((release, files))) => Outcome::Accepted(Box::new(release), files),
        Ok(Err(e)) => Outcome::Rejected(e.code()),
        Err(p) => Outcome::Panicked(
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default(),
        ),
    }
}

/// Steps 1-20 with the fixture policy and `root`, pushing `chunk`-byte pieces.
fn attempt(envelope: &[u8], bundle: &[u8], root: &TrustRoot, chunk: usize) -> Outcome {
    attempt_with(envelope, bundle, root, &policy(), chunk)
}

fn attempt_with(envelope: &[u8], bundle: &[u8], root: &TrustRoot, policy: &Policy, chunk: usize) -> Outcome {
    guarded(|| {
        let release = open::verify_release(envelope, root, policy, &Limits::default())?;
        let mut opener = Opener::new(release.clone(), &[bundle_key()], &Limits::default(), MemorySink::new())?;
        for piece in bundle.chunks(chunk) {
            opener.push(piece)?;
        }
        Ok((release, opener.finish()?.sink.into_files()))
    })
}

/// Steps 1-12 only.
fn verify_only(envelope: &[u8], root: &TrustRoot, policy: &Policy) -> Outcome {
    guarded(|| Ok((open::verify_release(envelope, root, policy, &Limits::default())?, Vec::new())))
}

// --- the tally -------------------------------------------------------------------------------

#[derive(Default)]
struct Tally {
    counts: BTreeMap<&'static str, BTreeMap<String, usize>>,
    total: usize,
    noops: usize,
    failed: usize,
    /// The first few failures, for the message.
    failures: Vec<String>,
}

impl Tally {
    /// Records one mutation; `ok` says whether the outcome is allowed for it.
    fn record(&mut self, region: &'static str, what: &str, outcome: &Outcome, ok: bool) {
        self.total += 1;
        if matches!(outcome, Outcome::Accepted(..)) && std::env::var_os("OTASEAL_MUTATION_VERBOSE").is_some() {
            println!("accepted: {region}: {what}");
        }
        *self.counts.entry(region).or_default().entry(outcome.label()).or_default() += 1;
        if let Outcome::Panicked(msg) = outcome {
            self.fail(format!("{region}: {what}: PANIC {msg}"));
        } else if !ok {
            self.fail(format!("{region}: {what}: outcome {} is not allowed here", outcome.label()));
        }
    }

    /// Records a rejection that must carry one of `codes` (acceptance not allowed).
    fn expect_in(&mut self, region: &'static str, what: &str, outcome: &Outcome, codes: &BTreeSet<&str>) {
        let ok = matches!(outcome, Outcome::Rejected(c) if codes.contains(c));
        self.record(region, what, outcome, ok);
    }

    fn fail(&mut self, message: String) {
        self.failed += 1;
        if self.failures.len() < 40 {
            self.failures.push(message);
        }
    }
}

// --- fixtures --------------------------------------------------------------------------------

struct Fixture {
    name: &'static str,
    sealed: Sealed,
    envelope: String,
    good: VerifiedRelease,
    files: Vec<(String, Vec<u8>)>,
}

/// Tink AES-GCM-HKDF streaming encryption with a chosen salt and nonce prefix
/// (`docs/FORMAT.md` §5.2), written out here so that the encrypted fixtures, and every
/// re-encrypted mutation, are the same bytes on every run. Test use only: a fixed salt and
/// prefix reuse nonces.
fn encrypt_deterministic(plaintext: &[u8], associated_data: &[u8], salt_and_prefix: &[u8; 39]) -> Vec<u8> {
    use aes_gcm::aead::{AeadInOut, KeyInit};
    use aes_gcm::{Aes256Gcm, Key, Nonce};
    let mut derived = [0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(Some(&salt_and_prefix[..32]), bundle_key().as_bytes())
        .expand(associated_data, &mut derived)
        .expect("hkdf");
    let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(derived));
    let mut out = vec![stream::HEADER_LEN as u8];
    out.extend_from_slice(salt_and_prefix);
    let mut rest = plaintext;
    for index in 0u32.. {
        let capacity = if index == 0 { SEGMENT - 56 } else { SEGMENT - 16 };
        let take = capacity.min(rest.len());
        let last = take == rest.len();
        let mut segment = rest[..take].to_vec();
        rest = &rest[take..];
        let mut nonce = [0u8; 12];
        nonce[..7].copy_from_slice(&salt_and_prefix[32..]);
        nonce[7..11].copy_from_slice(&index.to_be_bytes());
        nonce[11] = u8::from(last);
        let tag = cipher.encrypt_inout_detached(&Nonce::from(nonce), &[], segment.as_mut_slice().into()).expect("gcm");
        out.extend_from_slice(&segment);
        out.extend_from_slice(&tag);
        if last {
            break;
        }
    }
    out
}

/// The plaintext zip of `zip_manifest` sealed again: encrypted with a salt chosen by `seed`
/// (or plain when `segment_size` is None), bundle length and hashes updated. Unsigned.
fn reseal(zip_manifest: &Manifest, zip: &[u8], segment_size: Option<u32>, seed: u8) -> (Manifest, Vec<u8>) {
    let mut m = zip_manifest.clone();
    m.bundle.zip_length = zip.len() as u64;
    m.bundle.zip_sha256 = Sha256Digest::of(zip);
    let bundle = match segment_size {
        None => {
            m.encryption = None;
            zip.to_vec()
        }
        Some(segment_size) => {
            assert_eq!(segment_size as usize, SEGMENT);
            let associated_data = stream::binding(&m.app, &m.version);
            let ct = encrypt_deterministic(zip, &associated_data, &[seed; 39]);
            let header = ct[..stream::HEADER_LEN].try_into().expect("header");
            let key_id = bundle_key().key_id().to_string();
            m.encryption = Some(otaseal::manifest::EncryptionInfo { key_id, segment_size, associated_data, header });
            ct
        }
    };
    m.bundle.length = bundle.len() as u64;
    m.bundle.sha256 = Sha256Digest::of(&bundle);
    (m, bundle)
}

fn fixture(name: &'static str, files: Vec<(String, Vec<u8>)>, encrypt: Option<u32>, seed: u8) -> Fixture {
    let plain = seal_with(files.clone(), None);
    let (manifest, bundle) = reseal(&plain.manifest, &plain.zip, encrypt, seed);
    let mut envelope = Envelope::new(otaseal::manifest::MANIFEST_PAYLOAD_TYPE, manifest.to_json());
    envelope.sign(&signing_key(1)).expect("sign");
    let sealed = Sealed { bundle, zip: plain.zip, manifest, envelope };
    let good = verify(&sealed).expect("fixture verifies");
    let mut files = files;
    files.sort();
    let fx = Fixture { name, envelope: sealed.envelope.to_json(), sealed, good, files };
    assert!(matches!(attempt(fx.envelope.as_bytes(), &fx.sealed.bundle, &trust(), 4096), Outcome::Accepted(..)));
    fx
}

fn plain_fixture() -> Fixture {
    fixture("plain", sample_files(), None, 0)
}

/// Five segments at S = 4096: three full middle segments to swap, copy and drop. `seed`
/// picks the salt and nonce prefix: two seeds are two streams of the same release.
fn encrypted_fixture(seed: u8) -> Fixture {
    let mut files = sample_files();
    files.push(("assets/big.bin".into(), noise(14_000, 11)));
    let fx = fixture("encrypted", files, Some(SEGMENT as u32), seed);
    assert_eq!(segment_count(fx.sealed.bundle.len()), 5, "fixture should have five segments");
    // The test's encryptor is Tink's format: otaseal's own encryptor gives the same length.
    assert_eq!(stream::ciphertext_len(fx.sealed.zip.len() as u64, SEGMENT as u32), Some(fx.sealed.bundle.len() as u64));
    fx
}

fn segment_count(len: usize) -> usize {
    len.div_ceil(SEGMENT)
}

/// Byte range of segment `i` (segment 0 starts after the header).
fn segment_range(len: usize, i: usize) -> std::ops::Range<usize> {
    let start = if i == 0 { stream::HEADER_LEN } else { SEGMENT * i };
    start..(SEGMENT * (i + 1)).min(len)
}

/// The accepted files are exactly the fixture's files.
fn same_files(fx: &Fixture, opened: &[OpenedFile]) -> bool {
    let mut got: Vec<(String, Vec<u8>)> = opened.iter().map(|f| (f.path.clone(), f.data.clone())).collect();
    got.sort();
    got == fx.files
}

/// What a re-signed manifest may change and still be accepted: not the files, the bundle's
/// length and hashes, or the encryption (the URL, validity window, version, platforms may).
fn same_binding(fx: &Fixture, m: &Manifest) -> bool {
    let g = &fx.good.manifest;
    let mut a = m.files.clone();
    let mut b = g.files.clone();
    a.sort_by(|x, y| x.path.cmp(&y.path));
    b.sort_by(|x, y| x.path.cmp(&y.path));
    a == b
        && m.bundle.length == g.bundle.length
        && m.bundle.sha256 == g.bundle.sha256
        && m.bundle.zip_length == g.bundle.zip_length
        && m.bundle.zip_sha256 == g.bundle.zip_sha256
        && m.encryption == g.encryption
}

fn chunk(rng: &mut Rng) -> usize {
    *rng.pick(&[97, 1000, 4095, 4096, 65_536, usize::MAX])
}

// --- byte mutations --------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    InPlace,
    Shorter,
    Longer,
}

/// Bytes that matter to JSON, hex and base64 parsers.
const INTERESTING: &[u8] = b" \t\n\r\"{}[],:0123456789-+.eEaf\\/un=AZz\x00\x7f\xff";

fn mutate(rng: &mut Rng, data: &[u8], region: std::ops::Range<usize>, in_place_only: bool) -> (Vec<u8>, Kind, String) {
    let mut out = data.to_vec();
    let len = region.end - region.start;
    let at = region.start + rng.below(len);
    let ops = if in_place_only { 5 } else { 10 };
    match rng.below(ops) {
        0 => {
            let bit = rng.below(8);
            out[at] ^= 1 << bit;
            (out, Kind::InPlace, format!("flip bit {bit} at {at}"))
        }
        1 => {
            out[at] = rng.byte();
            (out, Kind::InPlace, format!("random byte at {at}"))
        }
        2 => {
            out[at] = *rng.pick(INTERESTING);
            (out, Kind::InPlace, format!("interesting byte at {at}"))
        }
        3 => {
            let delta: u8 = if rng.below(2) == 0 { 1 } else { 255 };
            out[at] = out[at].wrapping_add(delta);
            (out, Kind::InPlace, format!("byte ±1 at {at}"))
        }
        4 => {
            let n = (1 + rng.below(8)).min(region.end - at);
            for b in &mut out[at..at + n] {
                let random = rng.byte();
                *b = *rng.pick(&[0, 0xff, random]);
            }
            (out, Kind::InPlace, format!("overwrite {n} at {at}"))
        }
        5 => {
            out.insert(at, *rng.pick(INTERESTING));
            (out, Kind::Longer, format!("insert at {at}"))
        }
        6 => {
            let n = (1 + rng.below(8)).min(region.end - at);
            out.drain(at..at + n);
            (out, Kind::Shorter, format!("delete {n} at {at}"))
        }
        7 => {
            let n = (1 + rng.below(64)).min(region.end - at);
            let copy = out[at..at + n].to_vec();
            out.splice(at..at, copy);
            (out, Kind::Longer, format!("duplicate {n} at {at}"))
        }
        8 => {
            out.truncate(at);
            (out, Kind::Shorter, format!("truncate to {at}"))
        }
        _ => {
            let n = 1 + rng.below(16);
            out.splice(at..at, (0..n).map(|_| rng.byte()));
            (out, Kind::Longer, format!("insert {n} random at {at}"))
        }
    }
}

// --- regions ---------------------------------------------------------------------------------

fn envelope_json(t: &mut Tally, rng: &mut Rng, fx: &Fixture, n: usize) {
    let json = fx.envelope.as_bytes();
    let codes = union(&[ENVELOPE_CODES]);
    let policy = policy();
    for _ in 0..n {
        let (bad, _, what) = mutate(rng, json, 0..json.len(), false);
        if bad == json {
            t.noops += 1;
            continue;
        }
        let outcome = verify_only(&bad, &trust(), &policy);
        let ok = match &outcome {
            // Insignificant whitespace or an equivalent spelling: the very same release.
            Outcome::Accepted(release, _) => **release == fx.good,
            Outcome::Rejected(c) => codes.contains(c),
            Outcome::Panicked(_) => false,
        };
        t.record("envelope_json", &format!("{}: {what}", fx.name), &outcome, ok);
    }
}

fn payload_unsigned(t: &mut Tally, rng: &mut Rng, fx: &Fixture, n: usize) {
    let env = &fx.sealed.envelope;
    let codes = union(&[&["SIGNATURE_THRESHOLD"]]);
    let policy = policy();
    for _ in 0..n {
        let (payload, _, what) = mutate(rng, &env.payload, 0..env.payload.len(), false);
        if payload == env.payload {
            t.noops += 1;
            continue;
        }
        let bad = Envelope { payload, ..env.clone() };
        let outcome = verify_only(bad.to_json().as_bytes(), &trust(), &policy);
        t.expect_in("payload_unsigned", &format!("{}: {what}", fx.name), &outcome, &codes);
    }
}

/// A re-signed manifest: rejected with a manifest, policy or opening code, or accepted with
/// the original binding and files.
fn check_resigned(t: &mut Tally, region: &'static str, what: &str, fx: &Fixture, payload: Vec<u8>, chunk: usize) {
    let codes = union(&[MANIFEST_CODES, POLICY_CODES, BUNDLE_CODES, ARCHIVE_CODES]);
    let envelope = sign_payload(payload);
    let outcome = attempt(envelope.as_bytes(), &fx.sealed.bundle, &trust(), chunk);
    let ok = match &outcome {
        Outcome::Accepted(release, files) => same_binding(fx, &release.manifest) && same_files(fx, files),
        Outcome::Rejected(c) => codes.contains(c),
        Outcome::Panicked(_) => false,
    };
    t.record(region, &format!("{}: {what}", fx.name), &outcome, ok);
}

fn payload_resigned(t: &mut Tally, rng: &mut Rng, fx: &Fixture, n: usize) {
    let payload = &fx.sealed.envelope.payload;
    for _ in 0..n {
        let (bad, _, what) = mutate(rng, payload, 0..payload.len(), false);
        if bad == *payload {
            t.noops += 1;
            continue;
        }
        let c = chunk(rng);
        check_resigned(t, "payload_resigned", &what, fx, bad, c);
    }
}

/// Every (path, value) in a JSON document; paths are lists of keys and indices.
fn json_paths(v: &Value, prefix: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                prefix.push(Value::String(k.clone()));
                json_paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                prefix.push(Value::from(i));
                json_paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

/// The value at `path`, if an earlier mutation left it there.
fn at_path<'a>(v: &'a mut Value, path: &[Value]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, k| match k {
        Value::String(s) => v.as_object_mut()?.get_mut(s.as_str()),
        _ => v.as_array_mut()?.get_mut(k.as_u64()? as usize),
    })
}

fn mutate_value(rng: &mut Rng, v: &mut Value) -> String {
    let replacement = |rng: &mut Rng| -> Value {
        match rng.below(14) {
            0 => Value::Null,
            1 => Value::Bool(true),
            2 => 0.into(),
            3 => (-1).into(),
            4 => serde_json::json!(1.5),
            5 => u64::MAX.into(),
            6 => "".into(),
            7 => "x".repeat(300).into(),
            8 => serde_json::json!([]),
            9 => serde_json::json!({}),
            10 => "../../etc/passwd".into(),
            11 => "AB".repeat(32).into(),
            12 => "2.0.0".into(),
            _ => (1u64 << (rng.below(40) + 1)).into(),
        }
    };
    match v {
        Value::String(s) if !s.is_empty() && rng.below(3) > 0 => {
            let mut bytes = s.clone().into_bytes();
            let at = rng.below(bytes.len());
            let what = match rng.below(6) {
                0 => {
                    bytes[at] = bytes[at].to_ascii_uppercase();
                    "uppercase a char"
                }
                1 => {
                    bytes[at] = *rng.pick(b"0123456789abcdefABCDEF./\\:-_ ");
                    "change a char"
                }
                2 => {
                    bytes.truncate(at);
                    "truncate"
                }
                3 => {
                    bytes.push(*rng.pick(b"0a/.\\ "));
                    "append a char"
                }
                4 => {
                    let prefixes: [&[u8]; 5] = [b"/", b"../", b"C:", b"./", b"a\\"];
                    let prefix = *rng.pick(&prefixes);
                    bytes.splice(0..0, prefix.iter().copied());
                    "prefix"
                }
                _ => {
                    bytes[at] = bytes[at].wrapping_add(1) & 0x7f;
                    "increment a char"
                }
            };
            *s = String::from_utf8_lossy(&bytes).into_owned();
            what.into()
        }
        Value::Number(num) if rng.below(3) > 0 => {
            let n = num.as_u64().unwrap_or(0);
            *v = match rng.below(4) {
                0 => n.wrapping_add(1).into(),
                1 => n.wrapping_sub(1).into(),
                2 => n.wrapping_mul(2).into(),
                _ => (n ^ (1 << rng.below(64))).into(),
            };
            "change a number".into()
        }
        Value::Array(a) if !a.is_empty() && rng.below(2) == 0 => match rng.below(4) {
            0 => {
                let i = rng.below(a.len());
                a.push(a[i].clone());
                "duplicate an element".into()
            }
            1 => {
                a.remove(rng.below(a.len()));
                "remove an element".into()
            }
            2 => {
                a.reverse();
                "reverse".into()
            }
            _ => {
                a.clear();
                "empty the array".into()
            }
        },
        Value::Object(m) if !m.is_empty() && rng.below(2) == 0 => {
            if rng.below(2) == 0 {
                let key = m.keys().nth(rng.below(m.len())).cloned().unwrap_or_default();
                m.remove(&key);
                format!("remove member {key}")
            } else {
                m.insert("surprise".into(), Value::Bool(true));
                "add an unknown member".into()
            }
        }
        _ => {
            *v = replacement(rng);
            format!("replace with {v}")
        }
    }
}

fn manifest_fields(t: &mut Tally, rng: &mut Rng, fx: &Fixture, n: usize) {
    let original: Value = serde_json::from_slice(&fx.sealed.envelope.payload).expect("manifest JSON");
    let mut paths = Vec::new();
    json_paths(&original, &mut Vec::new(), &mut paths);
    for _ in 0..n {
        let mut v = original.clone();
        let mut what = String::new();
        for _ in 0..1 + usize::from(rng.below(4) == 0) {
            let path = rng.pick(&paths).clone();
            if let Some(target) = at_path(&mut v, &path) {
                let m = mutate_value(rng, target);
                what.push_str(&format!("{path:?}: {m}; "));
            }
        }
        if v == original {
            t.noops += 1;
            continue;
        }
        let c = chunk(rng);
        check_resigned(t, "manifest_fields", &what, fx, serde_json::to_vec(&v).expect("json"), c);
    }
}

/// Mutates a signature list; returns the list and a description.
fn mutate_signatures(rng: &mut Rng, sigs: &[EnvelopeSignature], payload: &[u8]) -> (Vec<EnvelopeSignature>, String) {
    let mut out = sigs.to_vec();
    let foreign = signing_key(9);
    let msg = otaseal::envelope::pae(otaseal::manifest::MANIFEST_PAYLOAD_TYPE, payload);
    let foreign_sig = foreign.sign(&msg).to_vec();
    let what = match rng.below(11) {
        0 if !out.is_empty() => {
            let i = rng.below(out.len());
            let at = rng.below(out[i].sig.len().max(1));
            if let Some(b) = out[i].sig.get_mut(at) {
                *b ^= 1 << rng.below(8);
            }
            "flip a signature bit"
        }
        1 if !out.is_empty() => {
            let i = rng.below(out.len());
            let keep = rng.below(out[i].sig.len() + 1);
            out[i].sig.truncate(keep);
            "truncate a signature"
        }
        2 if !out.is_empty() => {
            let i = rng.below(out.len());
            out[i].sig.push(rng.byte());
            "extend a signature"
        }
        3 if !out.is_empty() => {
            let i = rng.below(out.len());
            let mut k = out[i].keyid.clone().into_bytes();
            let at = rng.below(k.len().max(1));
            if let Some(b) = k.get_mut(at) {
                *b = *rng.pick(b"0123456789abcdefABCDEF");
            }
            out[i].keyid = String::from_utf8_lossy(&k).into_owned();
            "change a keyid"
        }
        4 if !out.is_empty() => {
            let i = rng.below(out.len());
            let copies = 1 + rng.below(40);
            for _ in 0..copies {
                out.push(out[i].clone());
            }
            "duplicate a signature (counted once)"
        }
        5 if !out.is_empty() => {
            out.remove(rng.below(out.len()));
            "remove a signature"
        }
        6 if !out.is_empty() => {
            // A valid signature by an untrusted key, labelled with a trusted keyid.
            let i = rng.below(out.len());
            out[i] = EnvelopeSignature { keyid: out[i].keyid.clone(), sig: foreign_sig };
            "replace a signature by a foreign key's"
        }
        7 => {
            let at = rng.below(out.len() + 1);
            out.insert(at, EnvelopeSignature { keyid: foreign.keyid().to_string(), sig: foreign_sig });
            "insert an untrusted signer"
        }
        8 if out.len() >= 2 => {
            let (i, j) = (rng.below(out.len()), rng.below(out.len()));
            let keyid = out[j].keyid.clone();
            out[i].keyid = keyid;
            "relabel a signature with another keyid"
        }
        9 if !out.is_empty() => {
            let i = rng.below(out.len());
            out[i].keyid.clear();
            "drop a keyid"
        }
        _ => {
            out.reverse();
            out.push(EnvelopeSignature {
                keyid: out.first().map(|s| s.keyid.clone()).unwrap_or_default(),
                sig: vec![0; 64],
            });
            "reverse and add a zero signature"
        }
    };
    (out, what.into())
}

fn signatures(t: &mut Tally, rng: &mut Rng, fx: &Fixture, n: usize) {
    // 1-of-1 with the fixture key, and 2-of-3 with keys 1, 2, 3 (signed by 1 and 2).
    let two_of_three =
        TrustRoot::new(1, 2, (1..=3).map(|i| signing_key(i).public().clone()).collect()).expect("2-of-3 root");
    let mut env2 = Envelope::new(otaseal::manifest::MANIFEST_PAYLOAD_TYPE, fx.sealed.envelope.payload.clone());
    env2.sign(&signing_key(1)).expect("sign");
    env2.sign(&signing_key(2)).expect("sign");
    let setups = [(&fx.sealed.envelope, trust()), (&env2, two_of_three)];
    let policy = policy();
    for i in 0..n {
        let (env, root) = &setups[i % 2];
        let (sigs, what) = mutate_signatures(rng, &env.signatures, &env.payload);
        let survivors: BTreeSet<&str> = env
            .signatures
            .iter()
            .filter(|orig| sigs.iter().any(|s| s.keyid == orig.keyid && s.sig == orig.sig))
            .map(|s| s.keyid.as_str())
            .collect();
        let bad = Envelope { signatures: sigs, ..(*env).clone() };
        let outcome = verify_only(bad.to_json().as_bytes(), root, &policy);
        let want = if bad.signatures.len() > 32 {
            "LIMIT_EXCEEDED"
        } else if survivors.len() >= root.threshold {
            "OK"
        } else {
            "SIGNATURE_THRESHOLD"
        };
        let ok = outcome.label() == want;
        t.record("signatures", &format!("{}: {what} (want {want})", fx.name), &outcome, ok);
    }
}

/// Steps 7-12 written out independently, for the `policy` region.
fn policy_oracle(m: &Manifest, p: &Policy) -> &'static str {
    use std::cmp::Ordering::*;
    if p.last_trusted_time.is_some_and(|l| p.now < l) {
        return "CLOCK_ROLLBACK";
    }
    if p.app != m.app {
        return "APP_MISMATCH";
    }
    if p.channel != m.channel {
        return "CHANNEL_MISMATCH";
    }
    if !m.platforms.contains(&p.platform) {
        return "PLATFORM_MISMATCH";
    }
    if let Some(installed) = &p.installed_version {
        match m.version.cmp_precedence(installed) {
            Greater => {}
            Equal if p.installed_zip_sha256 == Some(m.bundle.zip_sha256) => {}
            _ => return "DOWNGRADE",
        }
    }
    if let Some(min) = &m.min_native_version {
        if p.native_version.as_ref().is_none_or(|n| n.cmp_precedence(min) == Less) {
            return "NATIVE_TOO_OLD";
        }
    }
    if m.issued_at > p.now + p.max_clock_skew_secs as i64 {
        return "NOT_YET_VALID";
    }
    if p.now >= m.expires_at {
        return "EXPIRED";
    }
    "OK"
}

fn policies(t: &mut Tally, rng: &mut Rng, fx: &Fixture, n: usize) {
    let m = &fx.good.manifest;
    let versions = ["1.0.0", "2.0.0-rc.1", "2.0.0", "2.0.0+build.7", "2.0.1", "10.0.0"];
    let natives = ["3.9.9", "4.0.0-beta", "4.0.0", "4.0.1", "5.0.0"];
    for _ in 0..n {
        let mut p = policy();
        let times = [ISSUED - 1000, ISSUED - 301, ISSUED - 300, ISSUED, NOW, EXPIRES - 1, EXPIRES, EXPIRES + 1];
        p.now = if rng.below(3) == 0 { ISSUED - 2000 + rng.below(40 * 86_400) as i64 } else { *rng.pick(&times) };
        p.last_trusted_time = match rng.below(5) {
            0 => Some(p.now - 1),
            1 => Some(p.now),
            2 => Some(p.now + 1 + rng.below(1000) as i64),
            _ => None,
        };
        if rng.below(8) == 0 {
            p.app = "com.example.other".into();
        }
        if rng.below(8) == 0 {
            p.channel = "beta".into();
        }
        p.platform = rng.pick(&["ios", "ios", "android", "web", "IOS"]).to_string();
        p.installed_version = (rng.below(5) > 0).then(|| rng.pick(&versions).parse().expect("semver"));
        p.installed_zip_sha256 = match rng.below(3) {
            0 => Some(m.bundle.zip_sha256),
            1 => Some(Sha256Digest::of(b"other")),
            _ => None,
        };
        p.native_version = (rng.below(6) > 0).then(|| rng.pick(&natives).parse().expect("semver"));
        p.max_clock_skew_secs = *rng.pick(&[0, 300, 3600]);
        let want = policy_oracle(m, &p);
        let outcome = verify_only(fx.envelope.as_bytes(), &trust(), &p);
        let ok = outcome.label() == want;
        t.record("policy", &format!("{p:?} (want {want})"), &outcome, ok);
    }
}

fn tink_header(t: &mut Tally, rng: &mut Rng, fx: &Fixture, n: usize) {
    let bundle = &fx.sealed.bundle;
    for _ in 0..n {
        let (bad, _, what) = mutate(rng, bundle, 0..stream::HEADER_LEN, true);
        if bad == *bundle {
            t.noops += 1;
            continue;
        }
        let want = if bad[0] != bundle[0] { "DECRYPT_HEADER_MALFORMED" } else { "DECRYPT_HEADER_MISMATCH" };
        let outcome = attempt(fx.envelope.as_bytes(), &bad, &trust(), chunk(rng));
        let ok = outcome.label() == want;
        t.record("tink_header", &format!("{what} (want {want})"), &outcome, ok);
    }
}

/// Rewrites bundle fields of the signed manifest and re-signs.
fn resign(fx: &Fixture, edit: impl FnOnce(&mut Value)) -> String {
    resign_with(&fx.sealed, edit)
}

fn tink_header_resigned(t: &mut Tally, rng: &mut Rng, fx: &Fixture, n: usize) {
    let bundle = &fx.sealed.bundle;
    for _ in 0..n {
        let (bad, _, what) = mutate(rng, bundle, 0..stream::HEADER_LEN, true);
        if bad == *bundle {
            t.noops += 1;
            continue;
        }
        let envelope = resign(fx, |v| {
            v["encryption"]["header"] = to_hex(&bad[..stream::HEADER_LEN]).into();
            v["bundle"]["sha256"] = Sha256Digest::of(&bad).to_hex().into();
        });
        // The signed header now matches, but salt or nonce prefix changed: no segment opens.
        let want = if bad[0] != bundle[0] { "MANIFEST_MALFORMED" } else { "DECRYPT_TAG" };
        let outcome = attempt(envelope.as_bytes(), &bad, &trust(), chunk(rng));
        let ok = outcome.label() == want;
        t.record("tink_header_resigned", &format!("{what} (want {want})"), &outcome, ok);
    }
}

fn segments(t: &mut Tally, rng: &mut Rng, fx: &Fixture, n: usize) {
    let bundle = &fx.sealed.bundle;
    for _ in 0..n {
        let (bad, kind, what) = mutate(rng, bundle, stream::HEADER_LEN..bundle.len(), false);
        if bad == *bundle {
            t.noops += 1;
            continue;
        }
        let allowed: &[&str] = match kind {
            Kind::InPlace => &["DECRYPT_TAG"],
            // Fewer bytes: a shifted segment fails, or the input ends early.
            Kind::Shorter => &["BUNDLE_TRUNCATED", "DECRYPT_TAG"],
            // More bytes: a shifted segment fails, or the stream is cut off at the signed length.
            Kind::Longer => &["BUNDLE_TOO_LONG", "DECRYPT_TAG"],
        };
        let outcome = attempt(fx.envelope.as_bytes(), &bad, &trust(), chunk(rng));
        t.expect_in("segments", &what, &outcome, &union(&[allowed]));
    }
}

fn segment_ops(t: &mut Tally, rng: &mut Rng, fx: &Fixture, other: &Fixture, n: usize) {
    let b = &fx.sealed.bundle;
    let count = segment_count(b.len());
    // Full segments that are not the last: same length, so they can trade places.
    let middle: Vec<usize> = (1..count - 1).collect();
    for _ in 0..n {
        let (i, j) = (*rng.pick(&middle), *rng.pick(&middle));
        let (envelope, bad, want, what) = match rng.below(5) {
            0 if i != j => {
                let (lo, hi) = (i.min(j), i.max(j));
                let mut bad = b.clone();
                bad[segment_range(b.len(), lo)].copy_from_slice(&b[segment_range(b.len(), hi)]);
                bad[segment_range(b.len(), hi)].copy_from_slice(&b[segment_range(b.len(), lo)]);
                (fx.envelope.clone(), bad, "DECRYPT_SEGMENT_REORDERED", format!("swap {lo} and {hi}"))
            }
            1 if i != j => {
                let mut bad = b.clone();
                bad[segment_range(b.len(), j)].copy_from_slice(&b[segment_range(b.len(), i)]);
                let want = if i < j { "DECRYPT_SEGMENT_DUPLICATED" } else { "DECRYPT_SEGMENT_REORDERED" };
                (fx.envelope.clone(), bad, want, format!("segment {i} copied over {j}"))
            }
            2 => {
                // The same position from another stream of the same release (another seal).
                let mut bad = b.clone();
                bad[segment_range(b.len(), i)].copy_from_slice(&other.sealed.bundle[segment_range(b.len(), i)]);
                (fx.envelope.clone(), bad, "DECRYPT_TAG", format!("segment {i} from another stream"))
            }
            3 => {
                // Drop a middle segment, with a re-signed length that fits the shorter stream.
                let mut bad = b.clone();
                bad.drain(segment_range(b.len(), i));
                let envelope = resign(fx, |v| {
                    v["bundle"]["length"] = bad.len().into();
                    v["bundle"]["zipLength"] = (v["bundle"]["zipLength"].as_u64().unwrap() - 4080).into();
                    v["bundle"]["sha256"] = Sha256Digest::of(&bad).to_hex().into();
                });
                (envelope, bad, "DECRYPT_SEGMENT_REORDERED", format!("drop segment {i} (re-signed)"))
            }
            _ => {
                // Cut after a full segment, with a re-signed length: the final segment is missing.
                let cut = SEGMENT * (i + 1);
                let bad = b[..cut].to_vec();
                let zip_len = cut - stream::HEADER_LEN - stream::TAG_LEN * (i + 1);
                let envelope = resign(fx, |v| {
                    v["bundle"]["length"] = cut.into();
                    v["bundle"]["zipLength"] = zip_len.into();
                    v["bundle"]["sha256"] = Sha256Digest::of(&bad).to_hex().into();
                });
                (envelope, bad, "DECRYPT_TRUNCATED", format!("cut after segment {i} (re-signed)"))
            }
        };
        let outcome = attempt(envelope.as_bytes(), &bad, &trust(), chunk(rng));
        let ok = outcome.label() == want;
        t.record("segment_ops", &format!("{what} (want {want})"), &outcome, ok);
    }
}

/// Byte ranges of zip headers (local headers with names, and everything from the central
/// directory on) in a zip our writer made, so mutations can favour structure over data.
fn zip_header_ranges(zip: &[u8]) -> Vec<std::ops::Range<usize>> {
    let u16_at = |at: usize| usize::from(u16::from_le_bytes([zip[at], zip[at + 1]]));
    let u32_at = |at: usize| u32::from_le_bytes([zip[at], zip[at + 1], zip[at + 2], zip[at + 3]]) as usize;
    let mut out = Vec::new();
    let mut at = 0;
    while u32_at(at) == 0x0403_4b50 {
        let header = 30 + u16_at(at + 26) + u16_at(at + 28);
        out.push(at..at + header);
        at += header + u32_at(at + 18);
    }
    out.push(at..zip.len());
    out
}

/// Bytes of a zip that the strict reader does not constrain: in each central header the
/// version made by (low byte; the high byte only selects how attributes are read), internal
/// attributes and external attributes (apart from the type and directory bits, which the
/// reader checks), and the last byte of each deflate stream (it may hold unused padding bits).
fn unconstrained_zip_bytes(zip: &[u8]) -> Vec<std::ops::Range<usize>> {
    let u16_at = |at: usize| usize::from(u16::from_le_bytes([zip[at], zip[at + 1]]));
    let u32_at = |at: usize| u32::from_le_bytes([zip[at], zip[at + 1], zip[at + 2], zip[at + 3]]) as usize;
    let mut out = Vec::new();
    let mut at = 0;
    while u32_at(at) == 0x0403_4b50 {
        let data = at + 30 + u16_at(at + 26) + u16_at(at + 28);
        let csize = u32_at(at + 18);
        if u16_at(at + 8) == 8 && csize > 0 {
            out.push(data + csize - 1..data + csize);
        }
        at = data + csize;
    }
    while u32_at(at) == 0x0201_4b50 {
        out.push(at + 4..at + 6);
        out.push(at + 36..at + 42);
        at += 46 + u16_at(at + 28) + u16_at(at + 30) + u16_at(at + 32);
    }
    out
}

/// Every byte where `a` and `b` differ lies in one of `ranges` (same length assumed).
fn differs_only_in(a: &[u8], b: &[u8], ranges: &[std::ops::Range<usize>]) -> bool {
    a.len() == b.len() && (0..a.len()).all(|i| a[i] == b[i] || ranges.iter().any(|r| r.contains(&i)))
}

fn zip_region(rng: &mut Rng, zip: &[u8], ranges: &[std::ops::Range<usize>]) -> std::ops::Range<usize> {
    if rng.below(3) > 0 {
        rng.pick(ranges).clone()
    } else {
        0..zip.len()
    }
}

/// Zip mutations re-signed (plain) or re-encrypted and re-signed: they reach the zip reader.
fn zip_resigned(t: &mut Tally, rng: &mut Rng, fx: &Fixture, n: usize) {
    let zip = &fx.sealed.zip;
    let ranges = zip_header_ranges(zip);
    let unconstrained = unconstrained_zip_bytes(zip);
    let codes = union(&[ARCHIVE_CODES]);
    let encrypted = fx.sealed.manifest.encryption.is_some();
    let region = if encrypted { "zip_encrypted" } else { "zip_plain" };
    for _ in 0..n {
        let r = zip_region(rng, zip, &ranges);
        let (bad, kind, what) = mutate(rng, zip, r, false);
        if bad == *zip {
            t.noops += 1;
            continue;
        }
        let segment_size = fx.sealed.manifest.encryption.as_ref().map(|e| e.segment_size);
        let (manifest, bundle) = reseal(&fx.sealed.manifest, &bad, segment_size, 7);
        let envelope = sign_manifest(&manifest);
        let outcome = attempt(envelope.as_bytes(), &bundle, &trust(), chunk(rng));
        let ok = match &outcome {
            // Fields the reader does not constrain (made-by, attributes, deflate padding bits)
            // may change; the installed files may not.
            Outcome::Accepted(_, files) => {
                kind == Kind::InPlace && differs_only_in(zip, &bad, &unconstrained) && same_files(fx, files)
            }
            Outcome::Rejected(c) => codes.contains(c),
            Outcome::Panicked(_) => false,
        };
        t.record(region, &what, &outcome, ok);
    }
}

fn bundle_plain_unsigned(t: &mut Tally, rng: &mut Rng, fx: &Fixture, n: usize) {
    let zip = &fx.sealed.bundle;
    let ranges = zip_header_ranges(zip);
    let codes = union(&[ARCHIVE_CODES, &["BUNDLE_HASH_MISMATCH", "BUNDLE_TOO_LONG", "BUNDLE_TRUNCATED"]]);
    for _ in 0..n {
        let r = zip_region(rng, zip, &ranges);
        let (bad, _, what) = mutate(rng, zip, r, false);
        if bad == *zip {
            t.noops += 1;
            continue;
        }
        let outcome = attempt(fx.envelope.as_bytes(), &bad, &trust(), chunk(rng));
        t.expect_in("bundle_plain_unsigned", &what, &outcome, &codes);
    }
}

#[test]
fn ten_thousand_mutations_are_refused_with_the_right_codes() {
    let started = std::time::Instant::now();
    let plain = plain_fixture();
    let encrypted = encrypted_fixture(1);
    let other = encrypted_fixture(2);
    let mut rng = Rng(0x6f74_6173_6561_6c21);
    let mut t = Tally::default();

    for fx in [&plain, &encrypted] {
        envelope_json(&mut t, &mut rng, fx, 1200);
        payload_unsigned(&mut t, &mut rng, fx, 400);
        payload_resigned(&mut t, &mut rng, fx, 900);
        manifest_fields(&mut t, &mut rng, fx, 900);
        signatures(&mut t, &mut rng, fx, 400);
    }
    policies(&mut t, &mut rng, &plain, 600);
    tink_header(&mut t, &mut rng, &encrypted, 300);
    tink_header_resigned(&mut t, &mut rng, &encrypted, 200);
    segments(&mut t, &mut rng, &encrypted, 700);
    segment_ops(&mut t, &mut rng, &encrypted, &other, 250);
    zip_resigned(&mut t, &mut rng, &plain, 1800);
    zip_resigned(&mut t, &mut rng, &encrypted, 500);
    bundle_plain_unsigned(&mut t, &mut rng, &plain, 500);

    println!("mutations: {} checked, {} no-ops skipped, {:.1?}", t.total, t.noops, started.elapsed());
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    for (region, codes) in &t.counts {
        let n: usize = codes.values().sum();
        let list: Vec<String> = codes.iter().map(|(c, k)| format!("{c} {k}")).collect();
        println!("  {region:<22} {n:>5}: {}", list.join(", "));
        for (c, k) in codes {
            *by_code.entry(c.as_str()).or_default() += k;
        }
    }
    println!("  by code: {}", by_code.iter().map(|(c, k)| format!("{c} {k}")).collect::<Vec<_>>().join(", "));
    assert!(t.failed == 0, "{} mutation(s) misbehaved; the first ones:\n{}", t.failed, t.failures.join("\n"));
    assert!(t.total >= 10_000, "only {} mutations checked", t.total);
}

/// Key compromise: with a 2-of-3 root, one stolen key can neither sign a release nor rotate
/// the root to the thief's key; the holders of two keys rotate to a root without the stolen
/// key, after which it no longer counts, even together with a new key's signature.
#[test]
fn rotation_revokes_a_compromised_key() {
    let limits = Limits::default();
    let policy = policy();
    let keys = |ids: &[u8]| ids.iter().map(|&i| signing_key(i).public().clone()).collect::<Vec<_>>();
    let sign = |payload: &[u8], ids: &[u8]| {
        let mut env = Envelope::new(otaseal::manifest::MANIFEST_PAYLOAD_TYPE, payload.to_vec());
        for &i in ids {
            env.sign(&signing_key(i)).expect("sign");
        }
        env.to_json()
    };
    let payload = seal_with(sample_files(), None).envelope.payload;
    let v1 = TrustRoot::new(1, 2, keys(&[1, 2, 3])).expect("root v1");
    // Key 1 is stolen; key 9 is the thief's.
    let verdict = |root: &TrustRoot, ids: &[u8]| {
        let json = sign(&payload, ids);
        let r = open::verify_release(json.as_bytes(), root, &policy, &limits);
        r.map(|_| "OK").unwrap_or_else(|e| e.code())
    };
    assert_eq!(verdict(&v1, &[1]), "SIGNATURE_THRESHOLD");
    assert_eq!(verdict(&v1, &[1, 9]), "SIGNATURE_THRESHOLD");
    let thief_root = TrustRoot::new(2, 1, keys(&[9])).expect("thief root");
    let thief_rotation = thief_root.to_signed_envelope(&[&signing_key(1), &signing_key(9)]).expect("sign");
    assert_eq!(
        v1.rotate(thief_rotation.to_json().as_bytes(), &limits).map(|_| "OK").unwrap_or_else(|e| e.code()),
        "SIGNATURE_THRESHOLD"
    );
    // The owners rotate to keys 2, 3 and a fresh key 4.
    let v2 = TrustRoot::new(2, 2, keys(&[2, 3, 4])).expect("root v2");
    let rotation = v2.to_signed_envelope(&[&signing_key(2), &signing_key(3), &signing_key(4)]).expect("sign");
    let rotated = v1.rotate(rotation.to_json().as_bytes(), &limits).expect("rotation");
    assert_eq!(rotated, v2);
    assert_eq!(verdict(&v2, &[1, 2]), "SIGNATURE_THRESHOLD");
    assert_eq!(verdict(&v2, &[1, 4]), "SIGNATURE_THRESHOLD");
    assert_eq!(verdict(&v2, &[2, 4]), "OK");
    // The old root cannot be brought back: rotations only go from N to N+1.
    let back = v1.to_signed_envelope(&[&signing_key(2), &signing_key(3)]).expect("sign");
    assert_eq!(
        v2.rotate(back.to_json().as_bytes(), &limits).map(|_| "OK").unwrap_or_else(|e| e.code()),
        "TRUST_ROOT_VERSION"
    );
}
