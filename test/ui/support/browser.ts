import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { e2e } from "../../support/e2e.js";

e2e("a browser (Chromium) and the built web UI (dist/ui)");

/** Debian's Chromium (scripts/system-deps.sh installs it); never a browser downloaded by a test tool. */
export const CHROMIUM = "/usr/bin/chromium";

/** The flags that work on a machine with a closed network (no background calls home, no sandbox as root). */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const SCREENSHOTS = join(import.meta.dirname, "..", "..", "..", ".cache", "ui-screenshots");

/** A fresh browser (Playwright gives each launch its own new, empty user data directory). */
export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true, timeout: 60_000 });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** A page whose console errors and page errors are collected: a test ends with `expectClean`. */
export interface Watched {
  context: BrowserContext;
  page: Page;
  /** Every console error and uncaught page error, in words. */
  errors: string[];
  /** Screenshots the whole page to .cache/ui-screenshots/<prefix>-<name>.png; answers the path. */
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function open(
  browser: Browser,
  baseURL: string,
  prefix: string,
  opts: { viewport?: { width: number; height: number }; colorScheme?: "light" | "dark" } = {},
): Promise<Watched> {
  const context = await browser.newContext({
    baseURL,
    viewport: opts.viewport ?? DESKTOP,
    colorScheme: opts.colorScheme ?? "light",
    acceptDownloads: true,
  });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  page.on("pageerror", (err) => errors.push(`page error: ${err.message}`));
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    context,
    page,
    errors,
    async shot(name: string) {
      const path = join(SCREENSHOTS, `${prefix}-${name}.png`);
      await page.screenshot({ path, fullPage: true, animations: "disabled" });
      return path;
    },
    close: () => context.close(),
  };
}

/** The errors not expected by the test (each expected one named by a piece of its text). */
export function unexpected(errors: string[], allowed: RegExp[] = []): string[] {
  return errors.filter((e) => !allowed.some((re) => re.test(e)));
}

/** Signs in on the sign-in form with a key (the page must show the form). */
export async function signInWithKey(page: Page, key: string): Promise<void> {
  await page.getByLabel("Admin key, or your own lx- key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** Waits for a part of the page; when the page shows an error instead, fails with the page's own words. */
export async function shownOrRefused(w: Watched, part: Locator): Promise<void> {
  const alert = w.page.getByRole("alert");
  await part.or(alert).first().waitFor();
  if (await alert.isVisible()) throw new Error(`the page says: ${await alert.innerText()}`);
}
