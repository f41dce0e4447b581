//! Archive paths: validated, never normalised. A name that is not already in its one safe
//! spelling is refused, not repaired (repairing is how zip-slip fixes have failed before).
//!
//! Two levels of rules (`docs/FORMAT.md` §6.2, §6.3), both derived from one principle: every
//! native installer otaseal hands a bundle to must install exactly the manifest's files at the
//! manifest's paths.
//! - [`ArchivePath::new`]: one path on its own (spelling, Unicode form, component length).
//! - [`check_file_set`]: a whole file list (collisions under case folding and Unicode
//!   normalisation, a file that is also a folder, a root layout no installer re-roots).

use crate::error::{Error, Result};
use crate::limits;

/// The longest path component (file or folder name) in bytes: `NAME_MAX` of ext4 and f2fs
/// (Android) and APFS (iOS, 255 UTF-8 bytes).
pub const MAX_COMPONENT_BYTES: usize = 255;

/// The file at the root that stops both native installers from re-rooting a bundle.
pub const ROOT_INDEX: &str = "index.html";

/// A relative, `/`-separated path with no `..`, `.`, empty components, backslashes, drive
/// letters, control or invisible characters, in Unicode NFC, each component at most
/// [`MAX_COMPONENT_BYTES`] bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArchivePath(String);

impl ArchivePath {
    /// Validates `path` (at most `max_bytes` bytes).
    pub fn new(path: &str, max_bytes: u64) -> Result<Self> {
        let invalid = |reason| Error::PathInvalid { path: path.to_string(), reason };
        if path.is_empty() {
            return Err(invalid("empty"));
        }
        limits::check("max_path_bytes", max_bytes, path.len() as u64)?;
        // One pass over the bytes for the byte-level rules (a path is ASCII almost always, and
        // these checks run for every file of a manifest and of a zip). UTF-8 never puts `/`,
        // backslash or `.` inside a multi-byte character, so components split correctly on bytes.
        // The outcomes are then reported in the documented order (FORMAT.md §6.2).
        let bytes = path.as_bytes();
        let (mut backslash, mut control, mut traversal) = (false, false, false);
        let mut first_bad_component: Option<Error> = None;
        let mut start = 0;
        for at in 0..=bytes.len() {
            let c = bytes.get(at).copied().unwrap_or(b'/');
            match c {
                b'/' => {
                    let component = &bytes[start..at];
                    traversal |= component == b"..";
                    if first_bad_component.is_none() {
                        first_bad_component = if component.is_empty() {
                            Some(invalid("empty component"))
                        } else if component == b"." {
                            Some(invalid("'.' component"))
                        } else if component.len() > MAX_COMPONENT_BYTES {
                            Some(Error::PathComponentTooLong { path: path.into(), bytes: component.len() as u64 })
                        } else {
                            None
                        };
                    }
                    start = at + 1;
                }
                b'\\' => backslash = true,
                0..=0x1f | 0x7f => control = true,
                _ => {}
            }
        }
        if backslash {
            return Err(Error::PathBackslash { path: path.into() });
        }
        if path.starts_with('/') || has_drive_prefix(path) {
            return Err(Error::PathAbsolute { path: path.into() });
        }
        if traversal {
            return Err(Error::PathTraversal { path: path.into() });
        }
        let ascii = path.is_ascii();
        // Beyond ASCII: the C1 controls (U+0080-U+009F), then invisible characters.
        if control || (!ascii && path.chars().any(|c| c.is_control())) {
            return Err(invalid("control character"));
        }
        if !ascii && path.chars().any(is_invisible) {
            return Err(invalid("invisible or formatting character"));
        }
        // APFS compares names in a normalisation-insensitive way, ext4 byte for byte: only the
        // one composed spelling names the same file on both.
        if !ascii && !super::unicode::is_nfc(path) {
            return Err(Error::PathNotNfc { path: path.into() });
        }
        if path.ends_with('/') {
            return Err(invalid("trailing slash (directory)"));
        }
        if let Some(error) = first_bad_component {
            return Err(error);
        }
        // macOS Archive Utility's resource-fork folder; the Android updater skips it when it
        // decides whether to re-root, iOS counts it (§6.3).
        if path.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("__MACOSX")) {
            return Err(Error::PathReserved { path: path.into() });
        }
        Ok(ArchivePath(path.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key under which two names collide on a file system that ignores case and Unicode
    /// normal form (APFS and HFS+ as macOS and iOS format them by default, NTFS for case).
    /// Over-approximates: lower → upper → lower case mapping of each character on its own (so
    /// `ſ`, `K` (Kelvin), `ß`/`ss`, `ς`/`σ` fold together) on the canonical decomposition, then
    /// the canonical decomposition again; two paths with equal keys are refused.
    pub fn folded(&self) -> String {
        if self.0.is_ascii() {
            return self.0.to_ascii_lowercase();
        }
        let mut once = String::with_capacity(self.0.len());
        for c in super::unicode::nfd(&self.0) {
            super::case_fold::fold(c, &mut once);
        }
        super::unicode::nfd(&once).into_iter().collect()
    }
}

impl std::fmt::Display for ArchivePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `C:` or `c:…` at the start names a drive on Windows.
fn has_drive_prefix(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// Characters that render as nothing or reorder text: zero-width and joiner characters, bidi
/// controls, the byte-order mark, noncharacters. Names differing only in them look identical
/// (and HFS+ ignored some of them when comparing names).
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFF}' | '\u{FDD0}'..='\u{FDEF}'
        | '\u{E0000}'..='\u{E0FFF}')
        || (u32::from(c) & 0xFFFE) == 0xFFFE
}

