// @capawesome/capacitor-live-update ≥ 8.1 on iOS: a model of ZIPFoundation 0.9.x
// FileManager.unzipItem(at:to:), then the index.html root search
// (tests/conformance/capawesome/ios.mjs).
import { capawesomeIosZipFoundation } from "../capawesome/ios.mjs";

export default capawesomeIosZipFoundation;
