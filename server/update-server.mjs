#!/usr/bin/env node
// The local update server for the browser test page (www/) and the end-to-end tests:
// loopback only, node:http only. At start it generates DEMO-ONLY keys (an Ed25519 signing key
// and a bundle key, never written to disk), seals the sample app (examples/sample-app) with
// the package's Node entry, and derives the tampered variants the page's buttons fetch.
//
//   node server/update-server.mjs [--port N] [--app-ready-timeout MS] [--release-dir DIR]
//
// With --release-dir (scripts/demo.sh), the keys and the valid releases are the ones the CLI
// made there; the tampered variants are sealed with the same signing key.
//
// Routes: /            www/ (the test page)        /app/        www/app/ (the builtin app)
//         /dist/, /pkg/ the built package           /api/config  trust root, policy, variants
//         /releases/<variant>/manifest.json and bundle.zip | bundle.bin
import * as http from "node:http";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SAMPLE = path.join(ROOT, "examples", "sample-app");

export const APP = "com.example.sample";
export const CHANNEL = "production";
export const BUILTIN_VERSION = "1.0.0";

/** Each variant: how it is made and the code the client must answer (null = accepted). */
export const VARIANTS = [
  { id: "valid", label: "Valid release 2.0.0", expect: null },
  { id: "encrypted", label: "Valid, encrypted 2.0.0", expect: null },
  { id: "flipped-byte", label: "Flipped byte in a file", expect: "HASH_MISMATCH" },
  { id: "older-version", label: "Older version 0.9.0", expect: "DOWNGRADE" },
  { id: "expired", label: "Expired manifest", expect: "EXPIRED" },
  { id: "other-app", label: "Another app's manifest", expect: "APP_MISMATCH" },
  { id: "truncated", label: "Truncated bundle", expect: "BUNDLE_TRUNCATED" },
  { id: "zip-slip", label: "Zip with ../ path", expect: "PATH_TRAVERSAL" },
  { id: "untrusted-key", label: "Signed by an untrusted key", expect: "SIGNATURE_THRESHOLD" },
  { id: "encrypted-flipped", label: "Flipped ciphertext byte", expect: "DECRYPT_TAG" },
  { id: "no-ready", label: "2.1.0 that never calls notifyAppReady", expect: null, hidden: true },
  { id: "slow", label: "2.0.0 served slowly", expect: null, hidden: true },
];

function readSample() {
  return fs
    .readdirSync(SAMPLE)
    .sort()
    .map((name) => ({ path: name, data: new Uint8Array(fs.readFileSync(path.join(SAMPLE, name))) }));
}

function withFile(files, p, text) {
  const data = new TextEncoder().encode(text);
  return [...files.filter((f) => f.path !== p), { path: p, data }].sort((a, b) => (a.path < b.path ? -1 : 1));
}

