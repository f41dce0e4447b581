//! The install profile (`docs/FORMAT.md` §6): a zip is accepted only if every native installer
//! otaseal hands it to installs exactly the manifest's files at the manifest's paths. Crafted
//! zips written record by record for every rule and code, false-reject regressions (directory
//! entries, data descriptors, `./`, UTF-8 names), and real tools' zips through `seal ZIP`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use otaseal::archive::{check_file_set, read_input_zip, ArchivePath};
use otaseal::limits::Limits;
use otaseal::open;
use otaseal::seal;

const INDEX: &[u8] = b"<!doctype html><script src=app.js></script>\n";

fn paths(list: &[&str]) -> Vec<ArchivePath> {
    list.iter().map(|p| ArchivePath::new(p, 512).expect(p)).collect()
}

fn set_code(list: &[&str]) -> &'static str {
    code(check_file_set(&paths(list)))
}

fn path_code(p: &str) -> &'static str {
    code(ArchivePath::new(p, 4096))
}

/// Seals `files` and opens the release: the code, or "OK" with exactly the files.
fn seal_and_open(files: Vec<(ArchivePath, Vec<u8>)>) -> &'static str {
    let sealed = match seal::seal(&files, &info("2.0.0"), None, &[&signing_key(1)], &Limits::default()) {
        Ok(s) => s,
        Err(e) => return e.code(),
    };
    let opened = open_with(&sealed.envelope.to_json(), &sealed.bundle, 100).expect("a sealed release opens");
    let got: BTreeMap<String, Vec<u8>> = opened.into_iter().map(|f| (f.path, f.data)).collect();
    let want: BTreeMap<String, Vec<u8>> = files.into_iter().map(|(p, d)| (p.to_string(), d)).collect();
    assert_eq!(got, want);
    "OK"
}

/// A release whose manifest lists `files` around raw zip bytes: the opener's code.
fn open_zip(entries: &[RawEntry], files: Vec<(&str, &[u8])>) -> &'static str {
    let zip = raw_zip(entries, b"", b"");
    let env = envelope_for_raw_zip(&zip, files);
    code(open_with(&env, &zip, 7))
}

fn host(made_by_host: u16) -> u16 {
    (made_by_host << 8) | 30
}

#[test]
fn type_bits_are_checked_for_every_made_by_host() {
    let app = b"console.log(1)" as &[u8];
    // Hosts 0-19 (APPNOTE 4.4.2.2), and values beyond: the rule does not depend on the host.
    for h in (0..=19).chain([20, 30, 63, 255]) {
        let with = |external: u32| {
            open_zip(
                &[
                    RawEntry { made_by: host(h), external, ..RawEntry::stored("index.html", INDEX) },
                    RawEntry::stored("app.js", app),
                ],
                vec![("index.html", INDEX), ("app.js", app)],
            )
        };
        assert_eq!(with(0o120_777 << 16), "ZIP_SYMLINK", "host {h}");
        assert_eq!(with(0o040_755 << 16), "ZIP_NOT_A_FILE", "host {h}");
        assert_eq!(with(0o010_644 << 16), "ZIP_NOT_A_FILE", "host {h}");
        assert_eq!(with(0o060_644 << 16), "ZIP_NOT_A_FILE", "host {h}");
        assert_eq!(with(0o140_644 << 16), "ZIP_NOT_A_FILE", "host {h}");
        assert_eq!(with(0o100_200 << 16), "ZIP_FILE_MODE", "host {h}");
        assert_eq!(with(0o000_200 << 16), "ZIP_FILE_MODE", "host {h}");
        assert_eq!(with(0x10), "ZIP_NOT_A_FILE", "host {h}");
        assert_eq!(with(0x08), "ZIP_NOT_A_FILE", "host {h}");
        assert_eq!(with(0x400), "ZIP_SYMLINK", "host {h}");
        // What ordinary tools write.
        for ok in [0, 0x20, 0x01, 0o100_644 << 16, (0o100_755 << 16) | 0x20, 0o100_000 << 16, 0o100_400 << 16] {
            assert_eq!(with(ok), "OK", "host {h}, external {ok:#x}");
        }
    }
}

#[test]
fn file_and_folder_prefix_conflicts_are_refused() {
    assert_eq!(set_code(&["index.html", "lib.js", "lib.js/x.js"]), "PATH_PREFIX_CONFLICT");
    assert_eq!(set_code(&["index.html", "lib.js/x.js", "lib.js"]), "PATH_PREFIX_CONFLICT");
    assert_eq!(set_code(&["index.html", "LIB.JS", "lib.js/x.js"]), "PATH_PREFIX_CONFLICT");
    assert_eq!(set_code(&["index.html", "a/b", "a/b/c/d.js"]), "PATH_PREFIX_CONFLICT");
    assert_eq!(set_code(&["index.html", "\u{e9}", "\u{c9}/x.js"]), "PATH_PREFIX_CONFLICT");
    assert_eq!(set_code(&["index.html", "lib.js", "lib.jsx/x.js", "lib/x.js"]), "OK");
    // Through the writer (seal) and the verifier (a manifest signed by someone else's tool).
    let files = vec![
        (ArchivePath::new("index.html", 512).unwrap(), INDEX.to_vec()),
        (ArchivePath::new("lib.js", 512).unwrap(), b"a".to_vec()),
        (ArchivePath::new("lib.js/x.js", 512).unwrap(), b"b".to_vec()),
    ];
    assert_eq!(seal_and_open(files), "PATH_PREFIX_CONFLICT");
    let env = envelope_for_raw_zip(b"zip", vec![("index.html", INDEX), ("lib.js", b"a"), ("lib.js/x.js", b"b")]);
    assert_eq!(
        code(open::verify_release(env.as_bytes(), &trust(), &policy(), &Limits::default())),
        "PATH_PREFIX_CONFLICT"
    );
}

