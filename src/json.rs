//! Strict JSON (`docs/FORMAT.md` §1): RFC 8259 in UTF-8, no byte-order mark, nothing but
//! whitespace after the value, nesting at most `MAX_DEPTH` deep. The parser builds a small tree
//! whose strings borrow from the input unless they hold escapes; the schema readers below then
//! refuse unknown, repeated and missing members, wrong types, and integers that are not plain
//! non-negative decimals below 2^64 (`1.0`, `1e0`, `-0`, `"1"`).
//!
//! A hand-written parser rather than serde + serde_json: the documents are four small fixed
//! schemas, and serde's generated code (with float formatting) was about a third of the app's
//! wasm module and most of a cold 3000-file verification.

use std::borrow::Cow;

/// Deepest nesting accepted (serde_json's default recursion limit was the same).
const MAX_DEPTH: usize = 128;

/// A parsed JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    Null,
    Bool(bool),
    /// `Some` for a non-negative integer written without sign, fraction or exponent that fits
    /// in 64 bits; `None` for every other valid number.
    Number(Option<u64>),
    String(Cow<'a, str>),
    Array(Vec<Value<'a>>),
    /// Members in document order, repeats kept (the schema readers refuse them).
    Object(Vec<(Cow<'a, str>, Value<'a>)>),
}

impl Value<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

/// Zeroizes every string the parser copied out of the input (borrowed ones are the caller's).
pub(crate) fn wipe(value: &mut Value<'_>) {
    match value {
        Value::String(Cow::Owned(s)) => zeroize::Zeroize::zeroize(s),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(members) => {
            for (key, v) in members {
                if let Cow::Owned(k) = key {
                    zeroize::Zeroize::zeroize(k);
                }
                wipe(v);
            }
        }
        _ => {}
    }
}

/// Parses a whole document. The error says what and where (byte offset), never quoting input.
pub(crate) fn parse(json: &[u8]) -> Result<Value<'_>, String> {
    let text = std::str::from_utf8(json).map_err(|e| format!("not UTF-8 at byte {}", e.valid_up_to()))?;
    let mut p = Parser { text, bytes: json, at: 0 };
    let value = p.value(0)?;
    p.ws();
    if p.at != json.len() {
        return Err(p.error("data after the JSON value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, what: &str) -> String {
        format!("invalid JSON at byte {}: {what}", self.at)
    }

    fn ws(&mut self) {
        while matches!(self.bytes.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.bytes.get(self.at).copied()
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), String> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value<'a>, String> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("unexpected end of input")),
        }
    }

    fn literal(&mut self, word: &str, value: Value<'a>) -> Result<Value<'a>, String> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value<'a>, String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.at += 1;
        let mut members = Vec::new();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Value::Object(members));
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a member name"));
            }
            let key = self.string()?;
            self.expect(b':', "expected ':'")?;
            let value = self.value(depth)?;
            members.push((key, value));
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value<'a>, String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.at += 1;
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    /// A string at `self.at` (its opening quote): borrowed when it has no escape.
    fn string(&mut self) -> Result<Cow<'a, str>, String> {
        self.at += 1;
        let start = self.at;
        // The common case: no escape before the closing quote.
        let Some(len) = self.bytes[start..].iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20) else {
            return Err(self.error("unterminated string"));
        };
        self.at = start + len;
        if self.bytes[self.at] == b'"' {
            self.at += 1;
            // Both ends sit on ASCII bytes of valid UTF-8, so this slice is whole characters.
            return Ok(Cow::Borrowed(&self.text[start..start + len]));
        }
        let mut out = String::from(&self.text[start..self.at]);
        loop {
            let Some(&c) = self.bytes.get(self.at) else {
                return Err(self.error("unterminated string"));
            };
            match c {
                b'"' => {
                    self.at += 1;
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    self.at += 1;
                    let Some(&e) = self.bytes.get(self.at) else {
                        return Err(self.error("unterminated string"));
                    };
                    self.at += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(self.error("invalid escape")),
                    }
                }
                0..=0x1f => return Err(self.error("control character in a string")),
                _ => {
                    // Copy the run up to the next quote, escape or control character.
                    let run = self.bytes[self.at..].iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
                    let end = run.map_or(self.bytes.len(), |n| self.at + n);
                    out.push_str(&self.text[self.at..end]);
                    self.at = end;
                }
            }
        }
    }

    /// The character of a `\uXXXX` escape (after the `u`), pairing surrogates; a lone
    /// surrogate is refused.
    fn unicode_escape(&mut self) -> Result<char, String> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.bytes[self.at..].starts_with(b"\\u") {
                    return Err(self.error("lone surrogate in a \\u escape"));
                }
                self.at += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("lone surrogate in a \\u escape"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("lone surrogate in a \\u escape")),
            _ => first,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self.bytes.get(self.at..self.at + 4).ok_or_else(|| self.error("invalid \\u escape"))?;
        let mut n = 0;
        for &d in digits {
            let v = (d as char).to_digit(16).ok_or_else(|| self.error("invalid \\u escape"))?;
            n = n * 16 + v;
        }
        self.at += 4;
        Ok(n)
    }

    fn digits(&mut self) -> usize {
        let n = self.bytes[self.at..].iter().take_while(|c| c.is_ascii_digit()).count();
        self.at += n;
        n
    }

    fn number(&mut self) -> Result<Value<'a>, String> {
        let start = self.at;
        let negative = self.bytes[self.at] == b'-';
        if negative {
            self.at += 1;
        }
        let int_start = self.at;
        let int_len = self.digits();
        if int_len == 0 || (int_len > 1 && self.bytes[int_start] == b'0') {
            self.at = start;
            return Err(self.error("invalid number"));
        }
        let mut plain = !negative;
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            plain = false;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if matches!(self.bytes.get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            plain = false;
            if matches!(self.bytes.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        let int = if plain { self.text[int_start..int_start + int_len].parse::<u64>().ok() } else { None };
        if int.is_none() && beyond_f64(&self.bytes[int_start..self.at]) {
            self.at = start;
            return Err(self.error("number out of range"));
        }
        Ok(Value::Number(int))
    }
}

