// The parts of `nnc train` that are pure output: the per-epoch lines, the terminal progress bar
// (cli-progress on a stream that says it is a TTY) and the SVG curve.

import { PassThrough } from "node:stream";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { curveSvg, niceTicks } from "../../compiler/cli/curve-svg.js";
import { createProgress, logNumber } from "../../compiler/cli/train-progress.js";

function stream(tty: boolean): { out: NodeJS.WriteStream; text: () => string } {
  const s = new PassThrough();
  let text = "";
  s.on("data", (c: Buffer) => (text += c.toString()));
  Object.assign(s, { isTTY: tty, columns: 160, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { out: s as unknown as NodeJS.WriteStream, text: () => text };
}

describe("progress", () => {
  it("plain lines off a terminal: Keras' numbers, cut-short epochs marked", () => {
    const { out, text } = stream(false);
    const p = createProgress({ epochs: 3, samplesPerEpoch: 8, batchesPerEpoch: 2, out });
    p.batch(0, 4, 0.9, 0.001);
    p.epoch(0, { loss: 0.5, accuracy: 0.75, val_loss: 0.25 }, 8, 2, 0.002);
    p.epoch(1, { loss: 0.000123 }, 4, 1, 0.5);
    expect(text()).toBe(
      "Epoch 1/3 - 8 samples in 2.0ms (4,000/s) - loss: 0.5000 - accuracy: 0.7500 - val_loss: 0.2500\n" +
        "Epoch 2/3 (stopped after batch 1/2) - 4 samples in 500.0ms (8/s) - loss: 1.230e-4\n",
    );
  });

  it("a cli-progress bar on a terminal, with the epoch's metrics and time when it ends", () => {
    const { out, text } = stream(true);
    const p = createProgress({ epochs: 2, samplesPerEpoch: 100, batchesPerEpoch: 4, out });
    p.batch(0, 50, 0.75, 0.01);
    p.epoch(0, { loss: 0.5, accuracy: 0.875 }, 100, 4, 0.02);
    p.stop();
    const screen = text();
    expect(screen).toContain("Epoch 1/2 [");
    expect(screen).toContain("] 100/100 | 5,000 samples/s | loss 0.5000 | accuracy 0.8750 | 20.0ms");
  });

  it("formats like Keras", () => {
    expect([logNumber(0), logNumber(0.12345), logNumber(1e-5), logNumber(123456)]).toEqual(["0.0000", "0.1235", "1.000e-5", "1.235e+5"]);
  });
});

describe("curve SVG", () => {
  it("round ticks", () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(1, 100)).toEqual([20, 40, 60, 80, 100]);
    expect(niceTicks(0.31, 0.74)).toEqual([0.4, 0.5, 0.6, 0.7]);
  });

  it("is valid XML with a panel per metric, for one epoch, NaNs and odd names too", () => {
    const one = curveSvg("a<b&c", { loss: [0.5], accuracy: [1] });
    expect(XMLValidator.validate(one)).toBe(true);
    expect(one).toContain("a&#60;b&#38;c: loss");
    expect(one.match(/<circle /g)?.length).toBe(2);
    const nan = curveSvg("m", { loss: [NaN, 1, 2], val_loss: [1, 1, 1] });
    expect(XMLValidator.validate(nan)).toBe(true);
    expect(nan).not.toContain("accuracy");
    expect(nan.match(/data-series="(\w+)"/g)).toEqual(['data-series="loss"', 'data-series="val_loss"']);
    expect(nan).not.toContain("NaN");
    expect(/data-series="loss" points="([^"]*)"/.exec(nan)![1]!.split(" ").length).toBe(2);
  });
});