function indexOf(haystack, needle) {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * Seals every variant: with fresh demo keys, or with the keys given (`signingKeyPem`,
 * `bundleKey`: what `otaseal keygen` / `otaseal enckey` wrote). `releases` may supply the
 * "valid" and "encrypted" releases sealed elsewhere (by the CLI): { envelopeJson, bundle }.
 */
export async function sealVariants(ota, { signingKeyPem, bundleKey: givenKey, releases = {} } = {}) {
  const signer = signingKeyPem ? { privateKeyPem: signingKeyPem, ...ota.publicKeyInfo(signingKeyPem) } : ota.keygen();
  const stranger = ota.keygen();
  const bundleKey = givenKey ? { key: givenKey, keyId: ota.bundleKeyId(givenKey) } : ota.bundleKeyGenerate();
  const trust = ota.trustInit([signer.publicKeyPem], 1);
  const now = Math.floor(Date.now() / 1000);
  const base = readSample();
  const info = (version, extra = {}) => ({
    app: APP, channel: CHANNEL, platforms: ["web", "android", "ios"], version,
    issuedAt: now - 60, expiresAt: now + 30 * 86400, ...extra,
  });
  const files = (version) => withFile(base, "version.txt", version);
  const sealOne = (f, i, { key = signer, encrypt = false } = {}) =>
    ota.seal(f, i, [key.privateKeyPem], encrypt ? { key: bundleKey.key, segmentSize: 4096 } : null);

  const out = {};
  out["valid"] = sealOne(files("2.0.0"), info("2.0.0"));
  out["encrypted"] = sealOne(files("2.0.0"), info("2.0.0"), { encrypt: true });
  for (const [id, r] of Object.entries(releases)) {
    out[id] = { envelopeJson: r.envelopeJson, bundle: r.bundle, manifest: ota.inspect(r.envelopeJson).manifest };
  }
  out["slow"] = out["valid"];
  {
    const s = sealOne(files("3.0.1"), info("3.0.1"));
    const bundle = s.bundle.slice();
    const at = indexOf(bundle, new TextEncoder().encode("version.txt"));
    bundle[at + "version.txt".length] ^= 0x01; // first byte of the stored file data
    out["flipped-byte"] = { ...s, bundle };
  }
  out["older-version"] = sealOne(files("0.9.0"), info("0.9.0"));
  out["expired"] = sealOne(files("3.0.2"), info("3.0.2", { issuedAt: now - 2 * 86400, expiresAt: now - 86400 }));
  out["other-app"] = sealOne(files("3.0.3"), info("3.0.3", { app: "com.example.other" }));
  {
    const s = sealOne(files("3.0.4"), info("3.0.4"));
    out["truncated"] = { ...s, bundle: s.bundle.slice(0, Math.floor(s.bundle.length / 2)) };
  }
  {
    // Sealed with "up/evil.js", then renamed in the zip to "../evil.js" (same length): the
    // signed manifest is clean, the archive is not.
    const s = sealOne(withFile(files("3.0.5"), "up/evil.js", "alert('escaped the bundle')\n"), info("3.0.5"));
    const bundle = s.bundle.slice();
    const from = new TextEncoder().encode("up/evil.js");
    for (let at = indexOf(bundle, from); at >= 0; at = indexOf(bundle, from)) bundle.set(new TextEncoder().encode("../evil.js"), at);
    out["zip-slip"] = { ...s, bundle };
  }
  out["untrusted-key"] = sealOne(files("3.0.6"), info("3.0.6"), { key: stranger });
  {
    const s = sealOne(files("3.0.7"), info("3.0.7"), { encrypt: true });
    const bundle = s.bundle.slice();
    bundle[60] ^= 0x80; // inside the first segment's ciphertext (after the 40-byte header)
    out["encrypted-flipped"] = { ...s, bundle };
  }
  {
    const silent = "const v = (await (await fetch('version.txt')).text()).trim();\n" +
      "document.querySelector('#version').textContent = v;\n" +
      "document.querySelector('#ready').textContent = 'this release never calls notifyAppReady';\n";
    out["no-ready"] = sealOne(withFile(files("2.1.0"), "app.js", silent), info("2.1.0"));
  }
  return { trust, signer, stranger, bundleKey, sealed: out, now };
}

/**
 * Reads what scripts/demo.sh made with the CLI: keys/release.key, keys/bundle.key,
 * plain/{manifest.json,bundle.zip}, encrypted/{manifest.json,bundle.bin}.
 */
function readReleaseDir(dir) {
  const keyDoc = JSON.parse(fs.readFileSync(path.join(dir, "keys", "bundle.key"), "utf8"));
  const release = (sub, bundle) => ({
    envelopeJson: fs.readFileSync(path.join(dir, sub, "manifest.json"), "utf8").trim(),
    bundle: new Uint8Array(fs.readFileSync(path.join(dir, sub, bundle))),
  });
  return {
    signingKeyPem: fs.readFileSync(path.join(dir, "keys", "release.key"), "utf8"),
    bundleKey: new Uint8Array(Buffer.from(keyDoc.key, "base64")),
    releases: { valid: release("plain", "bundle.zip"), encrypted: release("encrypted", "bundle.bin") },
  };
}

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json", ".wasm": "application/wasm", ".map": "application/json",
  ".txt": "text/plain; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml", ".ts": "text/plain; charset=utf-8",
};