/// Decimal digits of 2^1024 - 2^970, the midpoint between `f64::MAX` and 2^1024: a number at or
/// above it rounds to infinity.
const F64_OVERFLOW_DIGITS: &[u8] = b"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792";

/// Whether a number (its text without the sign) is too large for an `f64`: such numbers are
/// refused, as serde_json (which parsed these documents before) refused them, so the same
/// texts stay valid JSON to otaseal.
fn beyond_f64(text: &[u8]) -> bool {
    let (mantissa, exponent) = match text.iter().position(|c| matches!(c, b'e' | b'E')) {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, &b""[..]),
    };
    let (int, frac) = match mantissa.iter().position(|&c| c == b'.') {
        Some(at) => (&mantissa[..at], &mantissa[at + 1..]),
        None => (mantissa, &b""[..]),
    };
    let all = || int.iter().chain(frac).copied();
    let leading_zeros = all().take_while(|&d| d == b'0').count();
    let mut digits: Vec<u8> = all().skip(leading_zeros).collect();
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.is_empty() {
        return false;
    }
    // value = 0.digits × 10^(magnitude + exponent)
    let magnitude = int.len() as i64 - leading_zeros as i64;
    let (negative, exp_digits) = match exponent.first() {
        Some(b'-') => (true, &exponent[1..]),
        Some(b'+') => (false, &exponent[1..]),
        _ => (false, exponent),
    };
    let exp =
        exp_digits.iter().fold(0i64, |n, d| n.saturating_mul(10).saturating_add(i64::from(d - b'0')).min(1 << 40));
    let power = magnitude + if negative { -exp } else { exp };
    power > 309 || (power == 309 && digits.as_slice() >= F64_OVERFLOW_DIGITS)
}

/// The members of one schema object, looked up by name: built by [`members`], which has already
/// refused unknown and repeated members.
pub(crate) struct Members<'v, 'a, const N: usize> {
    what: &'static str,
    names: [&'static str; N],
    slots: [Option<&'v Value<'a>>; N],
}

/// Checks that `value` is an object whose members are all among `names`, none repeated.
/// `what` names the object in messages ("the manifest", "bundle", "files[3]").
pub(crate) fn members<'v, 'a, const N: usize>(
    value: &'v Value<'a>,
    what: &'static str,
    names: [&'static str; N],
) -> Result<Members<'v, 'a, N>, String> {
    let Value::Object(list) = value else {
        return Err(format!("{what} must be a JSON object, not {}", value.kind()));
    };
    let mut slots = [None; N];
    for (key, v) in list {
        let Some(i) = names.iter().position(|n| *n == key.as_ref()) else {
            return Err(format!("unknown member {key:?} in {what}"));
        };
        if slots[i].replace(v).is_some() {
            return Err(format!("member {key:?} appears twice in {what}"));
        }
    }
    Ok(Members { what, names, slots })
}

impl<'v, 'a, const N: usize> Members<'v, 'a, N> {
    fn slot(&self, name: &str) -> Option<&'v Value<'a>> {
        self.names.iter().position(|n| *n == name).and_then(|i| self.slots[i])
    }

    /// A required member.
    pub(crate) fn required(&self, name: &str) -> Result<&'v Value<'a>, String> {
        self.slot(name).ok_or_else(|| format!("missing member {name:?} in {}", self.what))
    }

    /// A member that may be absent (but not `null`, which its reader then refuses).
    pub(crate) fn present(&self, name: &str) -> Option<&'v Value<'a>> {
        self.slot(name)
    }

    /// An optional member: absent and `null` are both `None`.
    pub(crate) fn optional(&self, name: &str) -> Option<&'v Value<'a>> {
        self.slot(name).filter(|v| **v != Value::Null)
    }

    pub(crate) fn string(&self, name: &str) -> Result<&'v str, String> {
        as_string(self.required(name)?, name)
    }

    pub(crate) fn optional_string(&self, name: &str) -> Result<Option<&'v str>, String> {
        self.optional(name).map(|v| as_string(v, name)).transpose()
    }

