// The MNIST CNN example is the model the validation split chose (docs/mnist-cnn-selection.md, written
// by `npm run select:mnist-cnn`), trained with the batch size and epochs it chose, and the
// benchmark's CNN (bench/mnist-cnn-plain.nn) is that model without its dropout: the example, the
// demo, the selection record and the benchmark cannot drift apart unnoticed.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ROOT } from "../scripts/examples.js";
import { MNIST_CNN_BATCH, MNIST_CNN_EPOCHS } from "../scripts/mnist-data.js";

const record = readFileSync(`${ROOT}docs/mnist-cnn-selection.md`, "utf8");
const withoutComments = (text: string) =>
  text
    .split("\n")
    .filter((line) => !line.startsWith("#"))
    .join("\n")
    .trim();
const example = withoutComments(readFileSync(`${ROOT}dsl-examples/mnist_cnn.nn`, "utf8"));

describe("the MNIST CNN example, its selection record and the benchmark's CNN", () => {
  it("dsl-examples/mnist_cnn.nn is the chosen candidate's model text (comments aside)", () => {
    const chosen = /```\n([\s\S]*?)```/.exec(record)![1]!;
    expect(example).toBe(chosen.trim());
  });

  it("the demo trains with the chosen batch size and epoch count", () => {
    const m = /Chosen: \*\*.*?, (\d+) epochs\*\*[\s\S]*?trained with\s+batch\s+(\d+)\./.exec(record)!;
    expect(MNIST_CNN_EPOCHS).toBe(Number(m[1]));
    expect(MNIST_CNN_BATCH).toBe(Number(m[2]));
  });

  it("bench/mnist-cnn-plain.nn is the example without its dropout line", () => {
    const plain = withoutComments(readFileSync(`${ROOT}bench/mnist-cnn-plain.nn`, "utf8"));
    const dropped = example
      .split("\n")
      .filter((line) => !/^d\s*=\s*dropout\(f, /.test(line))
      .join("\n")
      .replace("dense(d, 10", "dense(f, 10");
    expect(plain).toBe(dropped);
  });
});