/** Maps a URL path under `prefix` to a file inside `dir`, refusing anything that escapes it. */
function staticFile(dir, rel) {
  const decoded = decodeURIComponent(rel);
  if (decoded.includes("\0") || decoded.split("/").includes("..")) return null;
  let file = path.join(dir, decoded);
  if (!file.startsWith(dir + path.sep) && file !== dir) return null;
  try {
    if (fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    return fs.statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

/**
 * Starts the server on 127.0.0.1. Resolves to { url, close, config, sealed }.
 * `appReadyTimeoutMs` is handed to the page (and by it to the service worker).
 */
export async function startServer({ port = 0, appReadyTimeoutMs = 10_000, slowChunkDelayMs = 150, releaseDir } = {}) {
  const ota = await import(pathToFileURL(path.join(ROOT, "dist", "node.js")).href);
  const demo = await sealVariants(ota, releaseDir ? readReleaseDir(releaseDir) : {});
  const config = {
    app: APP,
    channel: CHANNEL,
    platform: "web",
    bundledVersion: BUILTIN_VERSION,
    appReadyTimeoutMs,
    trust: demo.trust,
    signerKeyid: demo.signer.keyid,
    // DEMO ONLY: a real app receives its bundle key out of band, never from the update server.
    demoBundleKeyBase64: Buffer.from(demo.bundleKey.key).toString("base64"),
    variants: VARIANTS.map((v) => ({ ...v, manifestUrl: `/releases/${v.id}/manifest.json` })),
  };

  const swConfig = { trust: config.trust, app: APP, channel: CHANNEL, platform: "web", builtinVersion: BUILTIN_VERSION };

  const send = (res, status, body, type = "text/plain; charset=utf-8", extra = {}) => {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff", ...extra });
    res.end(body);
  };

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const p = url.pathname;
      if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "method not allowed");
      if (p === "/api/config") return send(res, 200, JSON.stringify(config), "application/json");
      const rel = /^\/releases\/([a-z0-9-]+)\/(manifest\.json|bundle\.zip|bundle\.bin)$/.exec(p);
      if (rel) {
        const s = demo.sealed[rel[1]];
        if (!s) return send(res, 404, "no such variant");
        if (rel[2] === "manifest.json") return send(res, 200, s.envelopeJson, "application/json");
        const want = s.manifest.encryption ? "bundle.bin" : "bundle.zip";
        if (rel[2] !== want) return send(res, 404, "no such bundle");
        if (rel[1] === "slow") {
          res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(s.bundle.length), "cache-control": "no-store" });
          for (let at = 0; at < s.bundle.length && !res.destroyed; at += 512) {
            res.write(s.bundle.subarray(at, at + 512));
            await new Promise((r) => setTimeout(r, slowChunkDelayMs));
          }
          return res.end();
        }
        return send(res, 200, s.bundle, "application/octet-stream");
      }
      let file = null;
      if (p.startsWith("/dist/")) file = staticFile(path.join(ROOT, "dist"), p.slice(6));
      else if (p.startsWith("/pkg/web/")) file = staticFile(path.join(ROOT, "pkg", "web"), p.slice(9));
      else if (p === "/app") return send(res, 301, "", "text/plain", { location: "/app/" });
      else if (p === "/app/sw.js") {
        // The service worker verifies bundles against the trust root written into its script.
        const sw = fs.readFileSync(path.join(ROOT, "www", "app", "sw.js"), "utf8").replace("/*OTASEAL_SW_CONFIG*/ null", JSON.stringify(swConfig));
        return send(res, 200, sw, TYPES[".js"]);
      }
      else if (p.startsWith("/app/")) file = staticFile(path.join(ROOT, "www", "app"), p.slice(5));
      else file = staticFile(path.join(ROOT, "www"), p.slice(1));
      if (!file) return send(res, 404, "not found");
      return send(res, 200, fs.readFileSync(file), TYPES[path.extname(file)] ?? "application/octet-stream");
    } catch (e) {
      if (!res.headersSent) send(res, 500, String(e?.message ?? e));
      else res.destroy();
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const { port: actual } = server.address();
  return {
    url: `http://127.0.0.1:${actual}/`,
    config,
    demo,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const releaseDir = opt("--release-dir", undefined);
  const s = await startServer({
    port: Number(opt("--port", 8787)),
    appReadyTimeoutMs: Number(opt("--app-ready-timeout", 10_000)),
    ...(releaseDir ? { releaseDir } : {}),
  });
  console.log(`[otaseal] update server (loopback only) with demo-only keys: signer ${s.config.signerKeyid.slice(0, 16)}…`);
  console.log(`[otaseal] open ${s.url}`);
  const stop = () => s.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
