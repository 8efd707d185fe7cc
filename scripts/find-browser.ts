// Finds a Chromium or Chrome for the tests that open generated pages in a browser
// (playwright-core drives it and downloads none). Looked for, in order: $CHROME_PATH, the usual
// names on PATH, then a browser installed by `npx playwright install chromium`.
//
//   const found = findBrowser();   // { path } | { missing: "how to get one" } | { error }
//   node --import tsx scripts/find-browser.ts   prints the path, or the how-to line and exits 1
//
// The tests skip when none is found, unless NNC_BROWSER_TESTS=required (set by .ci/run), where a
// missing browser is a failure.

import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

/** Executable names of Chromium and Chrome on Linux distributions and in Docker images. */
export const BROWSER_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"];

export const HOW_TO_GET_ONE = "install Chromium or Chrome (Debian/Ubuntu: apt-get install chromium) or set CHROME_PATH to its executable";

export type BrowserSearch = { path: string } | { missing: string } | { error: string };

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `managed`: where `npx playwright install chromium` puts its browser (a parameter for tests). */
export function findBrowser(env: NodeJS.ProcessEnv = process.env, managed: string = chromium.executablePath()): BrowserSearch {
  const explicit = env["CHROME_PATH"];
  if (explicit) {
    // Set on purpose: a wrong path is an error to fix, never a silent skip.
    return isExecutableFile(explicit) ? { path: explicit } : { error: `CHROME_PATH is '${explicit}', which is not an executable file` };
  }
  const dirs = (env["PATH"] ?? "").split(delimiter).filter(Boolean);
  for (const name of BROWSER_NAMES) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (isExecutableFile(path)) return { path };
    }
  }
  if (managed && isExecutableFile(managed)) return { path: managed };
  return { missing: `no Chromium or Chrome found (CHROME_PATH is not set; none of ${BROWSER_NAMES.join(", ")} is on PATH)` };
}

/** Whether a missing browser must fail the browser tests instead of skipping them. */
export function browserRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env["NNC_BROWSER_TESTS"] === "required";
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const found = findBrowser();
  if ("path" in found) {
    process.stdout.write(`${found.path}\n`);
  } else {
    process.stderr.write(`${"error" in found ? found.error : found.missing}: ${HOW_TO_GET_ONE}\n`);
    process.exitCode = 1;
  }
}
