// Running peer programs: one-shot commands with a timeout, and long-lived line servers (one
// JVM / one Python process per run instead of one per zip: start-up would dominate the run).
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const HERE = path.dirname(new URL(import.meta.url).pathname);

/** Runs a command; resolves { status, stdout, stderr } (status null on timeout or signal). */
/** Peers run in a UTF-8 locale, so non-ASCII names reach the file system as UTF-8. */
export const PEER_ENV = { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" };

export function run(cmd, args, { cwd, timeout = 30_000, input } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: PEER_ENV, stdio: ["pipe", "pipe", "pipe"] });
    const out = [];
    const err = [];
    child.stdout.on("data", (d) => out.push(d));
    child.stderr.on("data", (d) => err.push(d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeout);
    child.on("error", (e) => { clearTimeout(timer); resolve({ status: null, stdout: "", stderr: String(e) }); });
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), stdoutBytes: Buffer.concat(out) });
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

export const hasCommand = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;

/** A child answering one line per request line. `request(line)` resolves the answer line. */
export class LineServer {
  constructor(cmd, args) {
    this.child = spawn(cmd, args, { env: PEER_ENV, stdio: ["pipe", "pipe", "pipe"] });
    this.buffer = "";
    this.waiting = [];
    this.stderr = "";
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (d) => {
      this.buffer += d;
      let i;
      while ((i = this.buffer.indexOf("\n")) >= 0) {
        const line = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 1);
        this.waiting.shift()?.resolve(line);
      }
    });
    this.child.stderr.on("data", (d) => { this.stderr = (this.stderr + d).slice(-4000); });
    this.child.on("exit", () => { for (const w of this.waiting.splice(0)) w.resolve(`ERR peer exited: ${this.stderr}`); this.dead = true; });
    this.queue = Promise.resolve();
  }
  request(line, timeout = 60_000) {
    // Serialized: one request in flight, so answers cannot be mismatched. A peer that does not
    // answer in time is killed (every later request then fails fast).
    const p = this.queue.then(() => (this.dead ? `ERR peer exited: ${this.stderr}` : new Promise((resolve) => {
      const timer = setTimeout(() => { this.child.kill("SIGKILL"); }, timeout);
      this.waiting.push({ resolve: (answer) => { clearTimeout(timer); resolve(answer); } });
      this.child.stdin.write(`${line}\n`);
    })));
    this.queue = p.catch(() => {});
    return p;
  }
  close() { if (!this.dead) this.child.stdin.end(); }
}

/** "OK" / "ERR message" → { ok, error }. */
export const answer = (line) => (line === "OK" ? { ok: true } : { ok: false, error: line.replace(/^ERR /, "") });

let javaServer = null;
let javaReady = null;
/**
 * The Java peer (java/Conformance.java), compiled once per run into a temporary folder named by
 * the source's hash (so a second run on the same machine reuses it), served by one JVM.
 */
export function java() {
  javaReady ??= (async () => {
    if (!hasCommand("javac") || !hasCommand("java")) return null;
    const src = path.join(HERE, "../java/Conformance.java");
    const hash = crypto.createHash("sha256").update(fs.readFileSync(src)).digest("hex").slice(0, 16);
    const dir = path.join(os.tmpdir(), `otaseal-conformance-java-${hash}`);
    if (!fs.existsSync(path.join(dir, "Conformance.class"))) {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "otaseal-javac-"));
      const r = await run("javac", ["-d", tmp, src], { timeout: 120_000 });
      if (r.status !== 0) throw new Error(`javac failed: ${r.stderr}`);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.renameSync(tmp, dir);
    }
    javaServer = new LineServer("java", ["-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Dfile.encoding=UTF-8", "-Dsun.jnu.encoding=UTF-8", "-cp", dir, "Conformance"]);
    return javaServer;
  })();
  return javaReady;
}

const PY = `
import sys, zipfile
for line in sys.stdin:
    zp, out = line.rstrip("\\n").split("\\t")
    try:
        with zipfile.ZipFile(zp) as z:
            z.extractall(out)
        print("OK", flush=True)
    except Exception as e:
        print("ERR " + (type(e).__name__ + ": " + str(e)).replace("\\n", " "), flush=True)
`;
let pyServer = null;
/** One Python process running zipfile.ZipFile(zip).extractall(out) per request line. */
export function python() {
  if (!pyServer) {
    if (!hasCommand("python3")) return null;
    pyServer = new LineServer("python3", ["-X", "utf8", "-c", PY]);
  }
  return pyServer;
}

/** Ends the peer processes this module started (the harness calls it once at the end). */
export function closePeers() {
  javaServer?.close();
  pyServer?.close();
  javaServer = null;
  javaReady = null;
  pyServer = null;
}
