// Issue 10, "verified = installed": the differential conformance harness (README.md here).
// Property 1: every zip the strict reader accepts installs as exactly the manifest's files under
// every extractor in extractors/. Property 2: every benign zip a real tool makes seals into a
// release that verifies, and installs identically under every installer extractor.
// Needs the built package (bash scripts/build.sh) and the peers scripts/install-toolchain.sh
// installs (OpenJDK 17, python3, unzip, bsdtar, 7z).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { craftedCases } from "./lib/corpus.mjs";
import { closePeers, compareTree, property1Failures } from "./lib/harness.mjs";
import { TOOLS } from "./lib/realtools.mjs";
import { runAll } from "./lib/run.mjs";

const HERE = path.dirname(new URL(import.meta.url).pathname);

/** Every extractor the suite requires on a machine set up by scripts/install-toolchain.sh. */
const REQUIRED = ["android-capgo", "ios-capgo-zipfoundation", "java-zipfile", "python-zipfile", "infozip-unzip", "bsdtar", "7zip"];

/**
 * Cases where a property fails because of a known reader or sealer defect that issue 10's core
 * change (branch i10core) fixes. Each is a node:test `todo` until then: reported, not counted as
 * a failure. Remove an entry once its case passes.
 */
const TODO_P1 = {};
const TODO_P2 = {};

let run;
before(async () => {
  run = await runAll();
}, { timeout: 600_000 });
after(() => closePeers());

const crafted = (name) => run.crafted.find((r) => r.name === name);
const realRow = (name) => run.real.find((r) => r.name === name);

test("extractors: every module in extractors/ has the interface and every required peer is available", () => {
  const names = run.extractors.map((x) => x.name);
  for (const n of REQUIRED) assert.ok(names.includes(n), `extractor ${n} missing from extractors/`);
  const missing = run.extractors.filter((x) => REQUIRED.includes(x.name) && !x.isAvailable).map((x) => `${x.name} ${x.unavailableWhy}`);
  assert.deepEqual(missing, [], "run scripts/install-toolchain.sh");
  assert.ok(run.extractors.filter((x) => x.installer).length >= 2, "the Android and iOS installers");
});

test("the installer models were written from the plugin version in node_modules (re-read them when it changes)", () => {
  const pkg = path.join(HERE, "../../node_modules/@capgo/capacitor-updater");
  assert.equal(JSON.parse(fs.readFileSync(path.join(pkg, "package.json"), "utf8")).version, "8.51.23");
  const java = fs.readFileSync(path.join(pkg, "android/src/main/java/ee/forgr/capacitor_updater/CapgoUpdater.java"), "utf8");
  for (const marker of ["new ZipInputStream(bis)", "zis.getNextEntry()", "resolvePathInsideDirectory(targetDirectory, entry.getName())", "private void flattenAssets(", '!name.startsWith("__MACOSX") && !name.startsWith(".")', 'entries.length == 1 && !"index.html".equals(entries[0])']) {
    assert.ok(java.includes(marker), `CapgoUpdater.java no longer has ${marker}`);
  }
  const swift = fs.readFileSync(path.join(pkg, "ios/Sources/CapacitorUpdaterPlugin/CapgoUpdater.swift"), "utf8");
  for (const marker of ["import ZIPFoundation", "for entry in archive {", "skipCRC32: true", "case .symlink:", "private func unflatFolder(", "files.count == 1 && source.appendingPathComponent(files[0]).isDirectory"]) {
    assert.ok(swift.includes(marker), `CapgoUpdater.swift no longer has ${marker}`);
  }
});

test("harness self-check: the tree comparison sees every kind of difference", () => {
  const files = [{ path: "a/index.html", data: Buffer.from("x") }];
  assert.deepEqual(compareTree([{ path: "a", type: "dir" }, { path: "a/index.html", type: "file", data: Buffer.from("x") }], files), []);
  assert.equal(compareTree([{ path: "a", type: "dir" }, { path: "a/index.html", type: "file", data: Buffer.from("y") }], files).length, 1);
  assert.equal(compareTree([{ path: "a", type: "dir" }, { path: "a/index.html", type: "symlink", target: "b" }], files).length, 1);
  assert.equal(compareTree([{ path: "index.html", type: "file", data: Buffer.from("x") }], files).length, 2);
  assert.equal(compareTree([{ path: "a", type: "dir" }, { path: "a/index.html", type: "file", data: Buffer.from("x") }, { path: "e", type: "dir" }], files).length, 1);
});