#[test]
fn components_over_255_bytes_are_refused() {
    let at_limit = "a".repeat(255);
    let over = "a".repeat(256);
    assert_eq!(path_code(&at_limit), "OK");
    assert_eq!(path_code(&over), "PATH_COMPONENT_TOO_LONG");
    assert_eq!(path_code(&format!("assets/{over}/x.js")), "PATH_COMPONENT_TOO_LONG");
    // 85 three-byte characters are 255 bytes; 86 are 258.
    assert_eq!(path_code(&"\u{20ac}".repeat(85)), "OK");
    assert_eq!(path_code(&"\u{20ac}".repeat(86)), "PATH_COMPONENT_TOO_LONG");
    let app = b"x" as &[u8];
    assert_eq!(
        open_zip(
            &[RawEntry::stored("index.html", INDEX), RawEntry::stored(&over, app)],
            vec![("index.html", INDEX), ("app.js", app)]
        ),
        "PATH_COMPONENT_TOO_LONG"
    );
}

/// A fixed-Huffman deflate stream writer, bit by bit (RFC 1951 §3.2.6), for crafted streams.
struct Bits {
    out: Vec<u8>,
    acc: u32,
    n: u32,
}

impl Bits {
    fn new() -> Self {
        Bits { out: Vec::new(), acc: 0, n: 0 }
    }
    fn bits(&mut self, value: u32, count: u32) {
        for i in 0..count {
            self.acc |= ((value >> i) & 1) << self.n;
            self.n += 1;
            if self.n == 8 {
                self.out.push(self.acc as u8);
                self.acc = 0;
                self.n = 0;
            }
        }
    }
    fn huffman(&mut self, code: u32, count: u32) {
        for i in (0..count).rev() {
            self.bits((code >> i) & 1, 1);
        }
    }
    fn symbol(&mut self, sym: u32) {
        match sym {
            0..=143 => self.huffman(0x30 + sym, 8),
            144..=255 => self.huffman(0x190 + sym - 144, 9),
            256..=279 => self.huffman(sym - 256, 7),
            _ => self.huffman(0xC0 + sym - 280, 8),
        }
    }
    /// A stored block of `data` (final or not), byte-aligned.
    fn stored(&mut self, data: &[u8], last: bool) {
        self.bits(u32::from(last), 1);
        self.bits(0, 2);
        if self.n > 0 {
            self.bits(0, 8 - self.n);
        }
        let len = data.len() as u16;
        self.out.extend_from_slice(&len.to_le_bytes());
        self.out.extend_from_slice(&(!len).to_le_bytes());
        self.out.extend_from_slice(data);
    }
    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// Distance codes (RFC 1951 §3.2.5): base and extra bits.
const DIST: [(u32, u32); 30] = [
    (1, 0),
    (2, 0),
    (3, 0),
    (4, 0),
    (5, 1),
    (7, 1),
    (9, 2),
    (13, 2),
    (17, 3),
    (25, 3),
    (33, 4),
    (49, 4),
    (65, 5),
    (97, 5),
    (129, 6),
    (193, 6),
    (257, 7),
    (385, 7),
    (513, 8),
    (769, 8),
    (1025, 9),
    (1537, 9),
    (2049, 10),
    (3073, 10),
    (4097, 11),
    (6145, 11),
    (8193, 12),
    (12289, 12),
    (16385, 13),
    (24577, 13),
];

fn distance(w: &mut Bits, d: u32) {
    let i = DIST.iter().rposition(|(base, _)| d >= *base).expect("distance");
    w.huffman(i as u32, 5);
    w.bits(d - DIST[i].0, DIST[i].1);
}

/// `prefix` as a stored block, then a fixed block with one 3-byte match at `dist`.
fn stream_with_match(prefix: &[u8], dist: u32) -> Vec<u8> {
    let mut w = Bits::new();
    if !prefix.is_empty() {
        w.stored(prefix, false);
    }
    w.bits(1, 1);
    w.bits(1, 2);
    w.symbol(257);
    distance(&mut w, dist);
    w.symbol(256);
    w.finish()
}

/// What a zero-filled 32 KiB window gives for `stream_with_match`.
fn zero_filled(prefix: &[u8], dist: usize) -> Vec<u8> {
    let mut out = prefix.to_vec();
    for _ in 0..3 {
        let from = out.len() as isize - dist as isize;
        out.push(if from < 0 { 0 } else { out[from as usize] });
    }
    out
}

fn deflated_entry(name: &str, content: &[u8], body: Vec<u8>) -> RawEntry {
    RawEntry { method: 8, csize: body.len() as u32, body, ..RawEntry::stored(name, content) }
}

#[test]
fn deflate_is_decoded_as_zlib_decodes_it() {
    // Too far back, at the start and just below the 32 KiB window; exactly reaching byte 0 is fine.
    let big: Vec<u8> = (0..40_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let cases: Vec<(Vec<u8>, u32, &str)> = vec![
        (Vec::new(), 1, "ZIP_INFLATE_FAILED"),
        (b"a".to_vec(), 2, "ZIP_INFLATE_FAILED"),
        (b"ab".to_vec(), 2, "OK"),
        (b"abc".to_vec(), 3, "OK"),
        (big[..1000].to_vec(), 1001, "ZIP_INFLATE_FAILED"),
        (big[..1000].to_vec(), 1000, "OK"),
        (big[..32_000].to_vec(), 32_001, "ZIP_INFLATE_FAILED"),
        (big[..32_768].to_vec(), 32_768, "OK"),
        (big[..40_000].to_vec(), 32_768, "OK"),
    ];
    for (prefix, dist, want) in cases {
        let body = stream_with_match(&prefix, dist);
        let content = zero_filled(&prefix, dist as usize);
        for chunk in [1, 5, 4096, usize::MAX] {
            let zip = raw_zip(
                &[RawEntry::stored("index.html", INDEX), deflated_entry("app.js", &content, body.clone())],
                b"",
                b"",
            );
            let env = envelope_for_raw_zip(&zip, vec![("index.html", INDEX), ("app.js", &content)]);
            assert_eq!(code(open_with(&env, &zip, chunk)), want, "prefix {} dist {dist} chunk {chunk}", prefix.len());
            // seal ZIP decodes the same way.
            let input = code(read_input_zip(&zip, &Limits::default()));
            assert_eq!(input, want, "input reader: prefix {} dist {dist}", prefix.len());
        }
    }
    // zlib refuses these too: distance codes 30 and 31, length codes 286 and 287 in a fixed
    // block, a stored block whose NLEN is not the complement of LEN.
    let mut bad = Vec::new();
    for (sym, dcode) in [(257, Some(30)), (257, Some(31)), (286, None), (287, None)] {
        let mut w = Bits::new();
        w.bits(1, 1);
        w.bits(1, 2);
        w.symbol(u32::from(b'a'));
        w.symbol(sym);
        if let Some(d) = dcode {
            w.huffman(d, 5);
        }
        w.symbol(256);
        bad.push(w.finish());
    }
    bad.push(vec![0x01, 0x01, 0x00, 0x00, 0x00, b'a']);
    for body in bad {
        let content = b"aaaa";
        let zip = raw_zip(
            &[RawEntry::stored("index.html", INDEX), deflated_entry("app.js", content, body.clone())],
            b"",
            b"",
        );
        let env = envelope_for_raw_zip(&zip, vec![("index.html", INDEX), ("app.js", content)]);
        assert_eq!(code(open_with(&env, &zip, 3)), "ZIP_INFLATE_FAILED", "{body:02x?}");
        assert_eq!(code(read_input_zip(&zip, &Limits::default())), "ZIP_INFLATE_FAILED", "{body:02x?}");
    }
}

#[test]
fn layouts_that_a_native_installer_would_re_root_are_refused() {
    // Android flattenAssets: re-roots when exactly one name not starting with '.' or __MACOSX is
    // left and it is not index.html; iOS unflatFolder: when the root holds exactly one entry, a
    // folder, and no index.html; Capawesome: installs the first folder holding index.html. So
    // the root must hold a file named exactly index.html.
    for ok in [
        &["index.html"][..],
        &["index.html", ".nojekyll"],
        &["index.html", "assets/app.js"],
        &["index.html", "dist/index.html"],
    ] {
        assert_eq!(set_code(ok), "OK", "{ok:?}");
    }
    for bad in [
        &["dist/index.html", "dist/app.js"][..],
        &["dist/index.html", ".DS_Store"],
        &["dist/index.html", ".well-known/x"],
        &["app.js"],
        &["www/app.js", ".hidden/x"],
        &[".env"],
        // Capawesome's root search (any folder holding an entry named exactly index.html, the
        // first in listing order) fails or picks a folder by listing order without one.
        &["app.js", "style.css"],
        &["a/index.html", "b/x.js"],
        &["Index.html", "app/index.html"],
        &["index.html/x.js"],
    ] {
        assert_eq!(set_code(bad), "LAYOUT_REROOTED", "{bad:?}");
    }
    assert_eq!(path_code("__MACOSX/._index.html"), "PATH_RESERVED");
    assert_eq!(path_code("__MACOSX"), "PATH_RESERVED");
    assert_eq!(path_code("__macosx_x/a"), "PATH_RESERVED");
    assert_eq!(path_code("assets/__MACOSX"), "OK");
    // The manifest and the writer apply it.
    let env = envelope_for_raw_zip(b"zip", vec![("dist/index.html", INDEX), ("dist/app.js", b"x")]);
    assert_eq!(code(open::verify_release(env.as_bytes(), &trust(), &policy(), &Limits::default())), "LAYOUT_REROOTED");
    let files = vec![(ArchivePath::new("main.js", 512).unwrap(), b"x".to_vec())];
    assert_eq!(seal_and_open(files), "LAYOUT_REROOTED");
}

#[test]
fn utf8_names_nfc_and_unicode_collisions() {
    let font = b"wOF2-font" as &[u8];
    let name = "fonts/Schrift-\u{fc}.woff2";
    // Accepted with the flag, in NFC.
    assert_eq!(
        open_zip(
            &[RawEntry::stored("index.html", INDEX), RawEntry::stored(name, font)],
            vec![("index.html", INDEX), (name, font)]
        ),
        "OK"
    );
    // Without the flag: CP437 to ZIPFoundation and Python, UTF-8 to Java.
    assert_eq!(
        open_zip(
            &[RawEntry::stored("index.html", INDEX), RawEntry { flags: 0, ..RawEntry::stored(name, font) }],
            vec![("index.html", INDEX), (name, font)]
        ),
        "PATH_NOT_UTF8"
    );
    // Flagged UTF-8, but made on MS-DOS (0) or OS/2 HPFS (6): Info-ZIP unzip converts the name
    // from the OEM code page anyway. Other hosts (here 11, NTFS) keep it.
    for (host, want) in [(0u16, "PATH_NOT_UTF8"), (6, "PATH_NOT_UTF8"), (11, "OK"), (19, "OK")] {
        let entry = RawEntry { made_by: (host << 8) | 0x14, external: 0, ..RawEntry::stored(name, font) };
        let got = open_zip(&[RawEntry::stored("index.html", INDEX), entry], vec![("index.html", INDEX), (name, font)]);
        assert_eq!(got, want, "made-by host {host}");
    }
    // ASCII names from those hosts are fine.
    let ascii = RawEntry { made_by: 0x0014, external: 0, ..RawEntry::stored("app.js", font) };
    assert_eq!(
        open_zip(&[RawEntry::stored("index.html", INDEX), ascii], vec![("index.html", INDEX), ("app.js", font)]),
        "OK"
    );
    // Not UTF-8 at all.
    let mut latin1 = RawEntry::stored("index.html", INDEX);
    latin1.name = b"caf\xe9.js".to_vec();
    assert_eq!(open_zip(&[latin1], vec![("index.html", INDEX)]), "PATH_NOT_UTF8");
    // Decomposed.
    assert_eq!(path_code("Schrift-u\u{308}.woff2"), "PATH_NOT_NFC");
    assert_eq!(path_code("\u{212b}"), "PATH_NOT_NFC");
    assert_eq!(path_code("\u{1100}\u{1161}"), "PATH_NOT_NFC");
    assert_eq!(path_code("\u{ac00}"), "OK");
    // Collisions under case folding and normalisation (APFS, HFS+, NTFS).
    for (a, b) in [
        ("\u{e9}.js", "\u{c9}.js"),
        ("\u{131}ndex.html", "index.html"),
        ("stra\u{df}e.js", "STRASSE.js"),
        ("\u{3c2}.js", "\u{3a3}.js"),
        ("\u{17f}.js", "s.js"),
        ("\u{1e9e}.js", "ss.js"),
        ("\u{3a9}.js", "\u{2126}.js".chars().collect::<String>().as_str()),
    ] {
        if ArchivePath::new(b, 512).is_err() {
            continue; // not NFC: refused on its own
        }
        assert_eq!(set_code(&["index.html", a, b]), "MANIFEST_DUPLICATE_PATH", "{a} {b}");
    }
    assert_eq!(
        open_zip(
            &[
                RawEntry::stored("index.html", INDEX),
                RawEntry::stored("\u{e9}.js", font),
                RawEntry::stored("\u{c9}.js", font)
            ],
            vec![("index.html", INDEX), ("\u{e9}.js", font)]
        ),
        "ZIP_CASE_COLLISION"
    );
    // Invisible characters.
    for p in ["app\u{200b}.js", "\u{feff}index.html", "a\u{202e}sj.exe", "x\u{ad}.js", "e\u{fe0f}.js"] {
        assert_eq!(path_code(p), "PATH_INVALID", "{p:?}");
    }
    // seal DIR / seal ZIP: the same names round-trip.
    let files = vec![
        (ArchivePath::new("index.html", 512).unwrap(), INDEX.to_vec()),
        (ArchivePath::new(name, 512).unwrap(), font.to_vec()),
        (ArchivePath::new("\u{65e5}\u{672c}/\u{8a9e}.js", 512).unwrap(), b"1".to_vec()),
    ];
    assert_eq!(seal_and_open(files), "OK");
}

#[test]
fn files_mode_manifest_paths_obey_the_same_rules() {
    // Capgo's files (delta) mode writes each manifest path itself: the manifest is the whole
    // contract, so step 6 refuses what the zip reader would.
    let verify = |files: Vec<(&str, &[u8])>| {
        let env = envelope_for_raw_zip(b"zip", files);
        code(open::verify_release(env.as_bytes(), &trust(), &policy(), &Limits::default()))
    };
    let x = b"x" as &[u8];
    assert_eq!(verify(vec![("index.html", INDEX), ("lib.js", x), ("lib.js/a.js", x)]), "PATH_PREFIX_CONFLICT");
    assert_eq!(verify(vec![("index.html", INDEX), ("\u{e9}.js", x), ("\u{c9}.js", x)]), "MANIFEST_DUPLICATE_PATH");
    assert_eq!(verify(vec![("www/index.html", INDEX)]), "LAYOUT_REROOTED");
    assert_eq!(verify(vec![("index.html", INDEX), ("fonts/Schrift-\u{fc}.woff2", x)]), "OK");
    // Paths that ArchivePath refuses cannot even be put in a manifest by the test helper, so
    // write the JSON by hand for those.
    for (path, want) in [
        ("e\u{301}.js", "PATH_NOT_NFC"),
        (&*"a".repeat(256), "PATH_COMPONENT_TOO_LONG"),
        ("__MACOSX/x", "PATH_RESERVED"),
        ("a\u{200b}.js", "PATH_INVALID"),
    ] {
        let sealed = seal_with(vec![("index.html".into(), INDEX.to_vec()), ("b.js".into(), x.to_vec())], None);
        let env = resign_with(&sealed, |v| v["files"][0]["path"] = path.into());
        assert_eq!(verify_env(&env), want, "{path:?}");
    }
}

fn verify_env(env: &str) -> &'static str {
    code(open::verify_release(env.as_bytes(), &trust(), &policy(), &Limits::default()))
}

// ---- seal ZIP: the tolerant input reader ------------------------------------------------------

/// An input-zip entry written record by record: name, content, and what differs from a plain
/// stored entry.
#[derive(Clone)]
struct In {
    name: Vec<u8>,
    content: Vec<u8>,
    deflate: bool,
    descriptor: Option<bool>, // Some(with signature)
    local_extra: Vec<u8>,
    central_extra: Vec<u8>,
    comment: Vec<u8>,
    external: u32,
    flags: u16,
    made_by: u16,
    local_crc: Option<u32>,
    central_name: Option<Vec<u8>>,
}

impl In {
    fn new(name: &str, content: &[u8]) -> Self {
        In {
            name: name.as_bytes().to_vec(),
            content: content.to_vec(),
            deflate: false,
            descriptor: None,
            local_extra: Vec::new(),
            central_extra: Vec::new(),
            comment: Vec::new(),
            external: 0o100_644 << 16,
            flags: 0,
            made_by: 0x031E,
            local_crc: None,
            central_name: None,
        }
    }
    fn dir(name: &str) -> Self {
        In { external: (0o040_755 << 16) | 0x10, ..In::new(name, b"") }
    }
}

fn le16(v: u16) -> [u8; 2] {
    v.to_le_bytes()
}
fn le32(v: u32) -> [u8; 4] {
    v.to_le_bytes()
}

/// Writes an input zip; `comment` is the archive comment.
fn input_zip(entries: &[In], comment: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let body = if e.deflate { miniz_oxide::deflate::compress_to_vec(&e.content, 6) } else { e.content.clone() };
        let crc = crc32fast::hash(&e.content);
        let method: u16 = if e.deflate { 8 } else { 0 };
        let flags = e.flags | if e.descriptor.is_some() { 8 } else { 0 };
        let (lcrc, lc, lu) = if e.descriptor.is_some() {
            (0, 0, 0)
        } else {
            (e.local_crc.unwrap_or(crc), body.len() as u32, e.content.len() as u32)
        };
        out.extend_from_slice(&le32(0x0403_4b50));
        for v in [20, flags, method, 0, 0x21] {
            out.extend_from_slice(&le16(v));
        }
        for v in [lcrc, lc, lu] {
            out.extend_from_slice(&le32(v));
        }
        out.extend_from_slice(&le16(e.name.len() as u16));
        out.extend_from_slice(&le16(e.local_extra.len() as u16));
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&e.local_extra);
        out.extend_from_slice(&body);
        if let Some(sig) = e.descriptor {
            if sig {
                out.extend_from_slice(&le32(0x0807_4b50));
            }
            for v in [crc, body.len() as u32, e.content.len() as u32] {
                out.extend_from_slice(&le32(v));
            }
        }
        let cname = e.central_name.clone().unwrap_or_else(|| e.name.clone());
        central.extend_from_slice(&le32(0x0201_4b50));
        for v in [e.made_by, 20, flags, method, 0, 0x21] {
            central.extend_from_slice(&le16(v));
        }
        for v in [crc, body.len() as u32, e.content.len() as u32] {
            central.extend_from_slice(&le32(v));
        }
        for v in [cname.len() as u16, e.central_extra.len() as u16, e.comment.len() as u16, 0, 0] {
            central.extend_from_slice(&le16(v));
        }
        central.extend_from_slice(&le32(e.external));
        central.extend_from_slice(&le32(offset));
        central.extend_from_slice(&cname);
        central.extend_from_slice(&e.central_extra);
        central.extend_from_slice(&e.comment);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&le32(0x0605_4b50));
    for v in [0, 0, entries.len() as u16, entries.len() as u16] {
        out.extend_from_slice(&le16(v));
    }
    out.extend_from_slice(&le32(central.len() as u32));
    out.extend_from_slice(&le32(cd_offset));
    out.extend_from_slice(&le16(comment.len() as u16));
    out.extend_from_slice(comment);
    out
}

