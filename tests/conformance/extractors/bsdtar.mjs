// libarchive's bsdtar (Debian libarchive-tools): `bsdtar -xf ZIP -C OUT` (streams local headers).
import { hasCommand, run } from "../lib/peer.mjs";

export default {
  name: "bsdtar",
  installer: false,
  available() { return hasCommand("bsdtar"); },
  async extract(zipPath, outDir) {
    const r = await run("bsdtar", ["-xf", zipPath, "-C", outDir]);
    return r.status === 0 ? { ok: true } : { ok: false, error: `exit ${r.status}: ${r.stderr.trim().split("\n").slice(-1)[0] ?? ""}` };
  },
};
