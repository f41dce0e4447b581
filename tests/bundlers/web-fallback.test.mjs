// The README's update-client snippet ("Securing @capgo/capacitor-updater") as the whole app,
// with the README's service-worker recipe, built by Vite (the snippet's TypeScript as written)
// and by webpack 5 (the snippet with its types stripped), from the packed tarball, run in
// headless Chromium: autoBackend picks the web fallback, the client verifies and stages a
// sealed release served at the snippet's URL, `next` activates it at the reload, the service
// worker serves the new bundle and the reloaded app confirms it. Needs `bash scripts/build.sh`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { build as viteBuild } from "vite";
import webpack from "webpack";
import * as esbuild from "esbuild";
import * as ota from "../../dist/node.js";
import { ROOT, freshProject, launchChromium, serve } from "./lib.mjs";

const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const LINKS = ["@capacitor/core", "@capgo/capacitor-updater", "@capacitor/preferences"];
const MANIFEST_URL = "https://updates.example.com/app/manifest.json";

/** The first ``` block of `lang` after `heading` that contains `marker`. */
export function block(heading, lang, marker = "") {
  const at = README.indexOf(heading);
  assert.ok(at >= 0, `README has no ${heading}`);
  const re = new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g");
  re.lastIndex = at;
  for (let m = re.exec(README); m; m = re.exec(README)) if (m[1].includes(marker)) return m[1];
  assert.fail(`no ${lang} block with ${JSON.stringify(marker)} after ${heading}`);
}

const SNIPPET = block("## Securing @capgo/capacitor-updater", "ts", "autoBackend");
const SW = block("### The web fallback's service worker", "js", "otaseal/sw");
const VITE_CONFIG = block("### The web fallback's service worker", "js", "rollupOptions");
const WEBPACK_CONFIG = block("### The web fallback's service worker", "js", "entry:");
// After the snippet, at the module's top level: report what happened to the test.
const HOOK = `
(window as unknown as { __otaseal: unknown }).__otaseal = {
  platform, release: release ? release.manifest.version : null, status: await client.status(),
  served: document.querySelector('meta[name="otaseal-version"]')?.getAttribute("content") ?? "builtin",
};
`;
const INDEX = `<!doctype html>\n<html><head><meta charset="utf-8"><title>app</title></head><body><h1>app</h1>\n<script type="module" src="/src/main.ts"></script></body></html>\n`;

const keys = (() => {
  const signer = ota.keygen();
  return { signer, trust: ota.trustInit([signer.publicKeyPem], 1) };
})();

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => browser?.close());

/** A project with the snippet as src/main.{ts,js}, the worker as src/sw.js and trust.json. */
function project(name, main) {
  const dir = freshProject(name, { links: LINKS });
  fs.mkdirSync(path.join(dir, "src"));
  fs.writeFileSync(path.join(dir, "src", main.file), main.text);
  fs.writeFileSync(path.join(dir, "src/sw.js"), SW);
  fs.writeFileSync(path.join(dir, "src/trust.json"), keys.trust);
  return dir;
}

/** The release 2.0.0: the built index.html, marked, as the only file of the bundle. */
function release(dist) {
  const now = Math.floor(Date.now() / 1000);
  const index = fs.readFileSync(path.join(dist, "index.html"), "utf8").replace("<head>", '<head><meta name="otaseal-version" content="2.0.0">');
  return ota.seal(
    [{ path: "index.html", data: new TextEncoder().encode(index) }],
    { app: "com.example.app", channel: "production", platforms: ["web"], version: "2.0.0", issuedAt: now - 60, expiresAt: now + 86400 },
    [keys.signer.privateKeyPem],
    null,
  );
}