fn input_files(zip: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, &'static str> {
    read_input_zip(zip, &Limits::default())
        .map(|z| z.files.into_iter().map(|(p, d)| (p.to_string(), d)).collect())
        .map_err(|e| e.code())
}

/// Reads `zip` as `seal ZIP` does, seals it, verifies and opens the release: the files.
fn seal_zip_round_trip(zip: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let input = read_input_zip(zip, &Limits::default()).map_err(|e| format!("{}: {e}", e.code()))?;
    let files = input.files.clone();
    let code = seal_and_open(files);
    if code != "OK" {
        return Err(code.to_string());
    }
    Ok(input.files.into_iter().map(|(p, d)| (p.to_string(), d)).collect())
}

fn extra(id: u16, data: &[u8]) -> Vec<u8> {
    [&le16(id)[..], &le16(data.len() as u16), data].concat()
}

#[test]
fn seal_zip_checks_every_byte_before_trusting_it() {
    let app = b"console.log('app');\n".repeat(20);
    let good = || vec![In::new("index.html", INDEX), In { deflate: true, ..In::new("app.js", &app) }];
    assert_eq!(input_files(&input_zip(&good(), b"")).map(|f| f.len()), Ok(2));
    let with = |edit: &dyn Fn(&mut Vec<In>)| {
        let mut e = good();
        edit(&mut e);
        input_files(&input_zip(&e, b"")).err().unwrap_or("OK")
    };
    assert_eq!(with(&|e| e[1].local_crc = Some(1)), "ZIP_HEADER_MISMATCH");
    assert_eq!(with(&|e| e[1].central_name = Some(b"evil.js".to_vec())), "ZIP_HEADER_MISMATCH");
    assert_eq!(with(&|e| e[1].external = 0o120_777 << 16), "ZIP_SYMLINK");
    assert_eq!(with(&|e| e[1].made_by = host(19)), "OK");
    assert_eq!(
        with(&|e| {
            e[1].made_by = host(19);
            e[1].external = 0o120_777 << 16
        }),
        "ZIP_SYMLINK"
    );
    assert_eq!(with(&|e| e[1].external = 0o100_200 << 16), "ZIP_FILE_MODE");
    assert_eq!(with(&|e| e[1].flags = 1), "ZIP_ENCRYPTED_ENTRY");
    assert_eq!(with(&|e| e.push(In::new("index.html", b"evil"))), "ZIP_DUPLICATE_ENTRY");
    assert_eq!(with(&|e| e.push(In::new("INDEX.HTML", b"evil"))), "MANIFEST_DUPLICATE_PATH");
    assert_eq!(with(&|e| e.push(In::new("../evil.js", b"evil"))), "PATH_TRAVERSAL");
    assert_eq!(with(&|e| e.push(In::dir("../x/"))), "PATH_TRAVERSAL");
    assert_eq!(with(&|e| e.push(In::new("app.js/x.js", b"evil"))), "PATH_PREFIX_CONFLICT");
    assert_eq!(with(&|e| e.push(In::new("__MACOSX/._app.js", b"\0"))), "PATH_RESERVED");
    assert_eq!(with(&|e| e.push(In { external: 0o040_755 << 16, ..In::new("d/", b"x") })), "ZIP_NOT_A_FILE");
    let mut latin1 = In::new("x", b"1");
    latin1.name = b"caf\xe9.js".to_vec();
    assert_eq!(with(&|e| e.push(latin1.clone())), "PATH_NOT_UTF8");
    // A wrong CRC (central and local agree, the data does not).
    let mut zip = input_zip(&good(), b"");
    let at = 30 + "index.html".len();
    zip[at] ^= 1;
    assert_eq!(input_files(&zip), Err("ZIP_CRC_MISMATCH"));
    // A data descriptor that disagrees with the central directory.
    let mut e = good();
    e[0].descriptor = Some(true);
    let mut zip = input_zip(&e, b"");
    let desc = 30 + 10 + INDEX.len() + 4;
    zip[desc] ^= 1;
    assert_eq!(input_files(&zip), Err("ZIP_HEADER_MISMATCH"));
    // Prepended bytes, a truncated file, garbage, an empty archive.
    let zip = input_zip(&good(), b"");
    assert_eq!(input_files(&[b"MZ-stub".as_slice(), &zip].concat()), Err("ZIP_MALFORMED"));
    assert_eq!(input_files(&zip[..zip.len() - 1]), Err("ZIP_MALFORMED"));
    assert_eq!(input_files(b"not a zip at all, not even close"), Err("ZIP_MALFORMED"));
    assert_eq!(input_files(&input_zip(&[], b"")), Err("ZIP_MALFORMED"));
    // Overlapping entries: a second central header pointing at the first entry's bytes.
    let mut e = good();
    e.truncate(1);
    let one = input_zip(&e, b"");
    let cd_start = u32::from_le_bytes(one[one.len() - 6..one.len() - 2].try_into().unwrap()) as usize;
    let cd = one[cd_start..one.len() - 22].to_vec();
    let mut twice = one[..cd_start].to_vec();
    twice.extend_from_slice(&cd);
    twice.extend_from_slice(&cd);
    twice.extend_from_slice(&le32(0x0605_4b50));
    for v in [0u16, 0, 2, 2] {
        twice.extend_from_slice(&le16(v));
    }
    twice.extend_from_slice(&le32((cd.len() * 2) as u32));
    twice.extend_from_slice(&le32(cd_start as u32));
    twice.extend_from_slice(&le16(0));
    assert_eq!(input_files(&twice), Err("ZIP_DUPLICATE_ENTRY"));
    // Bombs: a deflate stream that inflates past its stated size; sizes over the limits.
    let mut e = good();
    e[1].content = vec![0; 100_000];
    let mut zip = input_zip(&e, b"");
    // Lower the stated size in both headers (local at 22, central at 24 after the signature).
    let local = 30 + 10 + INDEX.len();
    zip[local + 22..local + 26].copy_from_slice(&le32(1000));
    let cd_start = u32::from_le_bytes(zip[zip.len() - 6..zip.len() - 2].try_into().unwrap()) as usize;
    let second_central = cd_start + 46 + 10;
    zip[second_central + 24..second_central + 28].copy_from_slice(&le32(1000));
    assert_eq!(input_files(&zip), Err("SIZE_MISMATCH"));
    let tight = Limits { max_file_bytes: 100, ..Limits::default() };
    assert_eq!(code(read_input_zip(&input_zip(&good(), b""), &tight)), "LIMIT_EXCEEDED");
    let tight = Limits { max_files: 1, ..Limits::default() };
    assert_eq!(code(read_input_zip(&input_zip(&good(), b""), &tight)), "LIMIT_EXCEEDED");
    // Methods other than stored and deflate.
    let mut zip = input_zip(&good(), b"");
    zip[8] = 12;
    assert!(matches!(input_files(&zip), Err("ZIP_HEADER_MISMATCH" | "ZIP_UNSUPPORTED_METHOD")));
}

