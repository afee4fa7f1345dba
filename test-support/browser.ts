/**
 * Headless Chromium for the page tests (Debian's /usr/bin/chromium, driven by puppeteer-core): a fresh
 * profile each launch, no network, console errors and page errors collected, screenshots kept.
 */
import { afterAll, beforeAll } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const BROWSER_HOOK_MS = 30_000;
/** Where screenshots go: CI keeps this folder as its artifacts. */
export const SCREENSHOTS = fileURLToPath(new URL("../bench/out/screenshots", import.meta.url));

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--hide-scrollbars",
];

export interface OpenPage {
  page: Page;
  /** Console messages of type error, and uncaught page errors, in order. */
  errors: string[];
  /** Requests that left the file system (a self-contained page makes none). */
  requests: string[];
}

export class Chromium {
  private constructor(
    private readonly browser: Browser,
    private readonly profile: string,
  ) {}

  static async launch(): Promise<Chromium> {
    const profile = mkdtempSync(join(tmpdir(), "mems-chromium-"));
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...FLAGS, `--user-data-dir=${profile}`],
    });
    return new Chromium(browser, profile);
  }

  /** Opens a file in a new page of `width` CSS pixels and waits until it has loaded. */
  async open(file: string, width = 1400): Promise<OpenPage> {
    const page = await this.browser.newPage();
    await page.setViewport({ width, height: 900 });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error instanceof Error ? error.message : String(error)));
    page.on("request", (request) => {
      if (!request.url().startsWith("file:") && !request.url().startsWith("data:")) requests.push(request.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    return { page, errors, requests };
  }

  async close(): Promise<void> {
    await this.browser.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}

/** Saves a full-page screenshot under SCREENSHOTS and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: path as `${string}.png`, fullPage: true });
  return path;
}

/**
 * One Chromium and one scratch folder for a test file's page tests: launched before its tests, closed and
 * removed after them. `chromium` is the browser once launched.
 */
export function browserPerFile(prefix: string): { readonly dir: string; readonly chromium: Chromium } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let launched: Chromium | undefined;
  // Chromium takes seconds to start and to stop on a loaded machine: more than a hook's default 5 s.
  beforeAll(async () => {
    launched = await Chromium.launch();
  }, BROWSER_HOOK_MS);
  afterAll(async () => {
    await launched?.close();
    rmSync(dir, { recursive: true, force: true });
  }, BROWSER_HOOK_MS);
  return {
    dir,
    get chromium(): Chromium {
      if (launched === undefined) throw new Error("Chromium is launched before the file's tests run");
      return launched;
    },
  };
}

/**
 * Elements that do not fit the page's window: their box reaches past its right edge, or their content is
 * wider than they are (hidden behind a scroll bar, or clipped). Each as "tag.class: N px", at most 10.
 */
export async function overflowing(page: Page): Promise<string[]> {
  return await page.$$eval("body *", (elements) => {
    const width = elements[0]?.ownerDocument.documentElement.clientWidth ?? 0;
    const found: string[] = [];
    for (const element of elements) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // not drawn (a closed <details>, a <script>)
      const inSvg = element.namespaceURI === "http://www.w3.org/2000/svg";
      const hidden = !inSvg && element.scrollWidth > element.clientWidth + 1;
      if (box.right > width + 0.5 || hidden) {
        const name = `${element.tagName.toLowerCase()}.${element.getAttribute("class") ?? ""}`;
        found.push(`${name}: ${Math.round(box.right)} px, content ${element.scrollWidth} px in ${element.clientWidth} px`);
      }
    }
    return found.slice(0, 10);
  });
}
