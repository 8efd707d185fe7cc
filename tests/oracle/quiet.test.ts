// The TensorFlow.js comparisons print nothing of tfjs' own: its "running TensorFlow.js in
// Node.js" banner is silenced by tests/helpers/tfjs-cpu.ts, and every test takes tfjs from there.

import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TESTS = join(ROOT, "tests");
const HELPER = join(TESTS, "helpers", "tfjs-cpu.ts");
const BANNER = /running TensorFlow\.js in Node\.js/;

/** Node running `code` as an ES module with tsx's loader; resolves with all it printed. */
function runModule(code: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { cwd: ROOT }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(stdout + stderr);
    });
  });
}

const FIRST_TENSOR = `console.log("sum", tf.sum(tf.tensor([1, 2, 3])).dataSync()[0]);`;

describe("TensorFlow.js in the tests", () => {
  it("prints no banner through tests/helpers/tfjs-cpu.ts (and does without it)", async () => {
    const quiet = await runModule(`import { tf } from ${JSON.stringify(`file://${HELPER}`)};\n${FIRST_TENSOR}`);
    expect(quiet).toBe("sum 6\n");
    // The control: the same first tensor without the helper prints the banner, so the check above can fail.
    const loud = await runModule(`import * as tf from "@tensorflow/tfjs-core";\nimport "@tensorflow/tfjs-backend-cpu";\n${FIRST_TENSOR}`);
    expect(loud).toMatch(BANNER);
  });

  it("every test takes tfjs' core and cpu backend from the helper", () => {
    const direct: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (path.endsWith(".ts") && path !== HELPER && /from "@tensorflow\/tfjs-(core|backend-cpu)"|import "@tensorflow\/tfjs-backend-cpu"/.test(readFileSync(path, "utf8"))) {
          direct.push(relative(ROOT, path));
        }
      }
    };
    walk(TESTS);
    expect(direct.filter((p) => p !== "tests/oracle/quiet.test.ts")).toEqual([]);
  });
});