/// Checks a whole file list (`docs/FORMAT.md` §6.3), in this order:
/// 1. two paths equal after [`ArchivePath::folded`] → `MANIFEST_DUPLICATE_PATH`;
/// 2. a path is also a folder of another path, compared folded (`lib.js` and `lib.js/x.js`)
///    → `PATH_PREFIX_CONFLICT`;
/// 3. the root would be re-rooted by a native installer → `LAYOUT_REROOTED`.
pub fn check_file_set<'a>(paths: impl IntoIterator<Item = &'a ArchivePath>) -> Result<()> {
    let paths: Vec<&ArchivePath> = paths.into_iter().collect();
    let keys: Vec<String> = paths.iter().map(|p| p.folded()).collect();
    // Indices sorted by (key, index), for duplicate runs and prefix lookups: no hashing, and a
    // list already in order (as sealers write it) costs one pass.
    let by_key = crate::order::sorted_indices(paths.len(), &|a, b| keys[a].cmp(&keys[b]).then(a.cmp(&b)));
    // 1. The first path (in the given order) whose key an earlier path has.
    if let Some((dup, other)) = crate::order::first_repeat(&by_key, &|a, b| keys[a] == keys[b]) {
        return Err(Error::ManifestDuplicatePath { path: paths[dup].to_string(), other: paths[other].to_string() });
    }
    let file_with_key =
        |key: &str| by_key.binary_search_by(|&i| keys[i].as_str().cmp(key)).ok().map(|at| paths[by_key[at]]);
    // 2. In path order, the first path one of whose folders (folded) is another path.
    let order = crate::order::sorted_indices(paths.len(), &|a, b| paths[a].cmp(paths[b]));
    for &i in &order {
        for (at, _) in keys[i].match_indices('/') {
            if let Some(file) = file_with_key(&keys[i][..at]) {
                return Err(Error::PathPrefixConflict { path: paths[i].to_string(), file: file.to_string() });
            }
        }
    }
    check_layout(paths.iter().map(|p| p.as_str()))
}

