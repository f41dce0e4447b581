// @capawesome/capacitor-live-update ≥ 8.2.1 on Android: external attributes cleared, then
// zip4j's ZipFile.extractAll, then the index.html root search (tests/conformance/capawesome/).
import { capawesomeAndroid } from "../capawesome/zip4j.mjs";

export default capawesomeAndroid("clear");
