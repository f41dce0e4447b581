// Android: @capgo/capacitor-updater 8.51.23's own unzip (ZipInputStream, local headers only) and
// its flattenAssets re-rooting, run in a real OpenJDK 17 (java/Conformance.java, mode "capgo").
// Android's java.util.zip is libcore's, not OpenJDK's, but both read local headers in order and
// stop at the first signature that is not a local header.
import fs from "node:fs";
import { answer, java } from "../lib/peer.mjs";

export default {
  name: "android-capgo",
  installer: true,
  async available() { return (await java()) !== null; },
  async extract(zipPath, outDir) {
    const server = await java();
    const r = answer(await server.request(`capgo\t${zipPath}\t${outDir}`));
    if (!r.ok && !fs.existsSync(outDir)) fs.mkdirSync(outDir, { recursive: true });
    return r;
  },
};
