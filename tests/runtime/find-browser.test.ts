// scripts/find-browser.ts finds a browser the usual ways, in order: CHROME_PATH, the usual names
// on PATH, playwright's own download; a CHROME_PATH that is wrong is an error, never a skip.

import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { browserRequired, findBrowser } from "../../scripts/find-browser.js";

const dir = mkdtempSync(join(tmpdir(), "nnc-find-browser-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeExecutable(folder: string, name: string, mode = 0o755): string {
  mkdirSync(join(dir, folder), { recursive: true });
  const path = join(dir, folder, name);
  writeFileSync(path, "#!/bin/sh\n");
  chmodSync(path, mode);
  return path;
}

const NONE = join(dir, "no-such-managed-browser");

describe("findBrowser", () => {
  it("takes the first usual name on PATH, in the order of the names, then of PATH", () => {
    const chrome = fakeExecutable("a", "google-chrome");
    const chromium = fakeExecutable("b", "chromium");
    fakeExecutable("c", "chromium");
    const PATH = [join(dir, "a"), join(dir, "b"), join(dir, "c")].join(":");
    expect(findBrowser({ PATH }, NONE)).toEqual({ path: chromium });
    expect(findBrowser({ PATH: join(dir, "a") }, NONE)).toEqual({ path: chrome });
  });

  it("skips files that are not executable, and folders", () => {
    fakeExecutable("plain", "chromium", 0o644);
    mkdirSync(join(dir, "dirs", "chromium"), { recursive: true });
    const PATH = [join(dir, "plain"), join(dir, "dirs")].join(":");
    expect(findBrowser({ PATH }, NONE)).toHaveProperty("missing");
  });

  it("prefers CHROME_PATH, and calls a wrong one an error", () => {
    const mine = fakeExecutable("mine", "my-chrome");
    const PATH = join(dir, "b");
    expect(findBrowser({ PATH, CHROME_PATH: mine }, NONE)).toEqual({ path: mine });
    expect(findBrowser({ PATH, CHROME_PATH: join(dir, "nope") }, NONE)).toEqual({ error: `CHROME_PATH is '${join(dir, "nope")}', which is not an executable file` });
  });

  it("falls back to playwright's download, and otherwise says what it looked for", () => {
    const managed = fakeExecutable("ms-playwright", "chrome");
    expect(findBrowser({ PATH: "" }, managed)).toEqual({ path: managed });
    expect(findBrowser({ PATH: join(dir, "empty") }, NONE)).toEqual({
      missing: "no Chromium or Chrome found (CHROME_PATH is not set; none of chromium, chromium-browser, google-chrome, google-chrome-stable, chrome is on PATH)",
    });
  });

  it("is required only when NNC_BROWSER_TESTS=required (as .ci/run sets it)", () => {
    expect(browserRequired({})).toBe(false);
    expect(browserRequired({ NNC_BROWSER_TESTS: "required" })).toBe(true);
  });
});
