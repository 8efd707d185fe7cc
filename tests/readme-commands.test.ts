// README.md, executed: every command of its ```sh blocks runs as written, in the order given, in
// a fresh copy of the repository (tests/helpers/repo-copy.ts: nothing reaches the checkout), and
// must exit 0 without an error message; a ```ts file=NAME block is written where it appears, so
// `npx tsx use.ts` runs the README's program as written, and that program type-checks. Commands
// that take minutes or reinstall are skipped, each for the reason in SKIPPED.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fencedBlocks } from "./helpers/markdown.js";
import { REPO_ROOT, copyOfRepo, removeCopy, userEnv } from "./helpers/repo-copy.js";

const SKIPPED: { command: RegExp; why: string }[] = [
  { command: /^npm install\b/, why: "installs from the registry; the copy links this checkout's node_modules, as after `npm install`" },
  { command: /^npm test\b/, why: "is the run this test is part of" },
  { command: /^npm run demo:mnist\b/, why: "trains MNIST for 10 epochs (minutes)" },
  { command: /^npm run bench(:accuracy)?\b/, why: "benchmarks take minutes" },
  { command: /^npm run select:mnist\b/, why: "cross-validates on MNIST (minutes)" },
];

interface Step {
  command: string;
  line: number;
}

/** The README's commands in order: each line of a sh block, split at `&&`; files to write between them. */
function readmeSteps(markdown: string): (Step | { file: string; body: string })[] {
  const steps: (Step | { file: string; body: string })[] = [];
  for (const b of fencedBlocks(markdown)) {
    if (typeof b.attrs["file"] === "string") steps.push({ file: b.attrs["file"], body: b.body });
    if (b.lang !== "sh") continue;
    b.body.split("\n").forEach((text, i) => {
      for (const part of text.split(" && ")) {
        const command = part.trim();
        if (command !== "" && !command.startsWith("#")) steps.push({ command, line: b.line + 1 + i });
      }
    });
  }
  return steps;
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn("bash", ["-e", "-o", "pipefail", "-c", `exec 2>&1\n${command}`], { cwd, env, stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (output += c));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

const markdown = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
const repo = copyOfRepo("readme");
const scratch = mkdtempSync(join(tmpdir(), "nnc-readme-session-"));
afterAll(() => {
  removeCopy(repo);
  rmSync(scratch, { recursive: true, force: true });
});

describe("README.md", () => {
  it("every command works as written on a fresh clone, in the order given", { timeout: 300_000 }, async () => {
    const env = userEnv(scratch);
    const ran: string[] = [];
    const skipped = new Set<RegExp>();
    const outputs = new Map<string, string>();
    for (const step of readmeSteps(markdown)) {
      if ("file" in step) {
        writeFileSync(join(repo, step.file), step.body);
        continue;
      }
      const skip = SKIPPED.find((s) => s.command.test(step.command));
      if (skip) {
        skipped.add(skip.command);
        continue;
      }
      const r = await run(step.command, repo, env);
      expect(r.code, `README.md:${step.line}: \`${step.command}\` failed:\n${r.output}`).toBe(0);
      expect(r.output, `README.md:${step.line}: \`${step.command}\``).not.toMatch(/\berror:|ERR_[A-Z]/);
      ran.push(step.command);
      outputs.set(step.command, r.output);
    }
    // Every skip still names a README command (a renamed script must not be skipped silently).
    expect(SKIPPED.filter((s) => !skipped.has(s.command)).map((s) => String(s.command))).toEqual([]);
    expect(ran.length).toBeGreaterThanOrEqual(15);
    expect(ran).toContain("npx tsx use.ts");
    expect(outputs.get("npx tsx use.ts")).toMatch(/accuracy/);
    expect(ran.some((c) => c.includes("--data dsl-examples/parity.csv"))).toBe(true);
    expect(readFileSync(join(repo, "predictions.csv"), "utf8").split("\n")[0]).toBe("out");

    // The program type-checks against the module it uses (tsx alone does not check; the
    // repository's tsconfig.json is not a user's, hence --ignoreConfig).
    const tsc = join(REPO_ROOT, "node_modules", ".bin", "tsc");
    const types = join(REPO_ROOT, "node_modules", "@types");
    const check = await run(`${JSON.stringify(tsc)} --ignoreConfig --noEmit --strict --target es2022 --module nodenext --moduleResolution nodenext --types node --typeRoots ${JSON.stringify(types)} use.ts`, repo, env);
    expect(check.output).toBe("");
    expect(check.code).toBe(0);
  });
});
