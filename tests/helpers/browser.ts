// The gate of the tests that open a page in a browser: they run with the Chromium or Chrome that
// scripts/find-browser.ts finds. Without one they are skipped (and tests/setup/browser-notice.ts
// prints one line saying how to run them), except under NNC_BROWSER_TESTS=required (.ci/run) or
// with a CHROME_PATH that is wrong: then they run and fail at once, saying why.
//
//   itWithBrowser("renders", async () => { const path = browserExecutable(); ... });

import { writeFileSync } from "node:fs";
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
