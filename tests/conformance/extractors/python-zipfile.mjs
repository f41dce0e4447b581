// CPython's zipfile: ZipFile(zip).extractall(out) (central directory, CRC checked).
import { answer, hasCommand, python } from "../lib/peer.mjs";

export default {
  name: "python-zipfile",
  installer: false,
  available() { return hasCommand("python3"); },
  async extract(zipPath, outDir) {
    return answer(await python().request(`${zipPath}\t${outDir}`));
  },
};
