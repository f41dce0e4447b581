//! The streaming decryptor (Tink AES-GCM-HKDF, `docs/FORMAT.md` §5) fed arbitrary chunk
//! splits.
//!
//! Input: one byte `n`, then `n % 16` split bytes (chunk lengths), then the ciphertext. The
//! ciphertext is decrypted with the fixture bundle key in the chunks the split bytes choose and
//! in one piece: both must give the same plaintext or the same error code (chunking must never
//! change the outcome), and plaintext is only ever emitted for whole authenticated segments.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otaseal::stream::{self, StreamDecryptor};
use otaseal_fuzz::{chunks, code, fixtures, SEGMENT_SIZE};

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else { return };
    let n = usize::from(n % 16).min(rest.len());
    let (plan, ciphertext) = rest.split_at(n);
    let f = fixtures();
    let ad = b"otaseal fuzz";
    let whole = stream::decrypt_all(&f.bundle_key, ad, SEGMENT_SIZE, ciphertext);

    let mut dec = StreamDecryptor::new(&f.bundle_key, ad, SEGMENT_SIZE, None).expect("decryptor");
    let mut plain = Vec::new();
    let mut sink = |p: &[u8]| {
        assert!(p.len() <= SEGMENT_SIZE as usize - stream::TAG_LEN, "more than one segment of plaintext at once");
        plain.extend_from_slice(p);
        Ok(())
    };
    let mut chunked = Ok(());
    for piece in chunks(ciphertext, plan) {
        chunked = dec.push(piece, &mut sink);
        if chunked.is_err() {
            break;
        }
    }
    if chunked.is_ok() {
        chunked = dec.finish(&mut sink);
    }
    match (&whole, &chunked) {
        (Ok(w), Ok(())) => assert_eq!(*w, plain, "chunked plaintext differs"),
        _ => assert_eq!(code(&whole), code(&chunked), "chunking changed the outcome"),
    }
    if let Ok(w) = &whole {
        assert_eq!(stream::ciphertext_len(w.len() as u64, SEGMENT_SIZE), Some(ciphertext.len() as u64));
    }
});
