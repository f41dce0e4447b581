// Starts the update server and a headless Chromium (Debian's /usr/bin/chromium via
// playwright-core, fresh profile) for the browser end-to-end tests.
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "../../server/update-server.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Screenshots and logs go here (git-ignored). */
export const OUTPUT = path.join(ROOT, "test-results", "browser");

export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

export async function start({ appReadyTimeoutMs = 2500, slowChunkDelayMs = 150, releaseDir } = {}) {
  mkdirSync(OUTPUT, { recursive: true });
  const server = await startServer({ port: 0, appReadyTimeoutMs, slowChunkDelayMs, ...(releaseDir ? { releaseDir } : {}) });
  const profile = mkdtempSync(path.join(tmpdir(), "otaseal-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const logs = [];
  context.on("console", (m) => logs.push(`[${m.type()}] ${m.text()}`));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => logs.push(`[pageerror] ${e.message}`));
  const openTestPage = async () => {
    await page.goto(server.url);
    await page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });
  };
  return {
    server,
    context,
    page,
    logs,
    openTestPage,
    async stop() {
      await context.close().catch(() => undefined);
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Clicks a variant's button and waits for the page's verdict: { code, state, text }. */
export async function runVariant(page, id) {
  await page.click(`#variant-${id}`, { force: true });
  await page.waitForSelector(`#result[data-variant="${id}"]:not([data-state="running"])`, { timeout: 20_000 });
  return page.$eval("#result", (r) => ({ code: r.dataset.code, state: r.dataset.state, text: r.textContent }));
}
