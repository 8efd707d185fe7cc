// The MNIST example is the model cross-validation chose (docs/mnist-selection.md, written by
// `npm run select:mnist`), trained with the batch size it chose: the example, the demo and the
// selection record cannot drift apart unnoticed.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ROOT } from "../scripts/examples.js";
import { MNIST_BATCH, MNIST_EPOCHS } from "../scripts/mnist-data.js";

const record = readFileSync(`${ROOT}docs/mnist-selection.md`, "utf8");

describe("the MNIST example and its selection record", () => {
  it("dsl-examples/mnist.nn is the chosen candidate's model text (comments aside)", () => {
    const chosen = /```\n([\s\S]*?)```/.exec(record)![1]!;
    const example = readFileSync(`${ROOT}dsl-examples/mnist.nn`, "utf8")
      .split("\n")
      .filter((line) => !line.startsWith("#"))
      .join("\n");
    expect(example.trim()).toBe(chosen.trim());
  });

  it("the demo trains with the chosen batch size and epoch count", () => {
    const m = /Chosen: \*\*.*?, (\d+) epochs\*\*[\s\S]*?trained with batch\s+(\d+)\./.exec(record)!;
    expect(MNIST_EPOCHS).toBe(Number(m[1]));
    expect(MNIST_BATCH).toBe(Number(m[2]));
  });
});