#[test]
fn seal_zip_reads_what_ordinary_zips_hold() {
    let app = b"console.log('app');\n".repeat(20);
    let font = b"wOF2-font".to_vec();
    let want: BTreeMap<String, Vec<u8>> = [
        ("index.html".to_string(), INDEX.to_vec()),
        ("assets/app.js".to_string(), app.clone()),
        ("fonts/Schrift-\u{fc}.woff2".to_string(), font.clone()),
    ]
    .into_iter()
    .collect();
    let files = |prefix: &str| {
        vec![
            In::dir(&format!("{prefix}assets/")),
            In::new(&format!("{prefix}index.html"), INDEX),
            In { deflate: true, descriptor: Some(true), ..In::new(&format!("{prefix}assets/app.js"), &app) },
            In { flags: 0x800, ..In::new(&format!("{prefix}fonts/Schrift-\u{fc}.woff2"), &font) },
        ]
    };
    // Directory entries, data descriptors with and without signature, comments, extra fields.
    let mut e = files("");
    e[1].local_extra = extra(0x5455, &[3, 0, 0, 0, 0]);
    e[1].central_extra = extra(0x5455, &[3, 0, 0, 0, 0]);
    e[1].comment = b"entry comment".to_vec();
    assert_eq!(seal_zip_round_trip(&input_zip(&e, b"archive comment")), Ok(want.clone()));
    let mut e = files("");
    e[2].descriptor = Some(false);
    assert_eq!(seal_zip_round_trip(&input_zip(&e, b"")), Ok(want.clone()));
    // bsdtar's ./ prefix, with a ./ directory entry.
    let mut e = files("./");
    e.insert(0, In::dir("./"));
    assert_eq!(seal_zip_round_trip(&input_zip(&e, b"")), Ok(want.clone()));
    // A lone top folder (zip -r app.zip dist): re-rooted once, as both installers would.
    let mut e = files("dist/");
    e.insert(0, In::dir("dist/"));
    let input = read_input_zip(&input_zip(&e, b""), &Limits::default()).unwrap();
    assert_eq!(input.rerooted.as_deref(), Some("dist"));
    assert_eq!(seal_zip_round_trip(&input_zip(&e, b"")), Ok(want.clone()));
    // ... but not beside anything else at the root: the installers disagree.
    let mut e = files("dist/");
    e.push(In::new(".DS_Store", b"x"));
    assert_eq!(input_files(&input_zip(&e, b"")).err(), Some("LAYOUT_REROOTED"));
    // A UTF-8 name without bit 11 (Info-ZIP zip on Linux) is read as UTF-8 and written with the
    // flag; Info-ZIP's Unicode Path field wins when its CRC matches the raw name.
    let mut e = files("");
    e[3].flags = 0;
    assert_eq!(seal_zip_round_trip(&input_zip(&e, b"")), Ok(want.clone()));
    let mut e = files("");
    e[3].name = b"fonts/Schrift-\x81.woff2".to_vec(); // CP437 u-umlaut
    let unicode = "fonts/Schrift-\u{fc}.woff2".as_bytes();
    let up = [&[1u8][..], &le32(crc32fast::hash(b"fonts/Schrift-\x81.woff2")), unicode].concat();
    e[3].central_extra = extra(0x7075, &up);
    e[3].flags = 0;
    assert_eq!(seal_zip_round_trip(&input_zip(&e, b"")), Ok(want.clone()));
    // An NFD name (macOS) becomes NFC.
    let mut e = files("");
    e[3].name = "fonts/Schrift-u\u{308}.woff2".as_bytes().to_vec();
    e[3].flags = 0x800;
    assert_eq!(seal_zip_round_trip(&input_zip(&e, b"")), Ok(want.clone()));
    // zip64 extra fields for sizes and offset (written by streaming tools).
    let mut e = files("");
    e[1].central_extra = extra(1, &[]);
    assert_eq!(seal_zip_round_trip(&input_zip(&e, b"")), Ok(want));
}

