/**
 * Pictures of preview pages, taken by a headless Chromium (Debian's `chromium`, or the browser O11Y_CHROMIUM
 * names) driven by playwright-core. playwright-core is loaded only here, when a picture is asked for: no other
 * command pays for it.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { pageWidth } from "./preview.ts";
import { importModule } from "../import-module.ts";

export const defaultChromium = "/usr/bin/chromium";

/** No browser to take pictures with: said with what to install, and the command stops. */
export class ChromiumMissing extends Error {}

/** The browser: O11Y_CHROMIUM, else Debian's chromium; throws ChromiumMissing when it is not there. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env, debian = defaultChromium): string {
  const named = env.O11Y_CHROMIUM;
  const binary = named || debian;
  if (!existsSync(binary))
    throw new ChromiumMissing(
      named
        ? `O11Y_CHROMIUM=${named}: there is no such file`
        : `pictures need Chromium, and ${debian} is not there: install it (Debian and its derivatives: apt-get install chromium), or set O11Y_CHROMIUM to a Chromium or Chrome binary`,
    );
  return binary;
}

/** Flags for a quiet, reproducible headless browser that calls no one. */
export const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--hide-scrollbars",
  "--font-render-hinting=none",
];

type Playwright = typeof import("playwright-core");

export interface Browser {
  /** A full-page PNG of the page at `file`, once its panels are drawn, `width` pixels wide. */
  picture(file: string, width?: number): Promise<Buffer>;
  /** The page at `file`, open, for a test to look into; closed with the browser. */
  open(file: string, width?: number): Promise<import("playwright-core").Page>;
  close(): Promise<void>;
}

/** Starts the browser with a fresh profile, removed on close. */
export async function startBrowser(executable = chromiumPath()): Promise<Browser> {
  // Not a literal `import()`, which esbuild would follow: the CLI's bundle must not load playwright-core for every
  // command.
  const { chromium } = (await importModule("playwright-core")) as Playwright;
  const profile = mkdtempSync(path.join(tmpdir(), "o11y-chromium-"));
  let context: import("playwright-core").BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: executable,
      headless: true,
      args: chromiumFlags,
      viewport: { width: pageWidth, height: 900 },
      deviceScaleFactor: 1,
      timezoneId: "UTC",
      locale: "en-US",
      colorScheme: "dark",
      offline: true,
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw new ChromiumMissing(`${executable} did not start: ${(error as Error).message.split("\n")[0]}`);
  }
  const open = async (file: string, width = pageWidth) => {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    // Pages with data say when their panels are drawn; pages without have no script and are done when loaded.
    await page.waitForFunction(
      () => !document.querySelector("script#o11y-data") || document.documentElement.dataset.drawn === "yes",
      undefined,
      { timeout: 30_000 },
    );
    return page;
  };
  return {
    open,
    async picture(file, width) {
      const page = await open(file, width);
      try {
        return await page.screenshot({ fullPage: true, type: "png", animations: "disabled" });
      } finally {
        await page.close();
      }
    },
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}
