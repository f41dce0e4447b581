//! Strict JSON shape: serde's derived structs also accept a JSON *array* of the field values
//! in order. The format allows one spelling only, so objects are required where the schema
//! has objects, before the typed parse.

use serde_json::Value;

/// True when `json` is an object and every value at `paths` is an object. A path is a chain
/// of keys separated by `.`; a key ending in `[]` means "each element of this array". Absent
/// or null values are left to the typed parse.
pub(crate) fn objects_at(json: &[u8], paths: &[&str]) -> bool {
    // The common case (well-formed, escape-free keys) is answered by one pass over the bytes
    // without building a tree: a 3000-file manifest is ~400 KB, and a `Value` tree of it was a
    // tenth of a cold verification. Anything the scan is unsure of, and every "no", is decided
    // by the tree below, so both give the same answers.
    if scan::objects_at(json, paths) == Some(true) {
        return true;
    }
    let Ok(root) = serde_json::from_slice::<Value>(json) else {
        // Syntax errors are reported by the typed parse, with its message.
        return true;
    };
    root.is_object() && paths.iter().all(|p| check(&root, &p.split('.').collect::<Vec<_>>()))
}

/// True when `json` starts (after whitespace) with `{`: for valid JSON, an object at the top
/// level. A cheap test that needs no parse; invalid JSON is left to the typed parse.
pub(crate) fn starts_as_object(json: &[u8]) -> bool {
    json.iter().find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r')) == Some(&b'{')
}

fn check(value: &Value, path: &[&str]) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return value.is_object() || value.is_null();
    };
    let (key, each) = match first.strip_suffix("[]") {
        Some(k) => (k, true),
        None => (*first, false),
    };
    match value.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::Array(items)) if each => items.iter().all(|i| check(i, rest) && !i.is_null()),
        Some(_) if each => true,
        Some(v) => check(v, rest),
    }
}