/// The root layout rule: the root holds a file named exactly `index.html` (byte for byte).
///
/// Android's `flattenAssets` re-roots when, without names starting with `.` or `__MACOSX`,
/// exactly one root entry is left that is not `index.html`; iOS's `unflatFolder` re-roots when
/// the root holds exactly one entry, a folder, and no `index.html`; Capawesome's root search
/// installs the first folder (in file-system listing order) that holds an entry named
/// `index.html`, case-sensitively, and fails when there is none. With `index.html` at the root
/// none of them moves anything, and the root search stops at the root. (Prefix conflicts are
/// refused before this, so the path `index.html` is a file, not a folder.)
fn check_layout<'a>(mut paths: impl Iterator<Item = &'a str>) -> Result<()> {
    if paths.any(|p| p == ROOT_INDEX) {
        return Ok(());
    }
    Err(Error::LayoutRerooted {
        reason: "the root holds no file named exactly \"index.html\": a native installer would re-root the bundle, pick another folder, or fail"
            .to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key before the per-character fold: string case mappings, whose lower case mapping
    /// of `Σ` depends on the context (final sigma).
    fn folded_with_string_case_mappings(s: &str) -> String {
        let decomposed: String = super::super::unicode::nfd(s).into_iter().collect();
        let once = decomposed.to_lowercase().to_uppercase().to_lowercase();
        super::super::unicode::nfd(&once).into_iter().collect()
    }

    /// The per-character fold is the string fold with every final sigma `ς` made `σ`: for every
    /// character alone, after and before a letter below U+20000 (no case mappings beyond), and
    /// for sigma in every position.
    #[test]
    fn folded_is_the_string_case_mapping_without_final_sigma() {
        let key = |s: &str| ArchivePath(s.to_string()).folded();
        let check = |s: &str| assert_eq!(key(s), folded_with_string_case_mappings(s).replace('ς', "σ"), "{s:?}");
        let mut s = String::new();
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let contexts: &[(&str, &str)] =
                if c < '\u{20000}' { &[("", ""), ("A", ""), ("", "b")] } else { &[("", "")] };
            for &(before, after) in contexts {
                s.clear();
                s.push_str(before);
                s.push(c);
                s.push_str(after);
                check(&s);
            }
        }
        for s in ["ΟΔΟΣ", "οδος", "οδοσ", "ΟΔΟΣ.js", "ς", "Σ", "aς", "Σa", "x/Σ/y", "ΌΣΟΣ\u{301}"]
        {
            check(s);
        }
        assert_eq!(key("ΟΔΟΣ.js"), key("οδος.js"));
        assert_eq!(key("ΟΔΟΣ.js"), key("οδοσ.js"));
        assert_eq!(key("ς"), key("σ"));
        assert_eq!(key("Straße/ǅ"), key("STRASSE/Ǆ"));
        assert_eq!(key("\u{212A}elvin"), key("kelvin"));
        assert_eq!(key("ſ.js"), key("S.JS"));
    }

    fn code(p: &str) -> &'static str {
        match ArchivePath::new(p, 300) {
            Ok(_) => "OK",
            Err(e) => e.code(),
        }
    }

    /// The rules one after the other, as written before the single-pass check: the reference
    /// the fast path must agree with, code for code.
    fn reference(path: &str) -> &'static str {
        let r = || -> Result<()> {
            if path.is_empty() {
                return Err(Error::PathInvalid { path: path.into(), reason: "empty" });
            }
            limits::check("max_path_bytes", 300, path.len() as u64)?;
            let inv = |reason| Error::PathInvalid { path: path.into(), reason };
            if path.contains('\\') {
                return Err(Error::PathBackslash { path: path.into() });
            }
            if path.starts_with('/') || has_drive_prefix(path) {
                return Err(Error::PathAbsolute { path: path.into() });
            }
            if path.split('/').any(|c| c == "..") {
                return Err(Error::PathTraversal { path: path.into() });
            }
            if path.chars().any(|c| c.is_control()) {
                return Err(inv("control character"));
            }
            if path.chars().any(is_invisible) {
                return Err(inv("invisible or formatting character"));
            }
            if !path.is_ascii() && !super::super::unicode::is_nfc(path) {
                return Err(Error::PathNotNfc { path: path.into() });
            }
            if path.ends_with('/') {
                return Err(inv("trailing slash (directory)"));
            }
            for component in path.split('/') {
                if component.is_empty() {
                    return Err(inv("empty component"));
                }
                if component == "." {
                    return Err(inv("'.' component"));
                }
                if component.len() > MAX_COMPONENT_BYTES {
                    return Err(Error::PathComponentTooLong { path: path.into(), bytes: component.len() as u64 });
                }
            }
            if path.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("__MACOSX")) {
                return Err(Error::PathReserved { path: path.into() });
            }
            Ok(())
        };
        match r() {
            Ok(()) => "OK",
            Err(e) => e.code(),
        }
    }

    /// `check_file_set` as first written, with a hash map: the reference for the sorted one.
    fn reference_file_set(paths: &[ArchivePath]) -> Result<()> {
        let mut folded: std::collections::HashMap<String, &ArchivePath> = std::collections::HashMap::new();
        for path in paths {
            if let Some(other) = folded.insert(path.folded(), path) {
                return Err(Error::ManifestDuplicatePath { path: path.to_string(), other: other.to_string() });
            }
        }
        let mut list: Vec<(&String, &&ArchivePath)> = folded.iter().collect();
        list.sort_by(|a, b| a.1.cmp(b.1));
        for (key, path) in &list {
            for (i, _) in key.match_indices('/') {
                if let Some(file) = folded.get(&key[..i]) {
                    return Err(Error::PathPrefixConflict { path: path.to_string(), file: file.to_string() });
                }
            }
        }
        check_layout(list.iter().map(|(_, p)| p.as_str()))
    }

    #[test]
    fn sorted_file_set_check_agrees_with_the_hash_map() {
        let names = [
            "index.html",
            "Index.html",
            "a",
            "A",
            "a/b",
            "A/B",
            "a/b/c",
            "b.js",
            "B.JS",
            "x/\u{e9}",
            "X/\u{c9}",
            "\u{df}",
            "ss",
        ];
        let mut seed = 5u32;
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let n = 1 + (seed >> 16) as usize % 6;
            let mut list = Vec::new();
            for _ in 0..n {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                list.push(ArchivePath::new(names[(seed >> 16) as usize % names.len()], 300).unwrap());
            }
            assert_eq!(check_file_set(&list), reference_file_set(&list), "{list:?}");
            list.sort();
            list.dedup();
            assert_eq!(check_file_set(&list), reference_file_set(&list), "{list:?}");
        }
    }

    #[test]
    fn single_pass_checks_agree_with_the_rules_in_order() {
        let pieces = [
            "a",
            "B",
            "/",
            "/",
            ".",
            "..",
            "\\",
            "\u{1}",
            "\u{7f}",
            "\u{85}",
            "\u{200b}",
            "e\u{301}",
            "\u{e9}",
            "C:",
            "__MACOSX",
            "x".repeat(256).leak(),
        ];
        let mut seed = 11u32;
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let n = 1 + (seed >> 16) as usize % 6;
            let mut path = String::new();
            for _ in 0..n {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                path.push_str(pieces[(seed >> 16) as usize % pieces.len()]);
            }
            assert_eq!(code(&path), reference(&path), "{path:?}");
        }
    }

    #[test]
    fn accepts_plain_paths_and_refuses_everything_else() {
        for ok in ["index.html", "assets/app.js", "a/b/c.d.e", "..foo", "x..", "Schrift-\u{fc}.woff2", "日本/語.js"]
        {
            assert_eq!(code(ok), "OK", "{ok}");
        }
        let long = "a".repeat(256);
        let cases = [
            ("", "PATH_INVALID"),
            ("../etc/passwd", "PATH_TRAVERSAL"),
            ("a/../../b", "PATH_TRAVERSAL"),
            ("a/..", "PATH_TRAVERSAL"),
            ("/etc/passwd", "PATH_ABSOLUTE"),
            ("C:/Windows", "PATH_ABSOLUTE"),
            ("c:evil", "PATH_ABSOLUTE"),
            ("a\\b", "PATH_BACKSLASH"),
            ("..\\b", "PATH_BACKSLASH"),
            ("a//b", "PATH_INVALID"),
            ("a/./b", "PATH_INVALID"),
            ("./a", "PATH_INVALID"),
            ("dir/", "PATH_INVALID"),
            ("a\u{0}b", "PATH_INVALID"),
            ("a\nb", "PATH_INVALID"),
            ("a\u{200b}.js", "PATH_INVALID"),
            ("a\u{202e}sj.exe", "PATH_INVALID"),
            ("\u{feff}index.html", "PATH_INVALID"),
            ("e\u{301}.txt", "PATH_NOT_NFC"),
            ("\u{212b}.txt", "PATH_NOT_NFC"),
            ("__MACOSX/._index.html", "PATH_RESERVED"),
            ("__macosx", "PATH_RESERVED"),
            (long.as_str(), "PATH_COMPONENT_TOO_LONG"),
        ];
        for (path, want) in cases {
            assert_eq!(code(path), want, "{path:?}");
        }
        assert_eq!(code(&"a".repeat(255)), "OK");
        assert_eq!(code(&format!("{}/{}", "a".repeat(255), "b".repeat(50))), "LIMIT_EXCEEDED");
        assert_eq!(ArchivePath::new(&"a".repeat(65), 64).unwrap_err().code(), "LIMIT_EXCEEDED");
    }

    fn set(paths: &[&str]) -> &'static str {
        let paths: Vec<ArchivePath> = paths.iter().map(|p| ArchivePath::new(p, 1000).unwrap()).collect();
        match check_file_set(&paths) {
            Ok(()) => "OK",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn file_set_rules() {
        assert_eq!(set(&["index.html"]), "OK");
        assert_eq!(set(&["index.html", ".well-known/x"]), "OK");
        // Two root entries without index.html: Capgo would not re-root, but Capawesome's root
        // search fails or picks a folder by listing order.
        assert_eq!(set(&["app.js", "style.css"]), "LAYOUT_REROOTED");
        assert_eq!(set(&["a/index.html", "b/index.html", "a/app.js"]), "LAYOUT_REROOTED");
        assert_eq!(set(&["Index.html", "app/index.html"]), "LAYOUT_REROOTED");
        assert_eq!(set(&["index.html", "a/b.js", "a/c.js"]), "OK");
        assert_eq!(set(&["index.html", "INDEX.HTML"]), "MANIFEST_DUPLICATE_PATH");
        assert_eq!(set(&["index.html", "\u{e9}.txt", "\u{c9}.txt"]), "MANIFEST_DUPLICATE_PATH");
        assert_eq!(set(&["index.html", "\u{17f}.txt", "s.txt"]), "MANIFEST_DUPLICATE_PATH");
        assert_eq!(set(&["index.html", "stra\u{df}e", "STRASSE"]), "MANIFEST_DUPLICATE_PATH");
        assert_eq!(set(&["index.html", "\u{3c2}.js", "\u{3c3}.js"]), "MANIFEST_DUPLICATE_PATH");
        assert_eq!(set(&["index.html", "lib.js", "lib.js/x.js"]), "PATH_PREFIX_CONFLICT");
        assert_eq!(set(&["index.html", "Lib.js", "lib.js/x.js"]), "PATH_PREFIX_CONFLICT");
        assert_eq!(set(&["index.html", "a/b", "a/b/c/d"]), "PATH_PREFIX_CONFLICT");
        assert_eq!(set(&["dist/index.html", "dist/app.js"]), "LAYOUT_REROOTED");
        assert_eq!(set(&["dist/index.html", ".DS_Store"]), "LAYOUT_REROOTED");
        assert_eq!(set(&["app.js"]), "LAYOUT_REROOTED");
        assert_eq!(set(&[".hidden"]), "LAYOUT_REROOTED");
        assert_eq!(set(&["index.html/x.js"]), "LAYOUT_REROOTED"); // a folder named index.html
    }
}
