//! Trust roots (`docs/FORMAT.md` §4): document parsing, pinned roots, rotation.
//!
//! Input: a mode byte, then: 0, a trust-root document (a parsed root must round-trip through
//! its own JSON); 1, a pinned root (document or self-signed envelope); 2, a rotation envelope
//! applied to the fixture root (version 1, key 1); 3, a root document that the harness wraps
//! in an envelope signed by keys 1 and 2, then loads as pinned and as a rotation (this reaches
//! the version and threshold checks of a rotation, which need real signatures).
#![no_main]

use libfuzzer_sys::fuzz_target;
use otaseal::envelope::Envelope;
use otaseal::trust::{TrustRoot, TRUST_ROOT_PAYLOAD_TYPE};
use otaseal_fuzz::fixtures;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let f = fixtures();
    match mode % 4 {
        0 => {
            if let Ok(root) = TrustRoot::parse_document(rest, &f.limits) {
                let again = TrustRoot::parse_document(root.to_document_json().as_bytes(), &f.limits)
                    .expect("a parsed root re-parses");
                assert_eq!(again, root);
                assert!(root.threshold >= 1 && root.threshold <= root.keys.len());
            }
        }
        1 => {
            let _ = TrustRoot::from_pinned(rest, &f.limits);
        }
        2 => {
            if let Ok(next) = f.trust.rotate(rest, &f.limits) {
                // Only key 1 of the fixture root can have signed it; the version must be 2.
                assert_eq!(next.version, 2);
            }
        }
        _ => {
            let mut env = Envelope::new(TRUST_ROOT_PAYLOAD_TYPE, rest.to_vec());
            env.sign(&f.key1).expect("sign");
            env.sign(&f.key2).expect("sign");
            let json = env.to_json();
            let _ = TrustRoot::from_pinned(json.as_bytes(), &f.limits);
            if let Ok(next) = f.trust.rotate(json.as_bytes(), &f.limits) {
                assert_eq!(next.version, 2);
                let signers = [f.key1.keyid(), f.key2.keyid()];
                let counted = next.keys.iter().filter(|k| signers.contains(&k.keyid())).count();
                assert!(counted >= next.threshold, "rotation accepted without a threshold of the new root");
            }
        }
    }
});
