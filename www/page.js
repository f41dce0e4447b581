// The test page: loads the package (dist/browser.js binds the web wasm build), verifies the
// server's releases with the update client and the web fallback backend, and shows each check.
import * as ota from "/dist/browser.js";
import { createWebUpdater, registerServiceWorker, webBackend } from "/dist/web.js";

const $ = (s) => document.querySelector(s);
const config = await (await fetch("/api/config", { cache: "no-store" })).json();
// DEMO ONLY: a real app ships or receives its bundle key out of band.
const demoKey = Uint8Array.from(atob(config.demoBundleKeyBase64), (c) => c.charCodeAt(0));

await registerServiceWorker(`/app/sw.js?timeout=${config.appReadyTimeoutMs}`, "/app/");
const updater = await createWebUpdater({ scope: "/app/", builtinVersion: config.bundledVersion, appReadyTimeoutMs: config.appReadyTimeoutMs });
const client = ota.createUpdateClient({
  trust: config.trust,
  app: config.app,
  channel: config.channel,
  platform: "web",
  decryptionKeys: [demoKey],
  backend: webBackend(updater),
  storage: ota.localStorageStorage(),
  bundledVersion: config.bundledVersion,
  // CAUTION: the demo server is plain HTTP on 127.0.0.1; apps use the default "https-only".
  transport: "allow-loopback-http",
});
window.otaseal = { ota, client, updater, config };

const ROWS = [
  ["sig", "Signatures (threshold of trusted keyids)"],
  ["policy", "App, channel, platform"],
  ["version", "Version vs installed"],
  ["expiry", "Issued / expires"],
  ["rollout", "Staged rollout (this install's bucket)"],
  ["bundle", "Bundle length and SHA-256"],
  ["decrypt", "Decryption"],
  ["files", "Every file's SHA-256 (strict zip)"],
];

function rowOf(code, phase) {
  if (/^(APP|CHANNEL|PLATFORM)_MISMATCH$/.test(code)) return "policy";
  if (["DOWNGRADE", "NATIVE_TOO_OLD", "CLIENT_BLOCKLISTED"].includes(code)) return "version";
  if (["EXPIRED", "NOT_YET_VALID", "CLOCK_ROLLBACK"].includes(code)) return "expiry";
  if (code === "ROLLOUT_EXCLUDED") return "rollout";
  if (phase === "manifest") return "sig";
  if (code.startsWith("DECRYPT_")) return "decrypt";
  if (code.startsWith("BUNDLE_") || code === "ZIP_HASH_MISMATCH" || code.startsWith("CLIENT_")) return "bundle";
  return "files";
}

function resetRows() {
  const body = $("#checks tbody");
  body.replaceChildren(
    ...ROWS.map(([id, label]) => {
      const tr = document.createElement("tr");
      tr.id = `row-${id}`;
      tr.dataset.status = "pending";
      tr.innerHTML = `<td>${label}</td><td class="status">…</td><td class="details"></td>`;
      return tr;
    }),
  );
  $("#files").replaceChildren();
}

function setRow(id, status, details) {
  const tr = $(`#row-${id}`);
  tr.dataset.status = status;
  tr.querySelector(".status").textContent = { pass: "✓ pass", fail: "✗ fail", running: "… running", skipped: "– not run", na: "n/a" }[status] ?? status;
  if (details !== undefined) tr.querySelector(".details").textContent = details;
}

// The last docs/FORMAT.md §7 step behind each manifest row, and the step a manifest-phase code
// stops at. A row passed only when every one of its steps ran before the failing one.
const ROW_LAST_STEP = { sig: 6, policy: 8, version: 10, expiry: 12, rollout: 12.5 };
function failingStep(code) {
  if (code === "CLOCK_ROLLBACK") return 7;
  if (/^(APP|CHANNEL|PLATFORM)_MISMATCH$/.test(code)) return 8;
  if (code === "DOWNGRADE") return 9;
  if (code === "NATIVE_TOO_OLD") return 10;
  if (code === "NOT_YET_VALID") return 11;
  if (code === "EXPIRED") return 12;
  if (code === "ROLLOUT_EXCLUDED") return 12.5;
  if (code === "CLIENT_BLOCKLISTED") return 13; // the client's own check, after the core's
  return 1; // signatures, schema, or anything unknown: nothing else ran
}

/**
 * Marks the failing row, and every other row by what really happened: rows already shown as
 * passed stay passed; manifest rows whose steps all come before the failing step passed; every
 * other row was never reached ("not run"), whatever it showed while running. The bundle's
 * length and SHA-256 are only known at its end (steps 17-20), so a file or segment failure
 * never shows them as passed.
 */
function fail(code, phase) {
  const row = rowOf(code, phase);
  const stop = phase === "manifest" ? failingStep(code) : Infinity;
  for (const [id] of ROWS) {
    const tr = $(`#row-${id}`);
    const status = tr.dataset.status;
    if (id === row) {
      const before = tr.querySelector(".details").textContent;
      setRow(id, "fail", `${code}${before ? " — " + before : ""}`);
    } else if (status === "pass" || status === "na") continue;
    else if (phase === "manifest" && ROW_LAST_STEP[id] !== undefined && ROW_LAST_STEP[id] < stop) setRow(id, "pass");
    else setRow(id, "skipped", "not run: verification stopped before this check");
  }
}

function result(variant, state, code, text) {
  const r = $("#result");
  r.dataset.variant = variant;
  r.dataset.state = state;
  r.dataset.code = code;
  r.textContent = text;
}

