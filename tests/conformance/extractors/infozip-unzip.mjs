// Info-ZIP unzip 6.0 (Debian): `unzip -o -q ZIP -d OUT`. Exit 1 is a warning (files extracted).
import { hasCommand, run } from "../lib/peer.mjs";

export default {
  name: "infozip-unzip",
  installer: false,
  available() { return hasCommand("unzip"); },
  async extract(zipPath, outDir) {
    const r = await run("unzip", ["-o", "-q", zipPath, "-d", outDir]);
    if (r.status === 0) return { ok: true };
    if (r.status === 1) return { ok: true, warning: firstLine(r.stderr || r.stdout) };
    return { ok: false, error: `exit ${r.status}: ${firstLine(r.stderr || r.stdout)}` };
  },
};

function firstLine(s) { return s.trim().split("\n").filter(Boolean).slice(-1)[0] ?? ""; }
