// The gate of the tests that open a page in a browser: they run with the Chromium or Chrome that
// scripts/find-browser.ts finds. Without one they are skipped (and tests/setup/browser-notice.ts
// prints one line saying how to run them), except under NNC_BROWSER_TESTS=required (.ci/run) or
// with a CHROME_PATH that is wrong: then they run and fail at once, saying why.
//
//   itWithBrowser("renders", async () => { const path = browserExecutable(); ... });

import { writeFileSync } from "node:fs";
import { type Browser, type Page, chromium } from "playwright-core";
import { it } from "vitest";
import { HOW_TO_GET_ONE, browserRequired, findBrowser } from "../../scripts/find-browser.js";

const found = findBrowser();
const skipping = "missing" in found && !browserRequired();
const note = process.env["NNC_BROWSER_SKIP_NOTE"];
if (skipping && note) writeFileSync(note, "");

export const itWithBrowser = skipping ? it.skip : it;

/** The browser to launch; throws the reason and the remedy when there is none. */
export function browserExecutable(): string {
  if ("path" in found) return found.path;
  throw new Error(`${"error" in found ? found.error : found.missing}: ${HOW_TO_GET_ONE}`);
}

/** Headless Chromium as the browser tests run it (no sandbox, GPU or background network). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: browserExecutable(),
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** The page's errors as they come: uncaught exceptions and console.error lines. */
export function pageErrors(tab: Page): string[] {
  const errors: string[] = [];
  tab.on("pageerror", (e) => errors.push(e.message));
  tab.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  return errors;
}
