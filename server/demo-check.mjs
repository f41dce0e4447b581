#!/usr/bin/env node
// `scripts/demo.sh --check`: loads the test page headlessly in Chromium against the update
// server and checks that the valid releases pass and every tamper button shows its expected
// code. Exit 0 when all do, 1 otherwise. Screenshot: test-results/browser/demo-check.png.
//   node server/demo-check.mjs [--release-dir DIR]
import * as path from "node:path";
import { OUTPUT, runVariant, start } from "../tests/browser/harness.mjs";

const i = process.argv.indexOf("--release-dir");
const releaseDir = i >= 0 ? process.argv[i + 1] : undefined;
const h = await start({ ...(releaseDir ? { releaseDir } : {}) });
let failures = 0;
try {
  await h.openTestPage();
  for (const v of h.server.config.variants.filter((x) => !x.hidden)) {
    const want = v.expect ?? "OK";
    const r = await runVariant(h.page, v.id);
    const ok = r.code === want;
    if (!ok) failures++;
    console.log(`${ok ? "ok  " : "FAIL"} ${v.id.padEnd(18)} expected ${want.padEnd(20)} page shows ${r.code}`);
  }
  await h.page.screenshot({ path: path.join(OUTPUT, "demo-check.png"), fullPage: true });
} catch (e) {
  failures++;
  console.error("demo check failed:", e?.message ?? e);
  console.error(h.logs.slice(-20).join("\n"));
} finally {
  await h.stop();
}
console.log(failures === 0 ? "[demo] check passed" : `[demo] check FAILED (${failures})`);
process.exit(failures === 0 ? 0 : 1);
