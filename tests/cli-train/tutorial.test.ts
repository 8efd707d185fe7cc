// docs/tutorial.md, executed in a fresh copy of the repository (tests/helpers/repo-copy.ts) as
// one terminal session: every `sh` block runs in order (a `cd` carries over to the next block,
// `npx` finds nnc, tsx and esbuild as after `npm install`), every `file=NAME` block is written
// into the session's folder first, every `shows=PATH` block must equal that repository file, and
// every `text output` block must appear in what the preceding commands printed. The tutorial
// works in a folder of its own: afterwards nothing outside `tutorial/` has changed, and
// .gitignore keeps that folder out of `git status`. Then the web page the tutorial builds is
// opened in headless Chromium (playwright-core; skipped without a browser, see
// tests/helpers/browser.ts): its predictions must be the generated module's, also after
// clicking "train 100 more epochs", and they must be the ones the tutorial shows.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { browserExecutable, itWithBrowser } from "../helpers/browser.js";
import { fencedBlocks as blocks } from "../helpers/markdown.js";
import { REPO_ROOT as ROOT, changedFiles, copyOfRepo, fileSnapshot, removeCopy, userEnv } from "../helpers/repo-copy.js";

/** Timings differ run to run; everything else nnc prints is deterministic. */
function normalize(line: string): string {
  return line.replace(/\d+ samples in [\d.]+m?s \([\d,–]+\/s\)/, "N samples in T").trimEnd();
}

const scratch = mkdtempSync(join(tmpdir(), "nnc-tutorial-session-"));
const pwdFile = join(scratch, "pwd");

/** Runs `script` in `cwd` as a terminal would; returns the folder it ended in, for the next block. */
function runShell(script: string, cwd: string): Promise<{ code: number | null; output: string; cwd: string }> {
  // One stream, in order: stderr lines (nnc's "saved …" notes) interleave as in a terminal.
  const session = `exec 2>&1\n${script}\nprintf %s "$PWD" > ${JSON.stringify(pwdFile)}`;
  const child = spawn("bash", ["-e", "-o", "pipefail", "-c", session], { cwd, env: userEnv(scratch), stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (output += c));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output, cwd: code === 0 ? readFileSync(pwdFile, "utf8") : cwd }));
  });
}

const markdown = readFileSync(join(ROOT, "docs", "tutorial.md"), "utf8");
const repo = copyOfRepo("tutorial");
/** Where the session ended: the tutorial's own folder. */
let work = repo;
afterAll(() => {
  removeCopy(repo);
  rmSync(scratch, { recursive: true, force: true });
});

