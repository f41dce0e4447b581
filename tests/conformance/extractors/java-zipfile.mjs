// java.util.zip.ZipFile (central directory, OpenJDK 17): a plain extraction, no re-rooting.
import { answer, java } from "../lib/peer.mjs";

export default {
  name: "java-zipfile",
  installer: false,
  async available() { return (await java()) !== null; },
  async extract(zipPath, outDir) {
    const server = await java();
    return answer(await server.request(`zipfile\t${zipPath}\t${outDir}`));
  },
};
