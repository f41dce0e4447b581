//! Strict JSON shape: serde's derived structs also accept a JSON *array* of the field values
//! in order. The format allows one spelling only, so objects are required where the schema
//! has objects, before the typed parse.

use serde_json::Value;

/// True when `json` is an object and every value at `paths` is an object. A path is a chain
/// of keys separated by `.`; a key ending in `[]` means "each element of this array". Absent
/// or null values are left to the typed parse.
pub(crate) fn objects_at(json: &[u8], paths: &[&str]) -> bool {
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
}