test("harness self-check: the installers behave as their sources say on the corpus", () => {
  const res = (c, x) => crafted(c).results[x];
  const same = (c, x) => res(c, x).ok && res(c, x).diffs.length === 0;
  // Every extractor installs the plain control zip exactly.
  for (const x of run.extractors) assert.ok(same("control_plain", x.name), `${x.name} on control_plain: ${JSON.stringify(res("control_plain", x.name))}`);
  // ZIPFoundation's Entry.type: Unix and OS X hosts carry the type; ZipInputStream ignores it.
  assert.match(res("host19_symlink", "ios-capgo-zipfoundation").diffs?.join() ?? "", /symlink/);
  assert.match(res("host3_directory", "ios-capgo-zipfoundation").diffs?.join() ?? "", /extra folder app\.js/);
  assert.ok(same("host0_symlink", "ios-capgo-zipfoundation"));
  assert.ok(same("host19_symlink", "android-capgo"));
  // flattenAssets hides __MACOSX and dot names; unflatFolder counts them.
  for (const c of ["layout_top_folder_and_macosx", "layout_top_folder_and_dotfile"]) {
    assert.match(res(c, "android-capgo").diffs?.join() ?? "", /missing dist\/index\.html/, `${c}: Android re-roots`);
    assert.ok(same(c, "ios-capgo-zipfoundation"), `${c}: iOS keeps the folder`);
  }
  assert.match(res("layout_lone_top_folder", "ios-capgo-zipfoundation").diffs?.join() ?? "", /missing dist\/index\.html/);
  // zlib refuses a distance too far back (Android), the iOS model decodes as zlib does.
  assert.equal(res("deflate_far_back_mid", "android-capgo").ok, false);
  assert.equal(res("deflate_far_back_mid", "ios-capgo-zipfoundation").ok, false);
  // The central directory decides on iOS, local headers on Android.
  assert.ok(same("local_entry_not_in_central", "android-capgo"));
  assert.match(res("local_entry_not_in_central", "ios-capgo-zipfoundation").diffs?.join() ?? "", /missing evil\.js/);
  // APFS is case- and normalization-insensitive: the second name replaces the first.
  assert.match(res("ascii_case_collision", "ios-capgo-zipfoundation").diffs?.join() ?? "", /missing app\.js/);
  assert.match(res("utf8_nfc_nfd_collision", "ios-capgo-zipfoundation").diffs?.join() ?? "", /missing/);
});

for (const c of craftedCases()) {
  test(`property 1: ${c.name} (${c.group}: ${c.what})`, TODO_P1[c.name] ? { todo: TODO_P1[c.name] } : {}, () => {
    const row = crafted(c.name);
    assert.deepEqual(property1Failures(row), [], `the strict reader accepted ${c.name} (${row.verdict.code}), but not every extractor installs exactly the signed files`);
  });
}

/** Property 2's checks on a sealed release (row.seal, row.verify, row.sealedInstall). */
function checkSealed(row, what) {
  assert.equal(row.seal.code, "OK", `otaseal seal refused ${what}: ${row.seal.stderr}`);
  assert.equal(row.verify.code, "OK", `otaseal verify --bundle refused the sealed release: ${row.verify.stderr}`);
  assert.deepEqual([...row.sealedPaths].sort(), row.files.map((f) => f.path).sort(), "the sealed manifest names exactly the input's files");
  // The sealed zip passed the reader, so property 1 applies to it: every extractor, installers first.
  for (const [name, r] of Object.entries(row.sealedInstall).sort(([a], [b]) => installerFirst(a) - installerFirst(b))) {
    if (r.skipped) continue;
    assert.ok(r.ok, `${name} fails on the sealed zip: ${r.error}`);
    assert.deepEqual(r.diffs, [], `${name} installs the sealed zip differently`);
  }
}
const installerFirst = (name) => (run.extractors.find((x) => x.name === name)?.installer ? 0 : 1);

test("property 2: otaseal seal DIR of the web-app tree verifies and installs identically", TODO_P2["otaseal seal DIR"] ? { todo: TODO_P2["otaseal seal DIR"] } : {}, () => {
  checkSealed(realRow("otaseal seal DIR"), "the web-app folder");
});

for (const tool of TOOLS) {
  test(`property 1: the zip made by ${tool.name}`, TODO_P1[tool.name] ? { todo: TODO_P1[tool.name] } : {}, () => {
    const row = realRow(tool.name);
    assert.ok(!row.unavailable, `${tool.name} is not installed (scripts/install-toolchain.sh)`);
    assert.equal(row.makeError, undefined, row.makeError);
    assert.deepEqual(property1Failures(row), []);
  });
  test(`property 2: the zip made by ${tool.name} seals into a release that verifies and installs identically`, TODO_P2[tool.name] ? { todo: TODO_P2[tool.name] } : {}, () => {
    const row = realRow(tool.name);
    assert.ok(!row.unavailable && !row.makeError, `${tool.name}: ${row.makeError ?? "not installed"}`);
    checkSealed(row, `the ${tool.name} zip`);
  });
}

test("RESULTS.md lists every case of the corpus and every tool (node tests/conformance/report.mjs)", () => {
  const doc = fs.readFileSync(path.join(HERE, "RESULTS.md"), "utf8");
  for (const c of craftedCases()) assert.ok(doc.includes(`| ${c.name} |`), `RESULTS.md lacks ${c.name}: rerun report.mjs`);
  for (const t of [...TOOLS.map((x) => x.name), "otaseal seal DIR"]) assert.ok(doc.includes(`| ${t} |`), `RESULTS.md lacks ${t}: rerun report.mjs`);
});
