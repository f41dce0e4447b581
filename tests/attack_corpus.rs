//! The zip attack corpus (`tests/corpus`, written by `tests/corpus/make_corpus.py`, an
//! independent zip writer): every crafted archive is sealed as a release whose manifest claims the
//! files the attacker wants installed, plain and encrypted, and opening it must fail with exactly
//! the code `expect.json` names. The manifest itself must verify, so every refusal comes from the
//! archive checks (`docs/FORMAT.md` §6, step 16), not from an earlier step.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::*;
use otaseal::archive::ArchivePath;
use otaseal::digest::Sha256Digest;
use otaseal::limits::Limits;
use otaseal::manifest::FileEntry;
use otaseal::open::{self, MemorySink, Opener};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    attack: String,
    expect: String,
    files: Vec<Claim>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Claim {
    path: String,
    size: u64,
    sha256: String,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn load() -> BTreeMap<String, Case> {
    let text = std::fs::read_to_string(corpus_dir().join("expect.json")).expect("tests/corpus/expect.json");
    serde_json::from_str(&text).expect("expect.json")
}

fn claims(case: &Case) -> Vec<FileEntry> {
    case.files
        .iter()
        .map(|c| FileEntry {
            path: ArchivePath::new(&c.path, 512).expect("claimed paths are valid"),
            size: c.size,
            sha256: Sha256Digest::from_hex(&c.sha256).expect("sha256"),
        })
        .collect()
}

/// Opens `bundle` pushing `chunk`-byte pieces; a panic is reported as `PANIC`.
fn open_code(envelope: &str, bundle: &[u8], chunk: usize) -> (String, Option<Vec<open::OpenedFile>>) {
    let run = || -> otaseal::Result<Vec<open::OpenedFile>> {
        let release = open::verify_release(envelope.as_bytes(), &trust(), &policy(), &Limits::default())?;
        let mut opener = Opener::new(release, &[bundle_key()], &Limits::default(), MemorySink::new())?;
        for piece in bundle.chunks(chunk) {
            opener.push(piece)?;
        }
        Ok(opener.finish()?.sink.into_files())
    };
    match std::panic::catch_unwind(run) {
        Ok(Ok(files)) => ("OK".into(), Some(files)),
        Ok(Err(e)) => (e.code().into(), None),
        Err(_) => ("PANIC".into(), None),
    }
}

#[test]
fn every_crafted_archive_fails_with_its_code() {
    let cases = load();
    assert!(cases.len() >= 60, "corpus has only {} cases", cases.len());
    let mut wrong = Vec::new();
    for (file, case) in &cases {
        let zip = std::fs::read(corpus_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        for segment_size in [None, Some(4096)] {
            let (envelope, bundle) = seal_raw_zip(&zip, claims(case), segment_size);
            // The manifest is valid and passes policy: the archive is what gets refused.
            if let Err(e) = open::verify_release(envelope.as_bytes(), &trust(), &policy(), &Limits::default()) {
                wrong.push(format!("{file} ({segment_size:?}): the manifest itself fails: {e}"));
                continue;
            }
            for chunk in [1, 13, 4096, usize::MAX] {
                let (got, files) = open_code(&envelope, &bundle, chunk);
                if got != case.expect {
                    wrong.push(format!(
                        "{file} ({}, chunk {chunk}): got {got}, want {} — {}",
                        if segment_size.is_some() { "encrypted" } else { "plain" },
                        case.expect,
                        case.attack
                    ));
                }
                if let Some(files) = files {
                    // Accepted (the controls): exactly the claimed files, byte for byte.
                    let got: Vec<_> =
                        files.iter().map(|f| (f.path.clone(), Sha256Digest::of(&f.data).to_hex())).collect();
                    let want: Vec<_> = case.files.iter().map(|c| (c.path.clone(), c.sha256.clone())).collect();
                    assert_eq!(got, want, "{file}");
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{} corpus case(s) failed:\n{}", wrong.len(), wrong.join("\n"));
}

/// Every archive in the directory has an expectation and every expectation an archive; every
/// archive-level code (`ZIP_*`, `PATH_*`) is exercised at least once.
#[test]
fn corpus_is_complete() {
    let cases = load();
    let on_disk: BTreeSet<String> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".zip"))
        .collect();
    let listed: BTreeSet<String> = cases.keys().cloned().collect();
    assert_eq!(on_disk, listed, "tests/corpus/*.zip and expect.json differ");
    let expected: BTreeSet<&str> = cases.values().map(|c| c.expect.as_str()).collect();
    let missing: Vec<&str> = otaseal::ALL_CODES
        .iter()
        .copied()
        // PATH_PREFIX_CONFLICT is a rule on the manifest's file set (step 6): a zip can only
        // reach it through a manifest, which is refused first (tests/install_profile.rs).
        .filter(|c| c.starts_with("ZIP_") && *c != "ZIP_HASH_MISMATCH" || c.starts_with("PATH_"))
        .filter(|c| *c != "PATH_PREFIX_CONFLICT")
        .filter(|c| !expected.contains(c))
        .collect();
    assert!(missing.is_empty(), "archive codes with no corpus case: {missing:?}");
    for code in &expected {
        assert!(*code == "OK" || otaseal::ALL_CODES.contains(code), "unknown code {code} in expect.json");
    }
}

/// `make_corpus.py` regenerates the committed corpus byte for byte (skipped without python3).
#[test]
fn corpus_regenerates_identically() {
    let script = corpus_dir().join("make_corpus.py");
    let out = std::env::temp_dir().join(format!("otaseal-corpus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let status = std::process::Command::new("python3").arg(&script).arg("--out").arg(&out).output();
    let output = match status {
        Ok(o) => o,
        Err(e) => {
            eprintln!("SKIPPED: python3 is not available ({e}); the committed corpus was not regenerated");
            return;
        }
    };
    assert!(output.status.success(), "make_corpus.py failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let names = |dir: &Path| -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".zip") || n == "expect.json")
            .collect()
    };
    let committed = names(&corpus_dir());
    assert_eq!(names(&out), committed, "regenerated file set differs from tests/corpus");
    for name in &committed {
        let a = std::fs::read(corpus_dir().join(name)).expect("committed");
        let b = std::fs::read(out.join(name)).expect("regenerated");
        assert!(a == b, "tests/corpus/{name} differs from what make_corpus.py writes now: rerun it and commit");
    }
    let _ = std::fs::remove_dir_all(&out);
}

/// `docs/SECURITY.md` names tests that exist (`file.rs::function`), and every attack archive
/// of the corpus is listed in its archive table.
#[test]
fn threat_model_names_existing_tests_and_every_archive() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/SECURITY.md")).expect("docs/SECURITY.md");
    let quoted: Vec<&str> = doc.split('`').skip(1).step_by(2).collect();
    let mut checked = 0;
    for q in &quoted {
        let Some((file, path)) = q.split_once(".rs::") else { continue };
        let function = path.rsplit("::").next().expect("function");
        let source = std::fs::read_to_string(root.join(format!("{file}.rs")))
            .unwrap_or_else(|e| panic!("SECURITY.md names {q}, but {file}.rs: {e}"));
        assert!(source.contains(&format!("fn {function}(")), "SECURITY.md names {q}, which {file}.rs does not define");
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} test references found in SECURITY.md");
    let named: BTreeSet<&str> = quoted.iter().copied().collect();
    let unlisted: Vec<String> = load()
        .into_iter()
        .filter(|(_, case)| case.expect != "OK")
        .map(|(file, _)| file.trim_end_matches(".zip").to_string())
        .filter(|name| !named.contains(name.as_str()))
        .collect();
    assert!(unlisted.is_empty(), "corpus archives not listed in docs/SECURITY.md: {unlisted:?}");
}
