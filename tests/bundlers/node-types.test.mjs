// A Node TypeScript project (no DOM lib, `skipLibCheck` at its default false, `@types/node`)
// that installs otaseal from the packed tarball and type-checks code using it with `tsc`: the
// shipped declarations must not need the DOM lib. Needs `bash scripts/build.sh` first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, freshProject } from "./lib.mjs";

const MAIN = `import * as fs from "node:fs";
import { Opener, createUpdateClient, memoryBackend, MemoryUpdater, memoryStorage, verifyRelease, type OtaError, type Policy } from "otaseal";

const trust = fs.readFileSync("trust.json", "utf8");
const policy: Policy = { app: "com.example.app", channel: "production", platform: "web", installedVersion: "1.0.0", now: Math.floor(Date.now() / 1000) };
try {
  const release = verifyRelease(fs.readFileSync("manifest.json", "utf8"), trust, policy);
  const opener = new Opener(fs.readFileSync("manifest.json", "utf8"), trust, policy, []);
  opener.push(fs.readFileSync("bundle.zip"));
  console.log(release.manifest.version, opener.finish().files.length);
} catch (e) {
  console.error((e as OtaError).code);
}
const client = createUpdateClient({
  trust, app: "com.example.app", channel: "production", platform: "web",
  backend: memoryBackend(new MemoryUpdater({ builtinVersion: "1.0.0" })), storage: memoryStorage(),
});
const release = await client.check("https://updates.example.com/manifest.json");
if (release) await client.download(release);
`;

test("the package type-checks in a Node project without the DOM lib and without skipLibCheck", { timeout: 120_000 }, () => {
  const dir = freshProject("nodetypes", { links: ["@types/node"] });
  fs.writeFileSync(path.join(dir, "main.ts"), MAIN);
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { strict: true, target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022"], types: ["node"], noEmit: true },
      files: ["main.ts"],
    }),
  );
  const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json", "--listFiles"], { cwd: dir, encoding: "utf8" });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
  // The check really ran against the tarball's declarations and without lib.dom.
  const files = r.stdout.split("\n");
  assert.ok(files.some((f) => f.includes("node_modules/otaseal/dist/node.d.ts")), "otaseal's node.d.ts was not checked");
  assert.ok(!files.some((f) => /lib\.dom\.d\.ts$/.test(f)), "lib.dom.d.ts was loaded");
});
