// One optimizer step on one batch: zero the gradient, accumulate it with the model's batch
// kernel (in chunks of core.maxBatch), turn the sum into the batch mean, then let the optimizer
// clip and apply it. Models with a generated training step (ModelCore.trainStep) do all of that
// in that one function when given the optimizer it was made for; for the minibatches that
// function does not take, batched models do the part after the gradient in generated code too
// (ModelCore.applyGradient). The kernel's forward pass also
// leaves the batch's outputs in `out`, so metrics cost no second forward pass. Allocation-free
// after creation (measured with --trace-gc: the only heap object per step is V8 boxing the
// returned double when step() is not inlined, 16 bytes).
//
//   const trainer = createModelTrainer(core, params, createSgd(core.paramCount), { seed: 1 });
//   const loss = trainer.step(X, Y, 32);   // mean loss of those 32 rows, params updated
//   trainer.gradNorm;                       // global L2 norm of the mean gradient (before clipping)

import { VecArray, type ModelCore, type Rng, type Vec } from "./core.js";
import { type Optimizer, setScheduledRate } from "./optimizers.js";
import { createRng } from "./rng.js";
import { checkParams, copyRows } from "./data.js";
import { anOptimizer, checkOptions, safeInteger } from "./options.js";

export interface TrainerOptions {
  /** Seed of the trainer's own Rng (dropout masks). Default 0. */
  seed?: number;
}

export interface Trainer {
  /**
   * Trains on rows [0, n) of X (n × inputSize) and Y (n × targetSize) and returns their mean
   * loss. The update is applied only when both the loss and the gradient norm are finite;
   * otherwise params stay exactly as they were (see `applied`). When `out` is given, the rows'
   * training-mode outputs (before the update) are written there (n × outputSize).
   */
  step(X: Vec, Y: Vec, n: number, out?: Vec): number;
  /** Global L2 norm of the last batch-mean gradient, before clipping. */
  readonly gradNorm: number;
  /** Whether the last step changed params. */
  readonly applied: boolean;
  /** The Rng passed to gradBatch (dropout). */
  readonly rng: Rng;
}

/**
 * grad *= scale, returning Σ grad². A function of its own so that V8 optimizes it whole: inline
 * in step(), the loop ran as on-stack-replaced code that deoptimized at its exit on every call.
 */
function scaleAndSquare(grad: Vec, scale: number): number {
  let squares = 0;
  for (let i = 0; i < grad.length; i++) {
    const g = grad[i]! * scale;
    grad[i] = g;
    squares += g * g;
  }
  return squares;
}

export function createModelTrainer(
  core: ModelCore,
  params: Vec,
  optimizer: Optimizer,
  opts: TrainerOptions = {},
): Trainer {
  // The module's createTrainer passes its options through, its own `optimizer` among them.
  checkOptions("createTrainer", opts, { seed: safeInteger, optimizer: anOptimizer });
  checkParams(core, params, "trainer");
  const { inputSize, targetSize, outputSize, maxBatch } = core;
  const grad = core.gradScratch ?? new VecArray(core.paramCount);
  // Chunk buffers for batches larger than the kernels' scratch (copying keeps step allocation-free);
  // chunkOut also takes the outputs when the caller wants none.
  const chunkX = new VecArray(maxBatch * inputSize);
  const chunkY = new VecArray(maxBatch * targetSize);
  const chunkOut = new VecArray(maxBatch * outputSize);
  const rng = createRng(opts.seed ?? 0);
  // The model's fused step applies the update itself, on the optimizer's own state: usable when
  // the optimizer is the one it was generated for (same settings, this model's size).
  const state = optimizer.state;
  const fused =
    core.trainStep !== undefined &&
    state !== undefined &&
    state.settings === core.trainStepSettings &&
    state.size === core.paramCount
      ? state
      : undefined;
  const fusedRows = core.trainStepRows ?? Infinity;
  const report = [NaN, 0];
  // Step results live in an object, not closure variables: V8 would box a double stored in a
  // closure slot on every write (an allocation per step); an object field is updated in place.
  const last = { gradNorm: NaN, applied: false };
  return {
    get gradNorm() {
      return last.gradNorm;
    },
    get applied() {
      return last.applied;
    },
    rng,
    step(X: Vec, Y: Vec, n: number, out?: Vec): number {
      if (!(Number.isInteger(n) && n >= 1) || X.length < n * inputSize || Y.length < n * targetSize) {
        const need = `need n ≥ 1 rows with X ≥ n×${inputSize} and Y ≥ n×${targetSize} values`;
        throw new Error(`trainer.step: ${need}; got n=${n}, X ${X.length}, Y ${Y.length}`);
      }
      if (out !== undefined && out.length < n * outputSize) {
        throw new Error(`trainer.step: out needs n×${outputSize} = ${n * outputSize} values, got ${out.length}`);
      }
      // Beyond maxBatch rows the step needs the caller's `out` (chunkOut holds maxBatch rows).
      if (fused !== undefined && n <= fusedRows && (n <= maxBatch || out !== undefined)) {
        // A generated step reads the rate from scalars[0]: a schedule's rate for this step goes there first.
        setScheduledRate(fused);
        const loss = core.trainStep!(params, X, Y, n, rng, out ?? chunkOut, fused.arrays, fused.scalars, report);
        last.gradNorm = report[0]!;
        last.applied = report[1] === 1;
        return loss;
      }
      grad.fill(0);
      let lossSum = 0;
      if (n <= maxBatch) {
        lossSum = core.gradBatch(params, X, Y, n, grad, rng, out ?? chunkOut);
      } else {
        for (let start = 0; start < n; start += maxBatch) {
          const m = Math.min(maxBatch, n - start);
          copyRows(X, start, chunkX, m, inputSize);
          copyRows(Y, start, chunkY, m, targetSize);
          lossSum += core.gradBatch(params, chunkX, chunkY, m, grad, rng, chunkOut);
          if (out !== undefined) copyRows(chunkOut, 0, out, m, outputSize, start);
        }
      }
      // The generated tail: mean, norm, guard, clipping and update, on the optimizer's own state.
      if (fused !== undefined && core.applyGradient !== undefined) {
        setScheduledRate(fused);
        const loss = core.applyGradient(params, grad, n, lossSum, fused.arrays, fused.scalars, report);
        last.gradNorm = report[0]!;
        last.applied = report[1] === 1;
        return loss;
      }
      // Sum → mean, and the norm in the same pass.
      const scale = 1 / n;
      const gradNorm = Math.sqrt(scaleAndSquare(grad, scale));
      const loss = lossSum * scale;
      // Checked BEFORE the update, so a NaN/Infinity batch never touches params.
      const applied = Number.isFinite(loss) && Number.isFinite(gradNorm);
      last.gradNorm = gradNorm;
      last.applied = applied;
      if (applied) optimizer.step(params, grad);
      return loss;
    },
  };
}