    pub(crate) fn integer(&self, name: &str) -> Result<u64, String> {
        as_integer(self.required(name)?, name)
    }

    pub(crate) fn optional_integer(&self, name: &str) -> Result<Option<u64>, String> {
        self.optional(name).map(|v| as_integer(v, name)).transpose()
    }

    pub(crate) fn array(&self, name: &str) -> Result<&'v [Value<'a>], String> {
        match self.required(name)? {
            Value::Array(items) => Ok(items),
            other => Err(format!("{name} must be an array, not {}", other.kind())),
        }
    }
}

pub(crate) fn as_string<'v>(value: &'v Value<'_>, name: &str) -> Result<&'v str, String> {
    match value {
        Value::String(s) => Ok(s),
        other => Err(format!("{name} must be a string, not {}", other.kind())),
    }
}

pub(crate) fn as_integer(value: &Value<'_>, name: &str) -> Result<u64, String> {
    match value {
        Value::Number(Some(n)) => Ok(*n),
        Value::Number(None) => Err(format!("{name} must be an integer 0..2^64-1 without sign, fraction or exponent")),
        other => Err(format!("{name} must be an integer, not {}", other.kind())),
    }
}

/// A JSON document writer for the sealer: compact, or pretty as serde_json wrote it (two-space
/// indent, `"name": value`), so documents sealed before this writer stay byte-identical.
pub(crate) struct Writer {
    out: String,
    pretty: bool,
    depth: usize,
    /// Whether the current container has an element yet.
    first: bool,
}

impl Writer {
    pub(crate) fn new(pretty: bool) -> Self {
        Writer { out: String::new(), pretty, depth: 0, first: true }
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }

