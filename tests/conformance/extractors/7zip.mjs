// 7-Zip (Debian p7zip-full / 7zip): `7z x -y -oOUT ZIP`. Exit 1 is a warning (files extracted).
import { hasCommand, run } from "../lib/peer.mjs";

const cmd = () => ["7z", "7zz", "7za"].find(hasCommand);

export default {
  name: "7zip",
  installer: false,
  available() { return cmd() !== undefined; },
  async extract(zipPath, outDir) {
    const r = await run(cmd(), ["x", "-y", "-bd", `-o${outDir}`, zipPath]);
    const msg = (r.stderr + r.stdout).split("\n").map((l) => l.trim()).filter((l) => /error|warning|cannot|unsupported|headers/i.test(l)).slice(0, 2).join("; ");
    if (r.status === 0) return { ok: true };
    if (r.status === 1) return { ok: true, warning: msg };
    return { ok: false, error: `exit ${r.status}: ${msg}` };
  },
};
