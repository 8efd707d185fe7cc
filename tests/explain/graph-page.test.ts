// The `nnc graph -o graph.html` page opens in headless Chromium or Chrome (found by
// scripts/find-browser.ts; skipped without one, see tests/helpers/browser.ts) without page
// errors, shows the SVG at a real size, and screenshots.

import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, describe, expect } from "vitest";
import { graphOutput } from "../../compiler/cli/graph-command.js";
import { browserExecutable, itWithBrowser } from "../helpers/browser.js";
import { model } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "nnc-graph-page-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("nnc graph -o page.html", () => {
  itWithBrowser("renders in headless Chromium without errors", async () => {
    const executablePath = browserExecutable();
    const m = model("parity");
    const page = join(dir, "parity.html");
    writeFileSync(page, await graphOutput(m.source, m.file, page));
    // launch() gives the browser a fresh temporary profile (--user-data-dir) of its own.
    const browser = await chromium.launch({
      executablePath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const tab = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const errors: string[] = [];
      tab.on("pageerror", (e) => errors.push(e.message));
      tab.on("console", (msg) => {
        if (msg.type() === "error") errors.push(msg.text());
      });
      await tab.goto(pathToFileURL(page).href);
      const box = await tab.locator("figure svg").boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(300);
      expect(box?.height ?? 0).toBeGreaterThan(300);
      expect(await tab.locator("figure svg g.node").count()).toBeGreaterThan(20);
      expect(await tab.locator("pre").innerText()).toContain("∂L/∂W_h");
      const shot = join(dir, "parity.png");
      await tab.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
