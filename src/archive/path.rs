//! Archive paths: validated, never normalised. A name that is not already in its one safe
//! spelling is refused, not repaired (repairing is how zip-slip fixes have failed before).

use crate::error::{Error, Result};
use crate::limits;

/// A relative, `/`-separated, printable-ASCII path with no `..`, `.`, empty components,
/// backslashes or drive letters.
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
            return Err(invalid("control character"));
        }
        // Case-insensitive and normalisation-insensitive file systems (APFS, NTFS) would merge
        // names that differ only in Unicode case folding or normal form; ASCII names have one
        // spelling and fold with `to_ascii_lowercase`, so collisions are detected exactly.
        if !path.is_ascii() {
            return Err(invalid("non-ASCII character"));
        }
        if path.ends_with('/') {
            return Err(invalid("trailing slash (directory)"));
        }
        for component in path.split('/') {
            if component.is_empty() {
                return Err(invalid("empty component"));
            }
            if component == "." {
                return Err(invalid("'.' component"));
            }
        }
        Ok(ArchivePath(path.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key under which two names collide on a case-insensitive file system.
    pub fn folded(&self) -> String {
        self.0.to_ascii_lowercase()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn code(p: &str) -> &'static str {
        match ArchivePath::new(p, 64) {
            Ok(_) => "OK",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn accepts_plain_paths_and_refuses_everything_else() {
        for ok in ["index.html", "assets/app.js", "a/b/c.d.e", "..foo", "x.."] {
            assert_eq!(code(ok), "OK", "{ok}");
        }
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
            ("é.txt", "PATH_INVALID"),
            ("\u{17f}.txt", "PATH_INVALID"),
        ];
        for (path, want) in cases {
            assert_eq!(code(path), want, "{path:?}");
        }
        assert_eq!(code(&"a".repeat(65)), "LIMIT_EXCEEDED");
    }
}
