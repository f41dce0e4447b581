// docs/PUBLISHING.md and docs/MIGRATING-FROM-CAPGO.md, run as written: every ```sh block, in
// order, in a scratch app project that depends on this checkout (`npm install` links it as
// `otaseal`, so `npx otaseal` is the real bin), and the GitHub Actions workflow's `run:` steps
// with its secrets. The one remote host (the `aws` CLI uploading to S3) is a local stand-in
// that copies files and records the Cache-Control it was given. Prints the whole session as a
// terminal shows it (and writes it to $OTASEAL_TRANSCRIPT when set).
// Needs the package built (scripts/build.sh).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CLI = path.join(ROOT, "cli/otaseal.mjs");
const doc = (name) => fs.readFileSync(path.join(ROOT, "docs", name), "utf8");

let project;
let transcript = "";
const env = { ...process.env, npm_config_offline: "true", npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };

/** The ```LANG blocks of a markdown text, in order. */
function blocks(text, lang) {
  return [...text.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);
}

/** Splits a shell block into commands: `\` continuations joined, heredocs kept whole, comments dropped. */
function commands(block) {
  const out = [];
  const lines = block.split("\n");
  for (let i = 0; i < lines.length; i++) {
    let cmd = lines[i];
    if (!cmd.trim() || cmd.trimStart().startsWith("#")) continue;
    while (cmd.endsWith("\\") && i + 1 < lines.length) cmd += "\n" + lines[++i];
    const here = /<<'?(\w+)'?/.exec(cmd);
    if (here) {
      while (i + 1 < lines.length) {
        cmd += "\n" + lines[++i];
        if (lines[i] === here[1]) break;
      }
    }
    out.push(cmd);
  }
  return out;
}

/** Runs one documented command in `cwd` like a terminal would; records it; it must succeed. */
function run(cmd, cwd = project, extraEnv = {}) {
  // One stream, interleaved as a terminal shows it.
  const r = spawnSync("bash", ["-c", `set -euo pipefail\nexec 2>&1\n${cmd}`], { cwd, env: { ...env, ...extraEnv }, encoding: "utf8" });
  transcript += `$ ${cmd}\n${r.stdout}`;
  assert.equal(r.status, 0, `documented command failed (exit ${r.status}):\n$ ${cmd}\n${r.stdout}`);
  return r;
}

function cli(...args) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: project, encoding: "utf8" });
}

before(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), "otaseal-publishing-"));
  // A scratch Capacitor-style app: its build writes dist/ (with a source map to exclude).
  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "example-app", version: "0.0.0", private: true, scripts: { build: "node build.mjs" }, devDependencies: { otaseal: `file:${ROOT}` } }, null, 2),
  );
  fs.writeFileSync(
    path.join(project, "build.mjs"),
    `import * as fs from "node:fs";
fs.mkdirSync("dist", { recursive: true });
const v = (process.env.TAG ?? "dev").replace(/^web-v/, "");
fs.writeFileSync("dist/index.html", "<!doctype html><script src=app.js></script><h1>" + v + "</h1>\\n");
fs.writeFileSync("dist/app.js", "console.log(" + JSON.stringify(v) + ");\\n");
fs.writeFileSync("dist/app.js.map", "{}\\n");
`,
  );
  const r = spawnSync("npm", ["install"], { cwd: project, env, encoding: "utf8" });
  assert.equal(r.status, 0, `npm install in the scratch project failed:\n${r.stdout}${r.stderr}`);
  assert.ok(fs.existsSync(path.join(project, "node_modules/.bin/otaseal")), "npx otaseal resolves to this checkout");
});

