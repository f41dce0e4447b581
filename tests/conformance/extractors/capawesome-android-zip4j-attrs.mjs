// @capawesome/capacitor-live-update < 8.2.1 on Android: zip4j's ZipFile.extractAll with the
// external attributes as they are in the zip, then the index.html root search.
import { capawesomeAndroid } from "../capawesome/zip4j.mjs";

export default capawesomeAndroid("keep");