let lastRelease = null;
let busy = false;

async function run(variant) {
  if (busy) return;
  busy = true;
  lastRelease = null;
  $("#apply-next").disabled = $("#apply-set").disabled = true;
  resetRows();
  $("#current-variant").textContent = `— ${variant.label}`;
  result(variant.id, "running", "", "checking…");
  const manifestUrl = new URL(variant.manifestUrl, location.href).href;
  let phase = "manifest";
  try {
    // For display only: what the envelope claims before anything is verified.
    const claimed = ota.inspect(await (await fetch(manifestUrl, { cache: "no-store" })).text());
    setRow("sig", "running", `UNVERIFIED claims: ${claimed.signatures.map((s) => s.keyid.slice(0, 16) + "…").join(", ")}`);
    const status = await client.status();
    const release = await client.check(manifestUrl);
    if (release === null) {
      const ev = lastChecked;
      const code = ev?.code ?? (ev?.reason === "installed" ? "INSTALLED" : "PENDING");
      fail("DOWNGRADE", "manifest"); // marks the version row
      setRow("version", "fail", `${code}: ${claimed.manifest?.version} is not newer than installed ${status.floor.version} (${status.floor.source})`);
      result(variant.id, "up-to-date", code, `nothing newer: ${code}`);
      return;
    }
    const m = release.manifest;
    setRow("sig", "pass", `${release.signedBy.length} valid signature(s) from trusted keyid(s): ${release.signedBy.join(", ")}`);
    setRow("policy", "pass", `app ${m.app}, channel ${m.channel}, platforms [${m.platforms.join(", ")}] ∋ web`);
    setRow("version", "pass", `${m.version} > installed ${status.floor.version} (${status.floor.source})`);
    setRow("expiry", "pass", `issued ${m.issuedAt}, expires ${m.expiresAt}, now ${new Date().toISOString().slice(0, 19)}Z`);
    setRow("rollout", m.rollout === null || m.rollout === undefined ? "na" : "pass", m.rollout === null || m.rollout === undefined ? "every install" : `${m.rollout / 10000}% of installs; this install's bucket is inside`);
    setRow("bundle", "running", `0 / ${m.bundle.length} bytes`);
    setRow("decrypt", m.encryption ? "running" : "na", m.encryption ? `key id ${m.encryption.keyId.slice(0, 16)}…, segments of ${m.encryption.segmentSize} bytes` : "not encrypted");
    setRow("files", "running", `${m.files.length} signed file(s)`);
    phase = "bundle";
    const dl = await client.download(release, {
      onProgress: ({ received, total }) => setRow("bundle", "running", `${received} / ${total} bytes`),
    });
    setRow("bundle", "pass", `length ${m.bundle.length} = signed; sha256 ${m.bundle.sha256}`);
    if (m.encryption) setRow("decrypt", "pass", `every segment authenticated (key id ${m.encryption.keyId.slice(0, 16)}…); zip sha256 ${m.bundle.zipSha256}`);
    setRow("files", "pass", `${dl.files.length} file(s), each hash equal to the signed one`);
    $("#files").replaceChildren(
      ...dl.files.map((f) => Object.assign(document.createElement("li"), { textContent: `✓ ${f.path} (${f.size} bytes) sha256 ${f.sha256}` })),
    );
    lastRelease = release;
    $("#apply-next").disabled = $("#apply-set").disabled = false;
    result(variant.id, "accepted", "OK", `accepted: ${m.app} ${m.version}, staged as ${dl.id}`);
  } catch (e) {
    const code = e?.code ?? "UNKNOWN";
    fail(code, phase);
    result(variant.id, "rejected", code, `rejected: ${code} — ${e?.message ?? e}`);
  } finally {
    busy = false;
    await showUpdater();
  }
}

let lastChecked = null;
client.on("checked", (ev) => (lastChecked = ev));

async function showUpdater() {
  const { bundle } = await updater.current();
  const { bundles } = await updater.list();
  const st = await client.status();
  $("#updater").textContent =
    `current: ${bundle.id} (${bundle.version})\n` +
    `bundles: ${bundles.map((b) => `${b.id} ${b.version} ${b.status}`).join("; ") || "none"}\n` +
    `floor: ${st.floor.version} (${st.floor.source}); pending: ${st.state.pending ? st.state.pending.version : "none"}; ` +
    `blocklist: ${st.state.blocklist.map((b) => b.version).join(", ") || "none"}`;
}

for (const v of config.variants) {
  const b = document.createElement("button");
  b.type = "button";
  b.id = `variant-${v.id}`;
  b.dataset.expect = v.expect ?? "";
  b.textContent = v.label;
  b.title = v.expect ? `expected: ${v.expect}` : "expected: accepted";
  if (v.hidden) b.hidden = true;
  b.addEventListener("click", () => run(v));
  $("#variants").append(b);
}

async function apply(mode) {
  if (!lastRelease) return;
  await client.apply(lastRelease, mode);
  location.href = "/app/";
}
$("#apply-next").addEventListener("click", () => apply("next"));
$("#apply-set").addEventListener("click", () => apply("set"));
$("#reset").addEventListener("click", async () => {
  await updater.reset();
  await showUpdater();
});

$("#env").textContent = `app ${config.app}, channel ${config.channel}, platform web; builtin ${config.bundledVersion}; trusted signer ${config.signerKeyid}`;
resetRows();
await showUpdater();
document.body.dataset.ready = "true";