test("PUBLISHING.md: every shell command runs as written", () => {
  const text = doc("PUBLISHING.md");
  const sh = blocks(text, "sh");
  assert.ok(sh.length >= 7, `expected the guide's sh blocks, found ${sh.length}`);
  for (const block of sh) for (const cmd of commands(block)) run(cmd);

  // What the commands left behind is what the guide says.
  assert.match(fs.readFileSync(path.join(project, "public/_headers"), "utf8"), /manifest\.json\n {2}Cache-Control: no-cache/);
  const config = fs.readFileSync(path.join(project, "src/otaseal.config.ts"), "utf8");
  assert.match(config, /export const otasealConfig: OtasealConfig = Object\.freeze\(\{/);
  assert.match(config, /app: "com\.example\.app"/);
  const host = path.join(project, "public/com.example.app");
  assert.ok(fs.existsSync(path.join(host, "bundles/2.4.0.zip")) && fs.existsSync(path.join(host, "production/manifest.json")));
  assert.ok(fs.existsSync(path.join(host, "trust/2.json")));
  // The staged release went 10 % -> 50 % -> 100 %: same bundle throughout, and now no rollout.
  const final = JSON.parse(fs.readFileSync(path.join(project, "verify-2.5.0.json"), "utf8"));
  assert.equal(final.ok, true);
  assert.equal(final.release.manifest.rollout, null);
  assert.equal(final.release.signedBy.length, 2);
  // The withdrawal holds exactly 2.5.0's files, as 2.6.1.
  const w = JSON.parse(cli("inspect", "release/2.6.1/manifest.json", "--json").stdout).manifest;
  const good = JSON.parse(cli("inspect", "release/2.5.0/manifest.json", "--json").stdout).manifest;
  assert.equal(w.version, "2.6.1");
  assert.deepEqual(w.files, good.files);
  assert.equal(w.bundle.zipSha256, good.bundle.zipSha256);
  // The module type-checks under the strictest settings an app would use.
  const tsc = spawnSync(path.join(ROOT, "node_modules/.bin/tsc"), ["--noEmit", "--strict", "--noUnusedLocals", "--exactOptionalPropertyTypes", "--target", "ES2022", "--lib", "ES2022,DOM", "--skipLibCheck", "src/otaseal.config.ts"], { cwd: project, encoding: "utf8" });
  assert.equal(tsc.status, 0, `generated config does not type-check:\n${tsc.stdout}${tsc.stderr}`);
});

test("PUBLISHING.md: the GitHub Actions workflow's run steps, with two signers' secrets", () => {
  const yaml = blocks(doc("PUBLISHING.md"), "yaml")[0];
  assert.ok(yaml, "the guide has a workflow");
  // The jobs, each in a fresh checkout of the scratch project (artifacts carried over).
  const ci = fs.mkdtempSync(path.join(os.tmpdir(), "otaseal-ci-"));
  for (const f of ["package.json", "package-lock.json", "build.mjs", "trust.json"]) fs.copyFileSync(path.join(project, f), path.join(ci, f));
  const secrets = {
    OTASEAL_SIGNER_1: fs.readFileSync(path.join(project, "keys/signer-1.key"), "utf8").trim(),
    OTASEAL_SIGNER_2: fs.readFileSync(path.join(project, "keys/signer-2.key"), "utf8").trim(),
    AWS_ACCESS_KEY_ID: "stand-in",
    AWS_SECRET_ACCESS_KEY: "stand-in",
  };
  const github = { ref_name: "web-v2.4.1" };
  // The stand-in for the remote host: `aws s3 cp SRC s3://BUCKET/KEY --cache-control V [--content-type T]`.
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), "otaseal-bin-"));
  const s3 = fs.mkdtempSync(path.join(os.tmpdir(), "otaseal-s3-"));
  fs.writeFileSync(
    path.join(bin, "aws"),
    `#!/usr/bin/env node
const fs = require("node:fs"), path = require("node:path");
const [svc, op, src, dst, ...rest] = process.argv.slice(2);
if (svc !== "s3" || op !== "cp" || !dst.startsWith("s3://")) { console.error("stand-in knows only: aws s3 cp SRC s3://…"); process.exit(2); }
const opts = {};
for (let i = 0; i < rest.length; i += 2) opts[rest[i]] = rest[i + 1];
const target = path.join(${JSON.stringify(s3)}, dst.slice(5));
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.copyFileSync(src, target);
fs.writeFileSync(target + ".meta.json", JSON.stringify(opts));
console.log("upload: " + src + " to " + dst);
`,
    { mode: 0o755 },
  );
  const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), "otaseal-runner-"));

  // Steps: "- name/uses" items with an optional env: map and a `run: |` script.
  const lines = yaml.split("\n");
  let steps = 0;
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)run: \|$/.exec(lines[i]);
    if (!m) continue;
    const indent = m[1].length + 2;
    const script = [];
    while (i + 1 < lines.length && (lines[i + 1].startsWith(" ".repeat(indent)) || lines[i + 1].trim() === "")) {
      script.push(lines[++i].slice(indent));
    }
    // The env: map of this step (between its "- " line and run:).
    const stepEnv = { RUNNER_TEMP: runnerTemp, PATH: `${bin}:${process.env.PATH}` };
    for (let j = i - script.length - 1; j >= 0 && !/^\s*- /.test(lines[j]); j--) {
      const e = /^\s+([A-Z0-9_]+): \$\{\{ (secrets|github)\.([A-Za-z0-9_]+) \}\}$/.exec(lines[j]);
      if (e) stepEnv[e[1]] = e[2] === "secrets" ? secrets[e[3]] : github[e[3]];
    }
    run(script.join("\n").trim(), ci, stepEnv);
    steps++;
  }
  assert.equal(steps, 3, "seal, cosign and publish each have a run step");
  // Uploaded bundle first with an immutable header, manifest with no-cache.
  const host = path.join(s3, "updates.example.com/com.example.app");
  const meta = (f) => JSON.parse(fs.readFileSync(path.join(host, f + ".meta.json"), "utf8"));
  assert.equal(meta("production/manifest.json")["--cache-control"], "no-cache");
  assert.match(meta("bundles/2.4.1.zip")["--cache-control"], /immutable/);
  // What the host serves verifies as a device would: 2 of 2 signatures, the source map left out.
  const v = spawnSync(process.execPath, [CLI, "verify", path.join(host, "production/manifest.json"), "--trust", "trust.json",
    "--app", "com.example.app", "--platform", "ios", "--installed", "2.4.0", "--bundle", path.join(host, "bundles/2.4.1.zip"), "--json"], { cwd: ci, encoding: "utf8" });
  assert.equal(v.status, 0, v.stderr);
  const report = JSON.parse(v.stdout);
  assert.equal(report.release.signedBy.length, 2);
  assert.deepEqual(report.files.map((f) => f.path), ["app.js", "index.html"]);
  // And no key file was left in the runner's temp directory.
  assert.deepEqual(fs.readdirSync(runnerTemp).filter((f) => f.endsWith(".key")), []);
});