describe("docs/tutorial.md", () => {
  it("its commands run as written and print what it shows", { timeout: 240_000 }, async () => {
    const before = fileSnapshot(repo);
    let last = { code: 0 as number | null, output: "", line: 0 };
    let ran = 0;
    let checked = 0;
    for (const b of blocks(markdown)) {
      const where = `docs/tutorial.md:${b.line}`;
      if (typeof b.attrs["shows"] === "string") {
        expect(b.body, `${where} shows ${b.attrs["shows"]}`).toBe(readFileSync(join(ROOT, b.attrs["shows"]), "utf8"));
      } else if (typeof b.attrs["file"] === "string") {
        writeFileSync(join(work, b.attrs["file"]), b.body);
      } else if (b.lang === "sh") {
        const r = await runShell(b.body, work);
        work = r.cwd;
        last = { ...r, line: b.line };
        expect(r.code, `${where} failed:\n${b.body}\n${r.output}`).toBe(0);
        ran++;
      } else if (b.lang === "text" && b.attrs["output"]) {
        // Each shown line (except "...") appears, in order, in the output of the commands above it.
        const actual = last.output.split("\n").map(normalize);
        let at = 0;
        for (const want of b.body.split("\n").filter((l) => l.trim() !== "" && l.trim() !== "...")) {
          const found = actual.indexOf(normalize(want), at);
          expect(found, `${where}: the commands at docs/tutorial.md:${last.line} did not print\n  ${want}\nThey printed:\n${last.output}`).toBeGreaterThanOrEqual(0);
          at = found + 1;
        }
        checked++;
      }
    }
    expect(ran).toBeGreaterThanOrEqual(5);
    expect(checked).toBeGreaterThanOrEqual(4);

    // The tutorial's program type-checks against the module it compiled (tsx alone does not check;
    // --ignoreConfig: the repository's tsconfig.json above is not the user's).
    const tsc = await runShell(
      `${JSON.stringify(join(ROOT, "node_modules", ".bin", "tsc"))} --ignoreConfig --noEmit --strict --target es2022 --module nodenext --moduleResolution nodenext --types node --typeRoots ${JSON.stringify(join(ROOT, "node_modules", "@types"))} train.ts`,
      work,
    );
    expect(tsc.output).toBe("");
    expect(tsc.code).toBe(0);

    // Everything the tutorial wrote is in its own folder, which git ignores. (The first `npx nnc`
    // in a clone installs it into npm's cache, which runs `prepare`: dist/ is rebuilt.)
    expect(relative(repo, work)).toBe("tutorial");
    expect(changedFiles(repo, before, (path) => path.startsWith("tutorial/") || path.startsWith("dist/"))).toEqual([]);
    expect(readFileSync(join(ROOT, ".gitignore"), "utf8").split("\n")).toContain("/tutorial/");
  });

  itWithBrowser("its web page shows the generated module's predictions in Chromium", { timeout: 120_000 }, async () => {
    const executablePath = browserExecutable();
    const page = join(work, "index.html");
    expect(existsSync(join(work, "parity.js")), "the tutorial's esbuild step did not run").toBe(true);

    // The numbers the page should show: the same module, in Node.
    const parity = (await import(/* @vite-ignore */ pathToFileURL(join(work, "parity.ts")).href)) as {
      init(seed: number): Float64Array;
      fit(p: Float64Array, xs: number[][], ys: number[][], o: object): unknown;
      predict(p: Float64Array, x: number[]): Float64Array;
      evaluate(p: Float64Array, xs: number[][], ys: number[][]): { loss: number; accuracy: number };
    };
    const xs = [[0], [2], [4], [6], [8]];
    const ys = [[0], [1], [1], [1], [0]];
    const params = parity.init(0);
    parity.fit(params, xs, ys, { epochs: 100, seed: 0 });
    const expected = () => ({
      rows: xs.map((x, i) => [String(x[0]), String(ys[i]![0]), parity.predict(params, x)[0]!] as const),
      ...parity.evaluate(params, xs, ys),
    });

    const browser = await chromium.launchPersistentContext(join(scratch, "chromium-profile"), {
      executablePath,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      viewport: { width: 800, height: 600 },
    });
    try {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on("pageerror", (e) => errors.push(e.message));
      await tab.goto(pathToFileURL(page).href);
      const shown = async () => ({
        rows: await tab.$$eval("#predictions tr", (trs) => trs.map((tr) => [...tr.children].map((td) => ({ text: td.textContent ?? "", value: td.getAttribute("data-value") })))),
        loss: await tab.textContent("#loss"),
        accuracy: await tab.textContent("#accuracy"),
        status: await tab.textContent("#status"),
      });
      const compare = async (epochs: number) => {
        await tab.waitForFunction((n) => document.getElementById("status")?.textContent?.includes(`trained ${n} epochs`), epochs);
        const got = await shown();
        const want = expected();
        expect(got.rows.length).toBe(5);
        got.rows.forEach((cells, i) => {
          const [x, y, p] = want.rows[i]!;
          expect(cells.map((c) => c.text)).toEqual([x, y, p.toFixed(4)]);
          // Chromium's V8 and Node's run the same code on the same doubles.
          expect(Math.abs(Number(cells[2]!.value) - p)).toBeLessThan(1e-12);
        });
        expect([got.loss, got.accuracy]).toEqual([want.loss.toFixed(4), want.accuracy.toFixed(4)]);
        return got;
      };

      const first = await compare(100);
      // What docs/tutorial.md says the page shows.
      const pageBlock = blocks(markdown).find((b) => b.lang === "text" && b.attrs["page"])!;
      const table = pageBlock.body.trim().split("\n");
      expect(table.slice(1, 6).map((l) => l.trim().split(/\s+/))).toEqual(first.rows.map((r) => r.map((c) => c.text)));
      expect(table[6]).toBe(`evaluate: loss ${first.loss}, accuracy ${first.accuracy}`);

      const shot = join(work, "page.png");
      await tab.screenshot({ path: shot });
      const png = readFileSync(shot);
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      // Every prediction cell lies inside the screenshot's viewport.
      for (const box of await tab.$$eval("#predictions td", (tds) => tds.map((td) => td.getBoundingClientRect().toJSON() as DOMRect))) {
        expect(box.bottom).toBeLessThanOrEqual(600);
        expect(box.width).toBeGreaterThan(0);
      }

      // The button trains 100 more epochs (a second fit call, as in Node).
      await tab.click("#train");
      parity.fit(params, xs, ys, { epochs: 100, seed: 0 });
      await compare(200);

      await tab.fill("#x", "5");
      expect(await tab.textContent("#y")).toBe(parity.predict(params, [5])[0]!.toFixed(4));
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