async function runInChromium(dist) {
  const sealed = release(dist);
  const server = await serve(dist);
  const context = await browser.newContext();
  const errors = [];
  const served = [];
  try {
    // The update server of the snippet's URL; the bundle is next to the manifest (no signed URL).
    await context.route("https://updates.example.com/**", (route) => {
      const url = route.request().url();
      served.push(url);
      if (url === MANIFEST_URL) return route.fulfill({ status: 200, contentType: "application/json", body: sealed.envelopeJson });
      if (url === new URL("bundle.zip", MANIFEST_URL).href) return route.fulfill({ status: 200, contentType: "application/zip", body: Buffer.from(sealed.bundle) });
      return route.fulfill({ status: 404, body: "not found" });
    });
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(String(e)));
    const load = async () => {
      await page.waitForFunction(() => window.__otaseal !== undefined, null, { timeout: 60_000 });
      return page.evaluate(() => window.__otaseal);
    };
    await page.goto(server.url);
    const first = await load();
    assert.deepEqual(errors, []);
    assert.equal(first.platform, "web");
    assert.equal(first.served, "builtin");
    assert.equal(first.release, "2.0.0", "check() found the release");
    // The snippet's rotationUrl: rotation 2 is looked for (404: none published) before the check.
    assert.deepEqual(served, [MANIFEST_URL, new URL("trust/2.json", MANIFEST_URL).href, new URL("bundle.zip", MANIFEST_URL).href]);

    // The reload is the "next launch": the service worker serves 2.0.0, whose page confirms it.
    await page.reload();
    const second = await load();
    assert.deepEqual(errors, []);
    assert.equal(second.served, "2.0.0", "the service worker serves the staged bundle");
    assert.equal(second.release, null, "nothing newer than 2.0.0");
    assert.equal(second.status.current.version, "2.0.0", "the web updater runs 2.0.0");
    assert.equal(second.status.floor.version, "2.0.0", "confirmed: 2.0.0 is the new floor");
    return { first, second };
  } finally {
    await context.close();
    await server.close();
  }
}

test("Vite: the README snippet and service-worker recipe install a verified release in Chromium", { timeout: 240_000 }, async () => {
  const dir = project("webfb-vite", { file: "main.ts", text: SNIPPET + HOOK });
  fs.writeFileSync(path.join(dir, "index.html"), INDEX);
  fs.writeFileSync(path.join(dir, "vite.config.js"), VITE_CONFIG);
  await viteBuild({ root: dir, logLevel: "error", configFile: path.join(dir, "vite.config.js") });
  assert.ok(fs.existsSync(path.join(dir, "dist/sw.js")), "the recipe puts the worker at /sw.js");
  await runInChromium(path.join(dir, "dist"));
});

test("webpack: the README snippet and service-worker recipe install a verified release in Chromium", { timeout: 240_000 }, async () => {
  // webpack has no TypeScript of its own: the snippet with its types stripped (esbuild).
  const js = (await esbuild.transform(SNIPPET + HOOK, { loader: "ts", format: "esm" })).code;
  const dir = project("webfb-webpack", { file: "main.js", text: js });
  const recipe = (await import(`data:text/javascript,${encodeURIComponent(WEBPACK_CONFIG)}`)).default;
  const config = {
    ...recipe,
    mode: "production",
    context: dir,
    output: { ...recipe.output, path: path.join(dir, "dist") },
    // The app's own `?raw` import of trust.json (Vite's syntax) as webpack spells it; nothing for otaseal.
    module: { rules: [{ resourceQuery: /raw/, type: "asset/source" }] },
    performance: { hints: false },
  };
  const stats = await new Promise((resolve, reject) => webpack(config, (e, s) => (e ? reject(e) : resolve(s))));
  assert.ok(!stats.hasErrors(), stats.toString("errors-only"));
  const main = fs.readdirSync(path.join(dir, "dist")).find((f) => /^main\..*\.js$/.test(f));
  fs.writeFileSync(path.join(dir, "dist/index.html"), INDEX.replace('type="module" src="/src/main.ts"', `defer src="/${main}"`));
  assert.ok(fs.existsSync(path.join(dir, "dist/sw.js")), "the recipe puts the worker at /sw.js");
  await runInChromium(path.join(dir, "dist"));
});
