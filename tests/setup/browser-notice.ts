// Vitest global setup: when the run skipped browser tests (no Chromium or Chrome found, see
// tests/helpers/browser.ts), says so once, at the end, with how to run them. The test files tell
// it through a marker file named in NNC_BROWSER_SKIP_NOTE (workers inherit the environment).

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HOW_TO_GET_ONE, findBrowser } from "../../scripts/find-browser.js";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "nnc-browser-note-"));
  const marker = join(dir, "skipped");
  process.env["NNC_BROWSER_SKIP_NOTE"] = marker;
  return () => {
    const found = findBrowser();
    if (existsSync(marker) && "missing" in found) {
      process.stdout.write(`\nnnc: the browser tests were skipped: ${found.missing}. To run them, ${HOW_TO_GET_ONE}.\n`);
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
