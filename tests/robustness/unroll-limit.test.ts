// Forced unrolling has a limit (docs/errors.md C13): `--unroll always` on a model whose training
// kernel would be millions of straight-line operations per sample (the MNIST CNN: 17 million,
// minutes of compiling and a file of hundreds of MB) is refused at once with a user error that
// says what to do instead, by every command that takes --unroll, and writes nothing.

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const NNC = fileURLToPath(new URL("../../bin/nnc.js", import.meta.url));
const CNN = fileURLToPath(new URL("../../dsl-examples/mnist_cnn.nn", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "nnc-unroll-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function nnc(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [NNC, ...args], { cwd: dir, env: { ...process.env, NNC_DEBUG: "" }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const REFUSAL =
  /^nnc: error: --unroll always: mnist_cnn\.nn's training kernel would be written out as 17,230,779 operations per sample; forced unrolling stops at 1,000,000 .*leave out --unroll always: the default unrolls what fits V8's budget and writes loops for the rest\n$/;

describe("--unroll always past its limit", () => {
  it.each([
    ["compile", [CNN, "--batch", "never", "--unroll", "always", "-o", "cnn.ts"]],
    ["--emit program", [CNN, "--batch", "never", "--unroll", "always", "--emit", "program"]],
    ["check", ["check", CNN, "--unroll", "always", "--batch", "never"]],
  ])("[C13] %s is refused at once, writing nothing", async (_what, args) => {
    const run = await nnc(args);
    expect(run.stderr).toMatch(REFUSAL);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(existsSync(join(dir, "cnn.ts"))).toBe(false);
  });
});