    fn newline(&mut self) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..self.depth {
                self.out.push_str("  ");
            }
        }
    }

    /// Before an element of an array, or a member of an object.
    fn element(&mut self) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.newline();
    }

    fn open(&mut self, bracket: char) {
        self.out.push(bracket);
        self.depth += 1;
        self.first = true;
    }

    fn close(&mut self, bracket: char) {
        self.depth -= 1;
        if !self.first {
            self.newline();
        }
        self.out.push(bracket);
        self.first = false;
    }

    pub(crate) fn begin_object(&mut self) -> &mut Self {
        self.open('{');
        self
    }

    pub(crate) fn end_object(&mut self) -> &mut Self {
        self.close('}');
        self
    }

    pub(crate) fn begin_array(&mut self) -> &mut Self {
        self.open('[');
        self
    }

    pub(crate) fn end_array(&mut self) -> &mut Self {
        self.close(']');
        self
    }

    /// A member name; its value follows.
    pub(crate) fn key(&mut self, name: &str) -> &mut Self {
        self.element();
        self.quoted(name);
        self.out.push_str(if self.pretty { ": " } else { ":" });
        // The value is written next, without another separator.
        self.first = true;
        self
    }

    /// Before a value that is an array element (not after `key`).
    pub(crate) fn item(&mut self) -> &mut Self {
        self.element();
        self.first = true;
        self
    }

    pub(crate) fn string(&mut self, s: &str) -> &mut Self {
        self.quoted(s);
        self.first = false;
        self
    }

    pub(crate) fn integer(&mut self, n: u64) -> &mut Self {
        self.out.push_str(&n.to_string());
        self.first = false;
        self
    }

    pub(crate) fn null(&mut self) -> &mut Self {
        self.out.push_str("null");
        self.first = false;
        self
    }

    pub(crate) fn optional_string(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.string(s),
            None => self.null(),
        }
    }

    /// A string with `"`, `\` and control characters escaped as serde_json does.
    fn quoted(&mut self, s: &str) {
        self.out.push('"');
        // Nearly every string (paths, hex, versions) needs no escape: copied whole.
        if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
            self.out.push_str(s);
            self.out.push('"');
            return;
        }
        for c in s.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                '\u{8}' => self.out.push_str("\\b"),
                '\u{c}' => self.out.push_str("\\f"),
                c if (c as u32) < 0x20 => self.out.push_str(&format!("\\u{:04x}", c as u32)),
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(json: &str) -> Value<'_> {
        parse(json.as_bytes()).unwrap_or_else(|e| panic!("{json}: {e}"))
    }

    #[test]
    fn parses_rfc_8259() {
        assert_eq!(ok(" {\"a\" : [1, true, null, \"x\"]} \n"), {
            Value::Object(vec![(
                "a".into(),
                Value::Array(vec![Value::Number(Some(1)), Value::Bool(true), Value::Null, Value::String("x".into())]),
            )])
        });
        assert_eq!(ok("18446744073709551615"), Value::Number(Some(u64::MAX)));
        for n in ["18446744073709551616", "1.0", "1e0", "1E+2", "-0", "-1", "0.5e-3"] {
            assert_eq!(ok(n), Value::Number(None), "{n}");
        }
        assert_eq!(
            ok(r#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00z""#),
            Value::String("a\"\\/\u{8}\u{c}\n\r\t\u{e9}😀z".into())
        );
        assert!(matches!(ok(r#""plain""#), Value::String(Cow::Borrowed("plain"))));
        assert_eq!(ok("\"\u{e9}\\n\u{e9}\""), Value::String("\u{e9}\n\u{e9}".into()));
    }

    #[test]
    fn refuses_what_rfc_8259_does_not_allow() {
        let deep_ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(deep_ok.as_bytes()).is_ok());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        for bad in [
            "",
            " ",
            "{",
            "}",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "01",
            "1.",
            ".5",
            "+1",
            "1e",
            "- 1",
            "tru",
            "nul",
            "True",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"a\tb\"",
            "\"unterminated",
            "{} {}",
            "[] x",
            "\u{feff}{}",
            "'a'",
            "NaN",
            "Infinity",
            &deep,
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad:?} accepted");
        }
        assert!(parse(b"\"\xff\"").is_err());
        assert!(parse(b"\"\xc3\"").is_err());
    }

    /// Our value as serde_json's, for comparison (integers as u64, other numbers dropped).
    fn same(ours: &Value<'_>, theirs: &serde_json::Value) -> bool {
        match (ours, theirs) {
            (Value::Null, serde_json::Value::Null) => true,
            (Value::Bool(a), serde_json::Value::Bool(b)) => a == b,
            (Value::Number(Some(a)), serde_json::Value::Number(b)) => {
                b.as_u64() == Some(*a) && !b.to_string().contains(['.', 'e', 'E', '-'])
            }
            (Value::Number(None), serde_json::Value::Number(_)) => true,
            (Value::String(a), serde_json::Value::String(b)) => a == b,
            (Value::Array(a), serde_json::Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
            }
            // serde_json keeps the last of repeated keys; compare each key's last value.
            (Value::Object(a), serde_json::Value::Object(b)) => {
                a.iter().all(|(k, _)| b.contains_key(k.as_ref()))
                    && b.iter().all(|(k, v)| a.iter().rev().find(|(x, _)| x == k).is_some_and(|(_, x)| same(x, v)))
            }
            _ => false,
        }
    }

    /// Differential against serde_json on mutated documents: the same texts are accepted, and
    /// accepted texts give the same values.
    #[test]
    fn agrees_with_serde_json_on_mutated_documents() {
        let seeds: [&[u8]; 4] = [
            br#"{"a":[1,2.5,-3,1e9,true,false,null],"b":{"c":"d\u00e9\n","e":[]},"f":"\ud83d\ude00"}"#,
            br#"[{"path":"index.html","size":12,"sha256":"00"},{"x":18446744073709551615}]"#,
            b" { \"k\" : \"v\" , \"k\" : 0 } ",
            br#""\\\"\/\b\f\r\t""#,
        ];
        let alphabet = b"{}[]:,\"\\ 0123456789-+.eEtrufalsn\t\nu\xc3\xa9";
        let mut seed = 99u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 8) as usize
        };
        let mut accepted = 0;
        for round in 0..60_000 {
            let mut doc = seeds[round % seeds.len()].to_vec();
            for _ in 0..1 + next() % 3 {
                let at = next() % (doc.len() + 1);
                match next() % 3 {
                    0 if at < doc.len() => {
                        doc.remove(at);
                    }
                    1 if at < doc.len() => doc[at] = alphabet[next() % alphabet.len()],
                    _ => doc.insert(at, alphabet[next() % alphabet.len()]),
                }
            }
            let ours = parse(&doc);
            let theirs = serde_json::from_slice::<serde_json::Value>(&doc);
            assert_eq!(
                ours.is_ok(),
                theirs.is_ok(),
                "{:?}: ours {:?}",
                String::from_utf8_lossy(&doc),
                ours.as_ref().err()
            );
            if let (Ok(a), Ok(b)) = (&ours, &theirs) {
                accepted += 1;
                assert!(same(a, b), "{:?}", String::from_utf8_lossy(&doc));
            }
        }
        assert!(accepted > 1000, "only {accepted} mutants parsed: the test would not notice much");
    }

    #[test]
    fn numbers_beyond_f64_are_refused_as_serde_json_refused_them() {
        // Clear of the boundary, the same answers as serde_json (whose default float parsing is
        // not correctly rounded within an ulp of f64::MAX, so the boundary is ours alone).
        for n in [
            "1.7976931348623157e308",
            "1.797693134862316e308",
            "1e309",
            "-1e309",
            "0.1e310",
            "10e308",
            "1e308",
            "0e999999",
            "1e-999999",
            "0.000e400",
            "1e99999999999999999999999",
            "-0.0",
            "123456789012345678901234567890",
        ] {
            let theirs = serde_json::from_str::<serde_json::Value>(n).is_ok();
            assert_eq!(parse(n.as_bytes()).is_ok(), theirs, "{n}");
        }
        // At the boundary: everything below the midpoint between f64::MAX and 2^1024 rounds to
        // a finite f64; the midpoint and above round to infinity.
        assert!(parse(b"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791").is_ok());
        assert!(parse(b"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791.999999e0").is_ok());
        assert!(parse(b"0.179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792e309").is_err());
        assert!(parse(b"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792").is_err());
    }

    #[test]
    fn members_are_checked_against_the_schema() {
        let v = ok(r#"{"a":"x","b":7,"c":null}"#);
        let m = members(&v, "thing", ["a", "b", "c", "d"]).unwrap();
        assert_eq!(m.string("a").unwrap(), "x");
        assert_eq!(m.integer("b").unwrap(), 7);
        assert_eq!(m.optional_string("c").unwrap(), None);
        assert_eq!(m.optional_integer("d").unwrap(), None);
        assert!(m.string("b").is_err());
        assert!(m.integer("a").is_err());
        assert!(m.string("d").unwrap_err().contains("missing"));
        assert!(members(&v, "thing", ["a", "b"]).err().unwrap().contains("unknown member \"c\""));
        let twice = ok(r#"{"a":1,"\u0061":2}"#);
        assert!(members(&twice, "thing", ["a"]).err().unwrap().contains("twice"));
        assert!(members(&ok("[1]"), "thing", ["a"]).err().unwrap().contains("must be a JSON object"));
        let n = ok(r#"{"a":1.0,"b":-0,"c":"1"}"#);
        let m = members(&n, "thing", ["a", "b", "c"]).unwrap();
        for name in ["a", "b", "c"] {
            assert!(m.integer(name).is_err(), "{name}");
        }
    }

    #[test]
    fn the_writer_matches_serde_json_layout() {
        let mut w = Writer::new(true);
        w.begin_object().key("a").string("x\"\n\u{1}é").key("list").begin_array();
        w.item().begin_object().key("n").integer(5).key("z").null().end_object();
        w.end_array().key("empty").begin_array().end_array().end_object();
        assert_eq!(
            w.finish(),
            "{\n  \"a\": \"x\\\"\\n\\u0001é\",\n  \"list\": [\n    {\n      \"n\": 5,\n      \"z\": null\n    }\n  ],\n  \"empty\": []\n}"
        );
        let mut w = Writer::new(false);
        w.begin_object().key("a").begin_array().item().string("b").item().integer(1).end_array().end_object();
        assert_eq!(w.finish(), r#"{"a":["b",1]}"#);
        // What the writer writes, the parser reads back.
        let mut w = Writer::new(true);
        w.begin_object().key("s").string("\u{0}\u{1f}\"\\/\u{7f}").end_object();
        let text = w.finish();
        let v = ok(&text);
        assert_eq!(members(&v, "t", ["s"]).unwrap().string("s").unwrap(), "\u{0}\u{1f}\"\\/\u{7f}");
    }
}
