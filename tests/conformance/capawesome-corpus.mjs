// Crafted zips aimed at @capawesome/capacitor-live-update's installers (zip4j on Android, the
// SSZipArchive and ZIPFoundation models on iOS, and the index.html root search after both).
// Each case: `build()` the zip bytes, `files` the (path, bytes) set a manifest would sign for
// it, and `rule`: null for a benign case every installer must install as signed, or the strict
// profile rule (docs/FORMAT.md §6) that must refuse it because some installer installs
// something else.
import { crc32 } from "node:zlib";
import { DOS_DIR, FLAG_UTF8, HOST, S_IFDIR, S_IFLNK, S_IFREG, buildZip } from "./capawesome/zipcraft.mjs";

const enc = new TextEncoder();
const INDEX = enc.encode("<!doctype html><title>app</title><script src=app.js></script>\n");
const APP = enc.encode("console.log('app');\n".repeat(20));
const f = (path, data) => ({ path, data: typeof data === "string" ? enc.encode(data) : data });
/** A zip whose entries are exactly `files`, each with `opts(path)` for its header fields. */
const zipOf = (files, opts = () => ({})) => () => buildZip(files.map((x) => ({ name: x.path, data: x.data, method: "deflate", ...opts(x.path) })));

const base = [f("index.html", INDEX), f("app.js", APP)];

