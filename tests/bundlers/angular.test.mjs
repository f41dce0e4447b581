// The Angular CLI's application builder (`@angular/build:application`, esbuild inside, as
// Ionic Angular apps use): a fresh Angular project with otaseal installed from the packed
// tarball, built with `ng build` and no otaseal-specific configuration, runs the release
// vectors in headless Chromium. Installs the Angular packages (pinned below) with npm, which
// takes about a minute from a cold npm cache, so it runs from scripts/test-angular.sh and not
// in every run of scripts/test.sh. Needs `bash scripts/build.sh` first.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, expectedResults, launchChromium, packTarball, runPage, serve, sizeOf, tempDir } from "./lib.mjs";

const ANGULAR = "21.2.24";
const DEPENDENCIES = {
  "@angular/common": ANGULAR, "@angular/compiler": ANGULAR, "@angular/core": ANGULAR, "@angular/platform-browser": ANGULAR,
  rxjs: "7.8.2", tslib: "2.9.1",
};
const DEV_DEPENDENCIES = { "@angular/build": "21.2.27", "@angular/cli": "21.2.28", "@angular/compiler-cli": ANGULAR, typescript: "5.9.3" };

let browser;
after(async () => browser?.close());

test("an Angular CLI build of an app importing otaseal verifies the release vectors in Chromium", { timeout: 600_000 }, async () => {
  const dir = tempDir("otaseal-angular-");
  fs.cpSync(path.join(ROOT, "tests/bundlers/angular"), dir, { recursive: true });
  fs.copyFileSync(path.join(ROOT, "tests/fixtures/vectors/releases.json"), path.join(dir, "src/vectors.json"));
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "app-angular", private: true, type: "module", dependencies: DEPENDENCIES, devDependencies: DEV_DEPENDENCIES }, null, 2),
  );
  const env = { ...process.env, NG_CLI_ANALYTICS: "false", CI: "true" };
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", packTarball()], { cwd: dir, stdio: "pipe", env });

  const ng = path.join(dir, "node_modules/@angular/cli/bin/ng.js");
  const build = () => execFileSync(process.execPath, [ng, "build"], { cwd: dir, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  build();
  const out = path.join(dir, "dist/browser");
  const app = sizeOf(out, (f) => !f.endsWith("vectors.json"));
  assert.ok(!app.files.some((f) => f.endsWith(".wasm")), "the inline entry emits no .wasm");

  // The same project without otaseal, for the bytes otaseal adds.
  const main = fs.readFileSync(path.join(dir, "src/main.ts"), "utf8");
  fs.renameSync(out, path.join(dir, "dist-app"));
  fs.writeFileSync(
    path.join(dir, "src/main.ts"),
    'import { Component } from "@angular/core";\nimport { bootstrapApplication } from "@angular/platform-browser";\n' +
      '@Component({ selector: "app-root", template: "<pre>blank</pre>" })\nclass App {}\nbootstrapApplication(App).catch((e: unknown) => console.error(e));\n',
  );
  build();
  const blank = sizeOf(out, (f) => !f.endsWith("vectors.json"));
  fs.writeFileSync(path.join(dir, "src/main.ts"), main);
  console.log(`angular: otaseal adds ${((app.raw - blank.raw) / 1024).toFixed(1)} KiB raw, ${((app.gzip - blank.gzip) / 1024).toFixed(1)} KiB gzip (${app.files.join(" ")})`);

  browser = await launchChromium();
  const server = await serve(path.join(dir, "dist-app"));
  try {
    const { result, errors } = await runPage(browser, server.url);
    assert.equal(result.error, undefined, result.error);
    assert.deepEqual(errors, []);
    const expected = expectedResults();
    assert.equal(result.results.length, expected.length);
    expected.forEach((c, i) => assert.deepEqual(result.results[i], c.expect, c.name));
  } finally {
    await server.close();
  }
});