/// A single forward scan of the top-level object (no allocation). Answers `Some(true)` only
/// when every top-level key named in `paths` (no `.` chains) holds an object or null (`key`),
/// or an array whose elements are all objects, or a non-array (`key[]`); `None` when unsure.
mod scan {
    struct Cursor<'a> {
        json: &'a [u8],
        at: usize,
    }

    impl<'a> Cursor<'a> {
        fn ws(&mut self) {
            while matches!(self.json.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                self.at += 1;
            }
        }

        fn peek(&mut self) -> Option<u8> {
            self.ws();
            self.json.get(self.at).copied()
        }

        fn eat(&mut self, byte: u8) -> Option<()> {
            (self.peek()? == byte).then(|| self.at += 1)
        }

        /// A string's raw bytes between the quotes; `None` if it has an escape (the raw bytes
        /// would not be the key) or does not end.
        fn key(&mut self) -> Option<&'a [u8]> {
            self.eat(b'"')?;
            let start = self.at;
            let len = self.json[start..].iter().position(|&c| c == b'"' || c == b'\\')?;
            if self.json[start + len] != b'"' {
                return None;
            }
            self.at = start + len + 1;
            Some(&self.json[start..start + len])
        }

        /// Skips one value of any kind (strings with escapes, nested containers).
        fn skip_value(&mut self) -> Option<()> {
            let mut depth = 0usize;
            loop {
                match self.peek()? {
                    b'"' => {
                        self.at += 1;
                        loop {
                            let n = self.json[self.at..].iter().position(|&c| c == b'"' || c == b'\\')?;
                            self.at += n + 1;
                            if self.json[self.at - 1] == b'"' {
                                break;
                            }
                            self.at += 1; // the escaped character
                        }
                    }
                    b'{' | b'[' => {
                        depth += 1;
                        self.at += 1;
                        continue;
                    }
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        self.at += 1;
                    }
                    b',' | b':' if depth > 0 => {
                        self.at += 1;
                        continue;
                    }
                    _ => {
                        // A number or literal: up to the next delimiter.
                        let n = self.json[self.at..]
                            .iter()
                            .position(|c| matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))?;
                        if n == 0 {
                            return None;
                        }
                        self.at += n;
                    }
                }
                if depth == 0 {
                    return Some(());
                }
            }
        }

        fn null(&mut self) -> bool {
            self.ws();
            self.json[self.at..].starts_with(b"null")
        }
    }

    pub(super) fn objects_at(json: &[u8], paths: &[&str]) -> Option<bool> {
        if paths.iter().any(|p| p.contains('.')) {
            return None;
        }
        let mut c = Cursor { json, at: 0 };
        c.eat(b'{')?;
        if c.peek()? == b'}' {
            c.at += 1;
        } else {
            loop {
                let key = c.key()?;
                c.eat(b':')?;
                let rule = paths.iter().find_map(|p| match p.strip_suffix("[]") {
                    Some(k) if k.as_bytes() == key => Some(true),
                    None if p.as_bytes() == key => Some(false),
                    _ => None,
                });
                match rule {
                    Some(false) if !(c.peek()? == b'{' || c.null()) => return Some(false),
                    Some(true) if c.peek()? == b'[' => {
                        c.at += 1;
                        if c.peek()? == b']' {
                            c.at += 1;
                        } else {
                            loop {
                                if c.peek()? != b'{' {
                                    return Some(false);
                                }
                                c.skip_value()?;
                                if c.eat(b',').is_none() {
                                    c.eat(b']')?;
                                    break;
                                }
                            }
                        }
                    }
                    _ => c.skip_value()?,
                }
                if c.eat(b',').is_none() {
                    c.eat(b'}')?;
                    break;
                }
            }
        }
        c.ws();
        (c.at == json.len()).then_some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::{objects_at, starts_as_object};

    #[test]
    fn top_level_object_test_needs_no_parse() {
        assert!(starts_as_object(b" \n{\"a\":1}"));
        assert!(!starts_as_object(b"[\"x\"]"));
        assert!(!starts_as_object(b""));
        assert!(!starts_as_object(b"  7"));
    }

    #[test]
    fn arrays_in_place_of_objects_are_refused() {
        let paths = ["sigs[]", "inner"];
        assert!(objects_at(br#"{"sigs":[{"a":1}],"inner":{"b":2}}"#, &paths));
        assert!(objects_at(br#"{"sigs":[]}"#, &paths));
        assert!(!objects_at(br#"["x", []]"#, &paths));
        assert!(!objects_at(br#"{"sigs":[["a"]]}"#, &paths));
        assert!(!objects_at(br#"{"sigs":[null]}"#, &paths));
        assert!(!objects_at(br#"{"inner":[1]}"#, &paths));
    }

    #[test]
    fn the_scan_agrees_with_the_tree() {
        let paths = ["sigs[]", "inner"];
        let tree = |json: &[u8]| -> bool {
            let Ok(root) = serde_json::from_slice::<serde_json::Value>(json) else { return true };
            root.is_object() && paths.iter().all(|p| super::check(&root, &p.split('.').collect::<Vec<_>>()))
        };
        for json in [
            &br#"{"sigs":[{"a":"x\"}"},{"b":[1,{"c":null}]}],"inner":{"d":"]"},"e":-1.5e3,"f":true}"#[..],
            br#" { "sigs" : [ ] , "inner" : null } "#,
            br#"{"sigs":"not an array","inner":{}}"#,
            br#"{"sigs":[{}, 7],"inner":{}}"#,
            br#"{"sigs":[{}],"inner":[{}]}"#,
            br#"{"sigs":[{}],"inner":"x"}"#,
            br#"{"sigs":[{}],"inner":{}} trailing"#,
            br#"{"si\u0067s":[7]}"#,
            br#"{"sigs":[{}],"sigs":[7]}"#,
            br#"{}"#,
            br#"{"a":{"sigs":[7]}}"#,
        ] {
            if let Some(answer) = super::scan::objects_at(json, &paths) {
                assert_eq!(answer, tree(json), "{}", String::from_utf8_lossy(json));
            }
            assert_eq!(objects_at(json, &paths), tree(json), "{}", String::from_utf8_lossy(json));
        }
        assert_eq!(super::scan::objects_at(br#"{"sigs":[{"a":1}],"inner":{"b":2}}"#, &paths), Some(true));
    }
}
