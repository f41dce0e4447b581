// The differential harness: signs a manifest for a zip, opens the zip with the real strict reader
// (the built package's Opener, exactly as an app would), hands the same zip to every extractor in
// extractors/, and compares what each one produced with the manifest's (path, type, bytes).
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { closePeers } from "./peer.mjs";

const HERE = path.dirname(new URL(import.meta.url).pathname);
export const ROOT = path.resolve(HERE, "../../..");
export const EXTRACTOR_DIR = path.join(HERE, "../extractors");

export const APP = "com.example.conformance";
export const CHANNEL = "production";
const PAYLOAD_TYPE = "application/vnd.otaseal.manifest+json; version=1";

/** The built package, as an app imports it (dist/node.js over pkg/node). */
export async function loadOtaseal() {
  return import(path.join(ROOT, "dist/node.js"));
}

/**
 * Every extractor module in extractors/ (sorted by file name), each checked against the interface
 * in README.md, with `available` resolved once.
 */
export async function loadExtractors() {
  const files = fs.readdirSync(EXTRACTOR_DIR).filter((f) => /\.m?js$/.test(f)).sort();
  const list = [];
  for (const file of files) {
    const mod = (await import(path.join(EXTRACTOR_DIR, file))).default;
    for (const [key, type] of [["name", "string"], ["installer", "boolean"], ["available", "function"], ["extract", "function"]]) {
      if (typeof mod?.[key] !== type) throw new Error(`extractors/${file}: default export needs ${key} (${type})`);
    }
    let available = false;
    let why = "";
    try { available = await mod.available(); } catch (e) { why = e.message; }
    list.push({ ...mod, file, isAvailable: Boolean(available), unavailableWhy: why });
  }
  const names = new Set();
  for (const x of list) {
    if (names.has(x.name)) throw new Error(`two extractors are named ${x.name}`);
    names.add(x.name);
  }
  return list;
}

/** DSSE v1 PAE (FORMAT.md §2.3). */
function pae(type, body) {
  const t = Buffer.from(type);
  return Buffer.concat([Buffer.from(`DSSEv1 ${t.length} `), t, Buffer.from(` ${body.length} `), body]);
}

