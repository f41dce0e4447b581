// One full conformance run, shared by conformance.test.mjs and report.mjs: the crafted corpus and
// the real-tool zips through the strict reader and every extractor (property 1), and every
// real-tool zip through `otaseal seal` and `otaseal verify --bundle` (property 2).
import fs from "node:fs";
import path from "node:path";
import { craftedCases } from "./corpus.mjs";
import { APP, CHANNEL, ROOT, loadExtractors, loadOtaseal, makeSigner, runCases, runExtractors, tempRoot } from "./harness.mjs";
import { TOOLS, expectedFiles, webAppFiles, writeTree } from "./realtools.mjs";
import { run } from "./peer.mjs";

const CLI = path.join(ROOT, "cli/otaseal.mjs");

/** `otaseal ARGS`: { status, code } where code is the OtaError code printed on a refusal. */
async function cli(args) {
  const r = await run(process.execPath, [CLI, ...args], { timeout: 60_000 });
  const m = /otaseal: (?:rejected: )?([A-Z][A-Z0-9_]+)\b/.exec(r.stderr);
  return { status: r.status, code: r.status === 0 ? "OK" : m?.[1] ?? `exit ${r.status}: ${r.stderr.trim().split("\n")[0]}`, stderr: r.stderr };
}

export async function runAll({ crafted = true, real = true, filter } = {}) {
  const t0 = Date.now();
  const ota = await loadOtaseal();
  const extractors = await loadExtractors();
  const signer = makeSigner(ota);
  const work = tempRoot("run");
  const result = { extractors, crafted: [], real: [], seconds: 0 };
  try {
    if (crafted) {
      const cases = craftedCases().filter((c) => !filter || filter.test(c.name));
      result.crafted = await runCases(cases, { ota, signer, extractors, workRoot: path.join(work, "crafted") });
    }
    if (real) result.real = await runRealTools({ ota, signer, extractors, work, filter });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  result.seconds = (Date.now() - t0) / 1000;
  return result;
}

async function runRealTools({ ota, signer, extractors, work, filter }) {
  const tree = path.join(work, "webapp");
  const files = webAppFiles();
  writeTree(tree, files);
  const keyFile = path.join(work, "release.key");
  const trustFile = path.join(work, "trust.json");
  fs.writeFileSync(keyFile, signer.key.privateKeyPem);
  fs.writeFileSync(trustFile, signer.trust);
  const rows = [];
  for (const [i, tool] of TOOLS.entries()) {
    if (filter && !filter.test(tool.name)) continue;
    const dir = path.join(work, `tool${i}`);
    fs.mkdirSync(dir, { recursive: true });
    const row = { name: tool.name, group: "real-tool", what: `the web-app tree zipped by ${tool.name}` };
    rows.push(row);
    if (!(await tool.available())) { row.unavailable = true; continue; }
    const zipPath = path.join(dir, "input.zip");
    try {
      await tool.make(tree, zipPath);
    } catch (e) {
      row.makeError = e.message;
      continue;
    }
    row.zip = fs.readFileSync(zipPath);
    row.files = await expectedFiles(tool, files, zipPath);
    // Property 1 on the tool's own zip: the strict reader's verdict and every extractor.
    const [p1] = await runCases([{ name: "input", zip: row.zip, files: row.files }], { ota, signer, extractors, workRoot: path.join(dir, "p1") });
    row.verdict = p1.verdict;
    row.results = p1.results;
    // Property 2: seal ZIP, verify the release, and install the sealed zip everywhere.
    const out = path.join(dir, "release");
    row.seal = await cli(["seal", zipPath, "--app", APP, "--channel", CHANNEL, "--version", "1.0.0", "--platform", "ios", "--platform", "android", "--expires", "1d", "--key", keyFile, "--out", out]);
    if (row.seal.status === 0) {
      row.verify = await cli(["verify", path.join(out, "manifest.json"), "--trust", trustFile, "--app", APP, "--channel", CHANNEL, "--platform", "ios", "--bundle", path.join(out, "bundle.zip")]);
      row.sealedPaths = ota.inspect(fs.readFileSync(path.join(out, "manifest.json"), "utf8")).manifest.files.map((f) => f.path);
      // The sealed zip is one the reader accepts: property 1 holds for it under every extractor.
      row.sealedInstall = await runExtractors(extractors, path.join(out, "bundle.zip"), row.files, path.join(dir, "installed"));
    }
  }
  // `otaseal seal DIR` on the same tree: the same property as for a tool's zip.
  const row = { name: "otaseal seal DIR", group: "real-tool", what: "the web-app tree sealed as a folder", files, sealDir: true };
  rows.push(row);
  const out = path.join(work, "sealdir");
  row.seal = await cli(["seal", tree, "--app", APP, "--channel", CHANNEL, "--version", "1.0.0", "--platform", "ios", "--platform", "android", "--expires", "1d", "--key", keyFile, "--out", out]);
  if (row.seal.status === 0) {
    row.verify = await cli(["verify", path.join(out, "manifest.json"), "--trust", trustFile, "--app", APP, "--channel", CHANNEL, "--platform", "ios", "--bundle", path.join(out, "bundle.zip")]);
    row.sealedPaths = ota.inspect(fs.readFileSync(path.join(out, "manifest.json"), "utf8")).manifest.files.map((f) => f.path);
    row.sealedInstall = await runExtractors(extractors, path.join(out, "bundle.zip"), files, path.join(work, "sealdir-installed"));
  }
  return rows;
}
