//! Steps 1-12: envelope parse, signatures, manifest, policy.
//!
//! Input: a mode byte, then either the envelope JSON itself (even mode: exercises the DSSE
//! parser and the threshold check; no input can forge a signature), or a manifest payload that
//! the harness signs with the trusted key (odd mode: gets past the signatures into the strict
//! manifest parser and the policy). A manifest that verifies must survive a serialise/parse
//! round trip unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otaseal::manifest::Manifest;
use otaseal::open::verify_release;
use otaseal_fuzz::{fixtures, signed_manifest};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let f = fixtures();
    let result = if mode % 2 == 0 {
        verify_release(rest, &f.trust, &f.policy, &f.limits)
    } else {
        verify_release(signed_manifest(rest).as_bytes(), &f.trust, &f.policy, &f.limits)
    };
    if let Ok(release) = result {
        let again = Manifest::parse(&release.manifest.to_json(), &f.limits).expect("a verified manifest re-parses");
        assert_eq!(again, release.manifest, "manifest changed in a serialise/parse round trip");
    }
});
