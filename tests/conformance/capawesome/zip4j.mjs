// The real zip4j (Debian libzip4j-java, upstream 2.11.5 = the plugin's default), driven by
// Zip4jExtract.java exactly as @capawesome/capacitor-live-update's Android code drives it,
// followed by the plugin's index.html root search.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { installRoot } from "./root-search.mjs";

const ROOT = path.resolve(import.meta.dirname, "../../..");
export const ZIP4J_JAR = process.env.ZIP4J_JAR ?? "/usr/share/java/zip4j.jar";
const SOURCE = path.join(import.meta.dirname, "Zip4jExtract.java");
const CLASSES = path.join(ROOT, "target", "conformance", "capawesome-zip4j");

let compiled = null;
/** javac once per process (and again when the source is newer than the class). */
function classes() {
  compiled ??= (() => {
    const cls = path.join(CLASSES, "Zip4jExtract.class");
    if (!fs.existsSync(cls) || fs.statSync(cls).mtimeMs < fs.statSync(SOURCE).mtimeMs) {
      fs.mkdirSync(CLASSES, { recursive: true });
      execFileSync("javac", ["-d", CLASSES, "-cp", ZIP4J_JAR, SOURCE], { stdio: "pipe" });
    }
    return CLASSES;
  })();
  return compiled;
}

export function zip4jAvailable() {
  if (!fs.existsSync(ZIP4J_JAR)) return false;
  for (const tool of ["java", "javac"]) {
    if (spawnSync(tool, ["-version"], { stdio: "ignore" }).status !== 0) return false;
  }
  return true;
}

/** Runs zip4j alone: `mode` "keep" (plugin < 8.2.1) or "clear" (≥ 8.2.1: external attributes cleared first). */
export function zip4jExtract(zipPath, outDir, mode) {
  fs.mkdirSync(outDir, { recursive: true });
  const r = spawnSync(
    "java",
    ["-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", `${ZIP4J_JAR}${path.delimiter}${classes()}`, "Zip4jExtract", zipPath, outDir, mode],
    { encoding: "utf8", timeout: 60_000 },
  );
  if (r.status === 0) return { ok: true };
  return { ok: false, error: `zip4j: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}` };
}

/** zip4j + the plugin's root search, into `outDir`. */
export function capawesomeAndroid(mode) {
  return {
    name: mode === "clear" ? "capawesome-android (zip4j, attributes cleared: plugin ≥ 8.2.1)" : "capawesome-android (zip4j, attributes kept: plugin < 8.2.1)",
    installer: true,
    available: zip4jAvailable,
    async extract(zipPath, outDir) {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "capawesome-zip4j-"));
      try {
        const unpacked = zip4jExtract(zipPath, path.join(tmp, "bundle"), mode);
        if (!unpacked.ok) return unpacked;
        return installRoot(path.join(tmp, "bundle"), outDir);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    },
  };
}
