//! Canonical normalisation (UAX #15) from the per-character canonical tables only: NFD for the
//! collision key, an exact NFC test, and NFC for the sealer. The crate's string iterators also
//! link the compatibility tables (about 100 KB of wasm); these functions do not.

use unicode_normalization::char::{canonical_combining_class, compose, decompose_canonical};
use unicode_normalization::{is_nfc_quick, IsNormalized};

/// Canonical decomposition, then canonical ordering (non-starters sorted by combining class,
/// stably, between starters).
pub(crate) fn nfd(s: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        decompose_canonical(c, |d| out.push(d));
    }
    let mut start = 0;
    while start < out.len() {
        if canonical_combining_class(out[start]) == 0 {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < out.len() && canonical_combining_class(out[end]) != 0 {
            end += 1;
        }
        out[start..end].sort_by_key(|&c| canonical_combining_class(c));
        start = end;
    }
    out
}

/// Canonical composition of a canonically ordered decomposition.
fn compose_all(decomposed: &[char]) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(decomposed.len());
    let mut starter: Option<usize> = None;
    // Combining class of the last character kept after the starter (None: adjacent to it).
    let mut last: Option<u8> = None;
    for &c in decomposed {
        let ccc = canonical_combining_class(c);
        if let Some(at) = starter {
            let blocked = last.is_some_and(|l| l == 0 || l >= ccc);
            if !blocked {
                if let Some(composed) = compose(out[at], c) {
                    out[at] = composed;
                    continue;
                }
            }
        }
        if ccc == 0 {
            starter = Some(out.len());
            last = None;
        } else {
            last = Some(ccc);
        }
        out.push(c);
    }
    out
}

/// NFC of `s`.
pub(crate) fn nfc(s: &str) -> String {
    compose_all(&nfd(s)).into_iter().collect()
}

/// Whether `s` is in NFC: the quick check, and for "maybe" the full comparison.
pub(crate) fn is_nfc(s: &str) -> bool {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => true,
        IsNormalized::No => false,
        IsNormalized::Maybe => compose_all(&nfd(s)).into_iter().eq(s.chars()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    /// Agrees with the crate's full implementation on a sample of tricky strings.
    #[test]
    fn agrees_with_the_full_implementation() {
        let samples = [
            "abc",
            "\u{e9}",
            "e\u{301}",
            "\u{212b}",
            "A\u{30a}",
            "\u{1e0b}\u{323}",
            "d\u{323}\u{307}",
            "d\u{307}\u{323}",
            "\u{ac00}",
            "\u{1100}\u{1161}",
            "\u{1100}\u{1161}\u{11a8}",
            "\u{ac00}\u{11a8}",
            "\u{b95}\u{bbe}",
            "\u{bc6}\u{bbe}",
            "\u{b95}\u{bca}",
            "\u{9c7}\u{9be}",
            "\u{304b}\u{3099}",
            "\u{304c}",
            "a\u{308}\u{301}",
            "\u{3b9}\u{308}\u{301}",
            "\u{390}",
            "\u{1fd3}",
            "\u{f900}",
            "\u{2126}",
            "\u{1e9b}\u{323}",
            "Schrift-u\u{308}.woff2",
            "q\u{307}\u{323}",
            "\u{1100}\u{300}\u{1161}",
            "a\u{35c}\u{300}",
        ];
        for s in samples {
            let want_nfd: String = s.nfd().collect();
            assert_eq!(nfd(s).into_iter().collect::<String>(), want_nfd, "nfd {s:?}");
            let want_nfc: String = s.nfc().collect();
            assert_eq!(nfc(s), want_nfc, "nfc {s:?}");
            assert_eq!(is_nfc(s), unicode_normalization::is_nfc(s), "is_nfc {s:?}");
        }
        // Every BMP character on its own and after a starter.
        for cp in 0..0x3_0000u32 {
            let Some(c) = char::from_u32(cp) else { continue };
            for s in [c.to_string(), format!("a{c}"), format!("\u{1100}{c}"), format!("{c}\u{301}")] {
                assert_eq!(is_nfc(&s), unicode_normalization::is_nfc(&s), "is_nfc U+{cp:04X}");
                assert_eq!(nfc(&s), s.nfc().collect::<String>(), "nfc U+{cp:04X}");
            }
        }
    }
}