test("MIGRATING-FROM-CAPGO.md: every shell command runs as written (after PUBLISHING.md's)", () => {
  const sh = blocks(doc("MIGRATING-FROM-CAPGO.md"), "sh");
  assert.ok(sh.length >= 3);
  for (const block of sh) for (const cmd of commands(block)) run(cmd);
  const cap = JSON.parse(fs.readFileSync(path.join(project, "capacitor.config.json"), "utf8"));
  assert.equal(cap.plugins.CapacitorUpdater.autoUpdate, false);
  assert.ok(cap.plugins.CapacitorUpdater.publicKey, "the publicKey is reported, not silently removed");
  assert.match(transcript, /autoUpdate: true -> false/);
  const config = fs.readFileSync(path.join(project, "src/otaseal.config.ts"), "utf8");
  const keyId = JSON.parse(fs.readFileSync(path.join(project, "keys/bundle.key"), "utf8")).keyId;
  assert.ok(config.includes(keyId), "the pinned bundle key id is in the module");
  // The guides never tell anyone to run the Capgo CLI here: those commands are quoted as text.
  for (const block of sh) assert.doesNotMatch(block, /@capgo\/cli/);
});

test("the full session: publish, rollout 10 %, widen, withdraw", () => {
  assert.match(transcript, /rollout:  10%/);
  assert.match(transcript, /rejected: ROLLOUT_EXCLUDED: staged rollout to 100000 per million installs does not include this install \(bucket 100000\)\nexit 1: this device keeps 2\.4\.0/);
  assert.match(transcript, /widened com\.example\.app 2\.5\.0: rollout 10% -> 50%/);
  assert.match(transcript, /withdrawing 2\.6\.0: installs on it \(and on 2\.5\.0\) take 2\.6\.1/);
  assert.match(transcript, /changed {3}index\.html/);
  process.stdout.write(`\n--- the documented session, as a terminal shows it ---\n${transcript}--- end ---\n`);
  if (process.env.OTASEAL_TRANSCRIPT) fs.writeFileSync(process.env.OTASEAL_TRANSCRIPT, transcript);
});