const sha256 = (b) => crypto.createHash("sha256").update(b).digest("hex");
const iso = (secs) => new Date(secs * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

/** A signer: a key from the package's keygen, a 1-of-1 trust root, and envelope signing. */
export function makeSigner(ota) {
  const key = ota.keygen();
  const trust = ota.trustInit([key.publicKeyPem], 1);
  const privateKey = crypto.createPrivateKey(key.privateKeyPem);
  const now = Math.floor(Date.now() / 1000);
  return {
    trust,
    key,
    now,
    /** A signed release for `zip` naming exactly `files` ([{ path, data }]): FORMAT.md §3. */
    envelope(zip, files) {
      const digest = sha256(zip);
      const manifest = {
        formatVersion: 1, app: APP, channel: CHANNEL, platforms: ["android", "ios"], version: "1.0.0",
        minNativeVersion: null, issuedAt: iso(now - 60), expiresAt: iso(now + 86400),
        bundle: { url: null, length: zip.length, sha256: digest, zipLength: zip.length, zipSha256: digest },
        encryption: null,
        files: files.map((f) => ({ path: f.path, size: f.data.length, sha256: sha256(f.data) })),
      };
      const payload = Buffer.from(JSON.stringify(manifest));
      const sig = crypto.sign(null, pae(PAYLOAD_TYPE, payload), privateKey);
      return JSON.stringify({ payloadType: PAYLOAD_TYPE, payload: payload.toString("base64"), signatures: [{ keyid: key.keyid, sig: sig.toString("base64") }] });
    },
  };
}

/**
 * The strict reader's verdict on `zip` under a manifest naming `files`: { accepted, code, stage }
 * (stage "manifest": refused before any zip byte was read; "bundle": while reading the zip).
 */
export function strictVerdict(ota, signer, zip, files) {
  const envelope = signer.envelope(zip, files);
  const policy = { app: APP, channel: CHANNEL, platform: "ios", now: signer.now };
  let opener;
  try {
    opener = new ota.Opener(envelope, signer.trust, policy, []);
  } catch (e) {
    return { accepted: false, code: e.code ?? `THROWN ${e.message}`, stage: "manifest" };
  }
  try {
    for (let at = 0; at < zip.length; at += 65536) opener.push(new Uint8Array(zip.subarray(at, at + 65536)));
    const { files: opened } = opener.finish();
    // The reader handed back exactly the signed files (a harness sanity check).
    const want = new Map(files.map((f) => [f.path, f.data]));
    const got = opened.map((f) => f.path).sort().join("\n");
    if (got !== [...want.keys()].sort().join("\n") || opened.some((f) => !Buffer.from(f.data).equals(want.get(f.path)))) {
      return { accepted: true, code: "OK", stage: "bundle", note: "reader returned files other than the manifest's" };
    }
    return { accepted: true, code: "OK", stage: "bundle" };
  } catch (e) {
    return { accepted: false, code: e.code ?? `THROWN ${e.message}`, stage: "bundle" };
  } finally {
    opener.free?.();
  }
}

/**
 * The tree under `dir`: [{ path, type: "file" | "symlink" | "dir" | "other", data?, target? }],
 * paths relative with "/", names exactly as stored on disk.
 */
export function listTree(dir) {
  const out = [];
  const decoder = new TextDecoder("utf-8", { fatal: true });
  // Names are read as bytes: a name that is not UTF-8 is shown with \xNN escapes (it can never
  // equal a manifest path).
  const show = (bytes) => {
    try { return decoder.decode(bytes); } catch { return [...bytes].map((b) => (b < 0x80 ? String.fromCharCode(b) : `\\x${b.toString(16)}`)).join(""); }
  };
  const walk = (abs, rel) => {
    const names = fs.readdirSync(abs, { encoding: "buffer" }).sort(Buffer.compare);
    for (const nameBytes of names) {
      const a = Buffer.concat([abs, Buffer.from("/"), nameBytes]);
      const name = show(nameBytes);
      const r = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(a);
      if (st.isSymbolicLink()) out.push({ path: r, type: "symlink", target: fs.readlinkSync(a, { encoding: "buffer" }).toString() });
      else if (st.isDirectory()) { out.push({ path: r, type: "dir" }); walk(a, r); }
      else if (st.isFile()) out.push({ path: r, type: "file", data: fs.readFileSync(a) });
      else out.push({ path: r, type: "other" });
    }
  };
  walk(Buffer.from(dir), "");
  return out;
}

/**
 * Differences between a tree and the manifest's files: [] when the tree is exactly the files
 * (regular files with the signed bytes; directories only as ancestors of signed files).
 */
export function compareTree(tree, files) {
  const want = new Map(files.map((f) => [f.path, f.data]));
  const ancestors = new Set();
  for (const f of files) {
    const parts = f.path.split("/");
    for (let i = 1; i < parts.length; i++) ancestors.add(parts.slice(0, i).join("/"));
  }
  const diffs = [];
  const seen = new Set();
  for (const item of tree) {
    if (item.type === "dir") {
      if (!ancestors.has(item.path)) diffs.push(`extra folder ${item.path}`);
      continue;
    }
    if (!want.has(item.path)) { diffs.push(`extra ${item.type} ${item.path}`); continue; }
    seen.add(item.path);
    if (item.type === "symlink") diffs.push(`${item.path} is a symlink to ${item.target}`);
    else if (item.type !== "file") diffs.push(`${item.path} is not a regular file`);
    else if (!item.data.equals(want.get(item.path))) diffs.push(`${item.path} has other bytes (${item.data.length}, signed ${want.get(item.path).length})`);
  }
  for (const p of want.keys()) if (!seen.has(p)) diffs.push(`missing ${p}`);
  return diffs;
}

/** Runs every available extractor on `zipPath`; returns { [name]: { ok, error?, diffs? } }. */
export async function runExtractors(extractors, zipPath, files, workDir) {
  const results = {};
  for (const x of extractors) {
    if (!x.isAvailable) { results[x.name] = { skipped: true }; continue; }
    const outDir = path.join(workDir, x.name);
    fs.mkdirSync(outDir, { recursive: true });
    let r;
    try {
      r = await x.extract(zipPath, outDir);
    } catch (e) {
      r = { ok: false, error: `extractor threw: ${e.message}` };
    }
    if (r.ok) {
      const diffs = fs.existsSync(outDir) ? compareTree(listTree(outDir), files) : ["no output folder"];
      results[x.name] = { ok: true, diffs, ...(r.warning ? { warning: r.warning } : {}) };
    } else {
      // Temporary paths named as OUT / ZIP, so results read (and RESULTS.md diffs) the same every run.
      const error = String(r.error ?? "failed").replaceAll(outDir, "OUT").replaceAll(zipPath, "ZIP").replaceAll(path.dirname(zipPath), "DIR");
      results[x.name] = { ok: false, error };
    }
  }
  return results;
}

/** One cell of the results table. */
export function cell(r) {
  if (!r || r.skipped) return "n/a";
  if (!r.ok) return `fails (${short(r.error)})`;
  if (r.diffs.length === 0) return r.warning ? "same (warns)" : "same";
  return `**differs**: ${short(r.diffs.slice(0, 2).join("; "))}${r.diffs.length > 2 ? "; …" : ""}`;
}
const short = (s) => String(s).replace(/\|/g, "/").replace(/\s+/g, " ").slice(0, 90);

/**
 * Runs a list of cases ({ name, zip, files }) through the reader and the extractors, a few cases
 * at a time (most of the time is spent waiting for peer processes). Rows keep the cases' order.
 */
export async function runCases(cases, { ota, signer, extractors, workRoot, concurrency = 3 }) {
  const rows = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i];
      const dir = path.join(workRoot, c.name);
      fs.mkdirSync(dir, { recursive: true });
      const zipPath = path.join(dir, `${c.name}.zip`);
      fs.writeFileSync(zipPath, c.zip);
      const verdict = strictVerdict(ota, signer, c.zip, c.files);
      const results = await runExtractors(extractors, zipPath, c.files, path.join(dir, "out"));
      rows[i] = { ...c, verdict, results };
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, cases.length) }, worker));
  return rows;
}

/** Property 1 for one row: the reader accepted, so every extractor must give exactly the files. */
export function property1Failures(row) {
  if (!row.verdict.accepted) return [];
  const out = [];
  if (row.verdict.note) out.push(`reader: ${row.verdict.note}`);
  for (const [name, r] of Object.entries(row.results)) {
    if (r.skipped) continue;
    if (!r.ok) out.push(`${name} fails: ${r.error}`);
    else if (r.diffs.length) out.push(`${name} differs: ${r.diffs.join("; ")}`);
  }
  return out;
}

export function tempRoot(label) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `otaseal-conformance-${label}-`));
}

export { closePeers };
