//! The strict zip reader (`docs/FORMAT.md` §6) behind the opener, unencrypted.
//!
//! Input: a chunk plan (one length byte, then that many `% 16` plan bytes), then zip bytes.
//! The harness signs nothing: it builds a manifest that lists what the zip's local headers
//! claim (valid, distinct names; claimed sizes) and fills in each file's hash from the
//! opener's own `HASH_MISMATCH` report, so later entries, the central directory and the end
//! record are reached too. Properties: the outcome does not depend on chunking, and an
//! accepted archive gives exactly the signed files with their signed sizes and hashes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otaseal::digest::Sha256Digest;
use otaseal_fuzz::{chunks, code, manifest_for, open_fixing_hashes, open_unsigned};

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else { return };
    let n = usize::from(n % 16).min(rest.len());
    let (plan, zip) = rest.split_at(n);
    let Some(manifest) = manifest_for(zip, zip, None) else { return };
    let pieces = chunks(zip, plan);
    let (manifest, result) = open_fixing_hashes(manifest, &pieces);
    let whole = open_unsigned(&manifest, &[zip]);
    assert_eq!(code(&result), code(&whole), "chunking changed the outcome");
    if let Ok(files) = result {
        assert_eq!(files.len(), manifest.files.len());
        for file in &files {
            let signed = manifest.files.iter().find(|f| f.path.as_str() == file.path).expect("a signed file");
            assert_eq!(file.data.len() as u64, signed.size);
            assert_eq!(Sha256Digest::of(&file.data), signed.sha256);
        }
    }
});