// ---- real tools --------------------------------------------------------------------------------

fn tool_exists(name: &str) -> bool {
    Command::new("sh").arg("-c").arg(format!("command -v {name}")).output().is_ok_and(|o| o.status.success())
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("otaseal-profile-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

/// A small web app on disk: `dir/<top>/...`.
fn write_app(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    files.insert("index.html".to_string(), INDEX.to_vec());
    files.insert("assets/app.js".to_string(), b"export const x = 1;\n".repeat(300));
    files.insert("assets/empty.txt".to_string(), Vec::new());
    files.insert("fonts/Schrift-\u{fc}.woff2".to_string(), (0..5000u32).map(|i| (i * 31 % 256) as u8).collect());
    files.insert("css/site.css".to_string(), b"body{margin:0}\n".to_vec());
    for (p, d) in &files {
        let path = dir.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, d).unwrap();
    }
    files
}

fn run(cmd: &mut Command) -> bool {
    match cmd.output() {
        Ok(o) if o.status.success() => true,
        Ok(o) => panic!("{cmd:?} failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(_) => false,
    }
}

#[test]
fn seal_zip_reads_what_real_tools_write() {
    let root = scratch("tools");
    let app = root.join("app");
    let want = write_app(&app.join("dist"));
    let dist = app.join("dist");
    let out = |n: &str| root.join(n);
    let py_file = "import os,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED)\nfor d,_,fs in sorted(os.walk('.')):\n  for f in sorted(fs):\n    p=os.path.join(d,f)[2:]\n    z.write(p,p)\nz.close()\n";
    let py_stream = "import os,sys,zipfile\nclass W:\n  def __init__(s,f): s.f=f\n  def write(s,b): return s.f.write(b)\n  def flush(s): s.f.flush()\nz=zipfile.ZipFile(W(open(sys.argv[1],'wb')),'w',zipfile.ZIP_DEFLATED)\nfor d,_,fs in sorted(os.walk('.')):\n  for f in sorted(fs):\n    p=os.path.join(d,f)[2:]\n    with z.open(p,'w') as o: o.write(open(p,'rb').read())\nz.close()\n";
    // (tool, what, working directory, arguments; "OUT" is the zip path).
    let makers: Vec<(&str, &str, &Path, Vec<&str>)> = vec![
        ("zip", "zip -r (contents)", &dist, vec!["-q", "-r", "OUT", "."]),
        ("zip", "zip -r (top folder)", &app, vec!["-q", "-r", "OUT", "dist"]),
        ("jar", "jar cfM (ZipOutputStream, data descriptors)", &dist, vec!["cfM", "OUT", "."]),
        ("bsdtar", "bsdtar --format zip (./ prefix)", &dist, vec!["--format", "zip", "-cf", "OUT", "."]),
        ("7z", "7-Zip", &dist, vec!["a", "-tzip", "-bd", "-y", "OUT", "."]),
        ("python3", "Python zipfile (file)", &dist, vec!["-c", py_file, "OUT"]),
        ("python3", "Python zipfile (stream, data descriptors)", &dist, vec!["-c", py_stream, "OUT"]),
    ];
    let mut ran = 0;
    for (i, (tool, what, cwd, args)) in makers.iter().enumerate() {
        if !tool_exists(tool) {
            eprintln!("SKIPPED: {what} ({tool} not installed)");
            continue;
        }
        let zip = out(&format!("{i}.zip"));
        let mut cmd = Command::new(tool);
        cmd.current_dir(cwd);
        for a in args {
            if *a == "OUT" {
                cmd.arg(&zip);
            } else {
                cmd.arg(a);
            }
        }
        if !run(&mut cmd) {
            continue;
        }
        let bytes = std::fs::read(&zip).unwrap();
        assert_eq!(seal_zip_round_trip(&bytes), Ok(want.clone()), "{what}");
        ran += 1;
    }
    eprintln!("{ran} real-tool zips sealed and verified");
    let _ = std::fs::remove_dir_all(&root);
}
