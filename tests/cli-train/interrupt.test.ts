// Ctrl-C during `nnc train`: SIGINT mid-run stops after the current batch, exits 130, saves the
// weights reached so far (atomically: no temp file left) and says how many batches they hold.
// Honest check of "the weights of the last finished batch": the generated module's own fit, from
// the same seed and data, stopped after that many batches, gives exactly the saved weights —
// and one batch fewer does not.

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileAndImport } from "../helpers/generated.js";
import { blobRows, HERE, startNnc, tempDir, toCsv } from "./helpers.js";

const BLOBS = join(HERE, "blobs.nn");
const ROWS = 400;
const BATCH = 4;
const PER_EPOCH = ROWS / BATCH;
const EPOCHS = 1_000_000; // far more than can finish: only Ctrl-C ends this run

describe("nnc train and Ctrl-C", () => {
  it("stops after the current batch, saves those weights, exits 130", async () => {
    const dir = tempDir("sigint");
    const rows = blobRows(ROWS);
    writeFileSync(join(dir, "train.csv"), toCsv(["x0", "x1", "y"], rows));
    let sent = false;
    const [run, { mod }] = await Promise.all([
      startNnc(
        ["train", BLOBS, "--data", "train.csv", "--epochs", String(EPOCHS), "--batch-size", String(BATCH), "--seed", "5", "--save", "w.json", "--plot", "curve.svg"],
        dir,
        (out, child) => {
          // Interrupt once training is visibly under way (the SIGINT handler is installed by then).
          if (!sent && /^Epoch 3\//m.test(out)) {
            sent = true;
            child.kill("SIGINT");
          }
        },
      ),
      compileAndImport(readFileSync(BLOBS, "utf8"), "blobs.nn"),
    ]);
    expect(sent).toBe(true);
    expect(run.code, run.stderr).toBe(130);
    const m = /^nnc: interrupted: stopped after batch (\d+)\/(\d+) of epoch (\d+)\/(\d+) \((\d+) batch(?:es)? in all\)\nnnc: saved the weights after (\d+) batch(?:es)? to w\.json\nnnc: wrote the training curve to curve\.svg\n$/.exec(run.stderr);
    expect(m, run.stderr).not.toBeNull();
    const [batch, perEpoch, epoch, epochs, total, savedAfter] = m!.slice(1).map(Number) as [number, number, number, number, number, number];
    expect([perEpoch, epochs, savedAfter]).toEqual([PER_EPOCH, EPOCHS, total]);
    expect(epoch).toBeGreaterThanOrEqual(3);
    expect(total).toBe((epoch - 1) * PER_EPOCH + batch);
    // The log's last epoch line is that epoch, marked as cut short unless it happened to end there.
    const last = run.stdout.trim().split("\n").filter((l) => l.startsWith("Epoch ")).at(-1)!;
    expect(last.startsWith(`Epoch ${epoch}/${EPOCHS}${batch < PER_EPOCH ? ` (stopped after batch ${batch}/${PER_EPOCH})` : " -"}`), last).toBe(true);
    expect(run.stdout).not.toContain("Evaluate on");
    expect(readdirSync(dir).sort()).toEqual(["curve.svg", "train.csv", "w.json"]);
    expect(readFileSync(join(dir, "curve.svg"), "utf8").match(/data-series="loss" points="([^"]*)"/)![1]!.split(" ").length).toBe(epoch);

    // Replay with the module's own fit, stopping after `total` batches.
    const saved = mod.loadParams(readFileSync(join(dir, "w.json"), "utf8"));
    const params = mod.init(5);
    let count = 0;
    let oneBefore: number[] = [];
    mod.fit(
      params,
      rows.map((r) => r.slice(0, 2)),
      rows.map((r) => r.slice(2)),
      {
        epochs: EPOCHS,
        batchSize: BATCH,
        seed: 5,
        onBatchEnd: () => {
          count++;
          if (count === total - 1) oneBefore = [...params];
          return count < total;
        },
      },
    );
    expect(count).toBe(total);
    expect([...saved]).toEqual([...params]);
    expect([...saved]).not.toEqual(oneBefore);
  });
});