/** @type {{ name: string, build(): Buffer, files: { path: string, data: Uint8Array }[], rule: string | null, mustAccept?: boolean, note: string }[]} */
export const capawesomeCases = [
  {
    name: "benign-unix",
    files: base,
    build: zipOf(base),
    rule: null,
    mustAccept: true,
    note: "index.html at the root, Unix host, regular 0644: every installer installs it as signed",
  },
  {
    name: "benign-dos-host",
    files: base,
    build: zipOf(base, () => ({ host: HOST.DOS, external: 0x20 })),
    rule: null,
    mustAccept: true,
    note: "MS-DOS host, archive bit only",
  },
  {
    name: "benign-nested-index",
    files: [...base, f("docs/index.html", "<h1>docs</h1>")],
    build: zipOf([...base, f("docs/index.html", "<h1>docs</h1>")]),
    rule: null,
    mustAccept: true,
    note: "a second index.html below the root: the search stops at the root, which has one",
  },
  {
    name: "macosx-prefixed-file",
    files: [...base, f("__MACOSXtheme.css", "body{color:red}")],
    build: zipOf([...base, f("__MACOSXtheme.css", "body{color:red}")]),
    rule: "a path that starts with `__MACOSX` (any case-sensitive prefix, not only the folder) is refused",
    note: "zip4j skips every entry whose name starts with __MACOSX: the file is never installed on Android",
  },
  {
    name: "macosx-folder",
    files: [...base, f("__MACOSX/._app.js", "resource fork")],
    build: zipOf([...base, f("__MACOSX/._app.js", "resource fork")]),
    rule: "a path that starts with `__MACOSX` is refused",
    note: "zip4j and SSZipArchive skip __MACOSX/, ZIPFoundation installs it",
  },
  {
    name: "dos-host-symlink-bits",
    files: [...base, f("link.js", "index.html")],
    build: zipOf([...base, f("link.js", "index.html")], (p) => (p === "link.js" ? { host: HOST.DOS, external: ((S_IFLNK | 0o777) << 16) >>> 0 } : {})),
    rule: "external attributes bit 29 (0x20000000) is refused for every made-by host (zip4j's symlink test ignores the host)",
    note: "zip4j < plugin 8.2.1 makes link.js a symlink to index.html; the others install a file",
  },
  {
    name: "ntfs-host-unix-dir-bits",
    files: base,
    build: zipOf(base, (p) => (p === "app.js" ? { host: HOST.NTFS, external: ((S_IFDIR | 0o755) << 16) >>> 0 } : {})),
    rule: "external attributes bit 30 (0x40000000) is refused for every made-by host (zip4j's directory test ignores the host, and it is decided before the plugin clears the attributes)",
    note: "zip4j creates a folder app.js and never writes its bytes, with the attributes kept or cleared",
  },
  {
    name: "vfat-host-symlink-and-dir-bits",
    files: base,
    build: zipOf(base, (p) => (p === "app.js" ? { host: HOST.VFAT, external: 0o060644 << 16 } : {})),
    rule: "the high 16 bits of the external attributes are 0 or a regular-file mode (S_IFREG | permissions) for every made-by host",
    note: "S_IFBLK = both bits: zip4j sees a directory",
  },
  {
    name: "osx-host-symlink",
    files: [...base, f("link.js", "index.html")],
    build: zipOf([...base, f("link.js", "index.html")], (p) => (p === "link.js" ? { host: HOST.OSX, mode: S_IFLNK | 0o777 } : {})),
    rule: "Unix type bits are checked for made-by host 19 (OS X) as for host 3 (issue 10, class 1)",
    note: "ZIPFoundation and zip4j (< 8.2.1) make a symlink; SSZipArchive only honours host 3",
  },
  {
    name: "owner-unreadable-permissions",
    files: base,
    build: zipOf(base, (p) => (p === "app.js" ? { mode: S_IFREG | 0o200 } : {})),
    rule: "when the high 16 bits of the external attributes are set (any host), their permission bits include owner read (0o400)",
    note: "zip4j (< 8.2.1, any host) and ZIPFoundation (hosts 3, 19) apply the mode: the webview cannot read app.js",
  },
  {
    name: "dos-directory-bit-on-file",
    files: base,
    build: zipOf(base, (p) => (p === "app.js" ? { external: ((S_IFREG | 0o644) << 16 | DOS_DIR) >>> 0 } : {})),
    rule: "the MS-DOS directory bit (0x10) is refused whatever the host",
    note: "zip4j treats it as a folder whatever the host (the strict reader on main refuses it already)",
  },
  {
    name: "two-candidate-roots",
    files: [f("a/index.html", "<h1>a</h1>"), f("b/index.html", "<h1>b</h1>"), f("a/app.js", APP)],
    build: zipOf([f("a/index.html", "<h1>a</h1>"), f("b/index.html", "<h1>b</h1>"), f("a/app.js", APP)]),
    rule: "the root holds a regular file named exactly `index.html`",
    note: "no index.html at the root: the plugin installs a/ or b/, whichever the file system lists first",
  },
  {
    name: "lone-top-folder",
    files: [f("www/index.html", INDEX), f("www/app.js", APP)],
    build: zipOf([f("www/index.html", INDEX), f("www/app.js", APP)]),
    rule: "the root holds a regular file named exactly `index.html`",
    note: "the plugin re-roots to www/: it serves index.html, not the signed www/index.html",
  },
  {
    name: "no-index-html",
    files: [f("app.js", APP)],
    build: zipOf([f("app.js", APP)]),
    rule: "the root holds a regular file named exactly `index.html`",
    note: "the plugin refuses the bundle (bundleIndexHtmlMissing) after otaseal accepted it",
  },
  {
    name: "index-html-wrong-case",
    files: [f("Index.html", INDEX), f("app/index.html", "<h1>inner</h1>")],
    build: zipOf([f("Index.html", INDEX), f("app/index.html", "<h1>inner</h1>")]),
    rule: "the root holds a regular file named exactly `index.html` (byte for byte: the search compares names case-sensitively)",
    note: "Index.html does not count: the search descends into app/",
  },
  {
    name: "case-folded-duplicate",
    files: [...base, f("App.js", "other")],
    build: zipOf([...base, f("App.js", "other")]),
    rule: "names equal under case folding are refused (iOS file systems are case-insensitive)",
    note: "SSZipArchive overwrites app.js, ZIPFoundation fails the install",
  },
  {
    name: "wrong-crc",
    files: base,
    // app.js's CRC-32 is off by one bit in both headers: its bytes and SHA-256 are as signed.
    build: zipOf(base, (p) => (p === "app.js" ? { crc: (crc32(APP) ^ 1) >>> 0 } : {})),
    rule: "every entry's CRC-32 matches its bytes",
    note: "zip4j and ZIPFoundation fail the install; SSZipArchive stops after writing app.js",
  },
  {
    name: "deflate-distance-too-far-back",
    files: [...base, f("zeros.bin", new Uint8Array(3))],
    // One fixed-Huffman block: a length-3 copy from distance 1 at the start of the output, then
    // end of block. A zero-filling inflater makes 3 zero bytes; zlib says "invalid distance too far back".
    build: zipOf([...base, f("zeros.bin", new Uint8Array(3))], (p) => (p === "zeros.bin" ? { payload: Uint8Array.of(0x03, 0x02, 0x00) } : {})),
    rule: "deflate streams are decoded exactly as zlib decodes them: a distance before the start of the output is refused (issue 10, class 4)",
    note: "zip4j (java.util.zip.Inflater) fails the install, SSZipArchive stops before writing zeros.bin, ZIPFoundation fails",
  },
  {
    name: "file-and-folder-prefix",
    files: [...base, f("lib.js", "x"), f("lib.js/y.js", "y")],
    build: zipOf([...base, f("lib.js", "x"), f("lib.js/y.js", "y")]),
    rule: "no path is a folder prefix of another path that is a file (issue 10, class 2)",
    note: "zip4j cannot create the folder lib.js; SSZipArchive and ZIPFoundation keep one of the two",
  },
  {
    name: "component-over-255-bytes",
    files: [...base, f(`${"a".repeat(256)}.js`, "long")],
    build: zipOf([...base, f(`${"a".repeat(256)}.js`, "long")]),
    rule: "every path component is at most 255 bytes (issue 10, class 3)",
    note: "no device file system can create the name: the real zip4j fails on this host's file system",
  },
  {
    name: "utf8-name-without-flag",
    files: [...base, f("Schrift-ü.woff2", "font")],
    build: zipOf([...base, f("Schrift-ü.woff2", "font")], (p) => (p.startsWith("Schrift") ? { flags: 0 } : {})),
    rule: "a non-ASCII name needs the UTF-8 flag (bit 11)",
    note: "zip4j and ZIPFoundation decode it as CP437 (Schrift-Ã¼.woff2)",
  },
  {
    name: "utf8-name-with-flag",
    files: [...base, f("Schrift-ü.woff2", "font")],
    build: zipOf([...base, f("Schrift-ü.woff2", "font")], (p) => (p.startsWith("Schrift") ? { flags: FLAG_UTF8 } : {})),
    rule: null,
    note: "flagged NFC UTF-8: every installer agrees (the strict reader on main refuses non-ASCII names: issue 10)",
  },
];
