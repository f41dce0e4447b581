// @capawesome/capacitor-live-update ≤ 8.0.x on iOS: a model of SSZipArchive (minizip-ng)
// unzipFileAtPath:toDestination:, whose result the plugin ignores, then the index.html root
// search (tests/conformance/capawesome/ios.mjs).
import { capawesomeIosSsZipArchive } from "../capawesome/ios.mjs";

export default capawesomeIosSsZipArchive;
