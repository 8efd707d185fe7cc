// The TensorFlow.js / Keras layers nnc imports, one row per layer class: what the layer becomes
// in the model file. A class without a row is refused by name (import.ts); docs/interop.md's
// table is generated from these rows (tests/interop/docs.test.ts keeps it in step).
//
//   Dense{units: 16, activation: "relu"} reading `x`  ->  h = dense(x, 16, relu)  (W_h = kernelᵀ)
//
// The image layers (Conv2D, pooling, Flatten, Reshape) have their rows in image-layers.ts.

import { shown } from "../../data/errors.js";
import { nncActivation } from "../activations.js";
import type { Value } from "../builder.js";
import { bin, call, num, ref } from "../draft.js";
import { InteropError } from "../errors.js";
import type { TfjsWeight } from "./model-json.js";
import { IMAGE_LAYERS } from "./image-layers.js";
import { activationOf, applying, kernelOptions, numberOption, one, requireUnset, type LayerContext, type LayerRow } from "./layer-config.js";

export type { LayerContext, LayerRow };

function dense(ctx: LayerContext): Value {
  const x = one(ctx);
  if (x.shape.length !== 1) throw new InteropError(`${ctx.where}: its input has shape [${x.shape.join(", ")}]; Keras applies Dense to the last axis, nnc's dense() takes a vector: add a Flatten layer before it`);
  const c = ctx.call.config;
  const units = c["units"];
  if (typeof units !== "number" || !Number.isSafeInteger(units) || units < 1) throw new InteropError(`${ctx.where}: units is ${JSON.stringify(units)}, expected a positive integer`);
  requireUnset(ctx, ["bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint", "lora_rank"]);
  const activation = activationOf(ctx, c["activation"]);
  const useBias = c["use_bias"] !== false;
  const kernel = ctx.weight("kernel");
  if (kernel.shape.join() !== `${x.size},${units}`) {
    throw new InteropError(`${ctx.where}: weight ${shown(kernel.name)} has shape [${kernel.shape.join(", ")}]; the layer needs [${x.size}, ${units}] (inputs × units)`);
  }
  // Keras stores the kernel [in, out]; nnc's W is [out, in].
  const W = new Float64Array(units * x.size);
  for (let i = 0; i < x.size; i++) for (let o = 0; o < units; o++) W[o * x.size + i] = kernel.values[i * units + o]!;
  let bias: (TfjsWeight & { name: string }) | undefined;
  if (useBias) {
    bias = ctx.weight("bias");
    if (bias.shape.join() !== `${units}`) throw new InteropError(`${ctx.where}: weight ${shown(bias.name)} has shape [${bias.shape.join(", ")}]; the layer needs [${units}]`);
  }
  const options = kernelOptions(ctx, useBias);
  return ctx.b.dense({
    raw: ctx.call.name,
    x,
    units,
    kernel: W,
    ...(bias ? { bias: bias.values } : {}),
    activation,
    comment: `layer '${ctx.call.name}' (Dense)`,
    from: { kernel: `${kernel.name}, transposed`, ...(bias ? { bias: bias.name } : {}) },
    options,
  });
}

function merge(op: "+" | "-" | "*" | "avg", min: number, max: number) {
  return (ctx: LayerContext): Value => {
    const xs = ctx.inputs;
    if (xs.length < min || xs.length > max) throw new InteropError(`${ctx.where}: expected ${min === max ? min : `${min} or more`} inputs, got ${xs.length}`);
    const shapes = new Set(xs.map((x) => x.shape.join(", ")));
    if (shapes.size > 1) throw new InteropError(`${ctx.where}: its inputs have shapes ${xs.map((x) => `[${x.shape.join(", ")}]`).join(", ")}; nnc merges values of one shape`);
    const refs = xs.map((x) => ref(x.name));
    const sum = refs.slice(1).reduce((a, r) => bin(op === "avg" ? "+" : op, a, r), refs[0]!);
    return ctx.b.assign(ctx.call.name, op === "avg" ? bin("/", sum, num(xs.length)) : sum, xs[0]!.shape, `layer '${ctx.call.name}' (${ctx.call.className})`);
  };
}

export const TFJS_LAYERS: LayerRow[] = [
  { className: "Dense", becomes: "`dense(x, units, activation, use_bias, l1, l2, kernel_initializer, bias_initializer)`, `W` = kernelᵀ; an activation dense() cannot apply is written around it", run: dense },
  { className: "Activation", becomes: "the activation applied to its input (see the activation table)", run: (ctx) => applying(ctx, activationOf(ctx, ctx.call.config["activation"])) },
  {
    className: "Dropout",
    becomes: "`dropout(x, rate)`",
    run: (ctx) => {
      const x = one(ctx);
      requireUnset(ctx, ["noise_shape"]);
      const rate = numberOption(ctx, "rate", 0);
      if (!(rate >= 0 && rate < 1)) throw new InteropError(`${ctx.where}: rate ${rate} is outside [0, 1)`);
      return ctx.b.assign(ctx.call.name, call("dropout", [ref(x.name), num(rate)]), x.shape, `layer '${ctx.call.name}' (Dropout)`);
    },
  },
  {
    className: "ReLU",
    becomes: "`relu(x)` (no max_value, threshold or negative_slope)",
    run: (ctx) => {
      for (const [k, neutral] of [["max_value", null], ["threshold", 0], ["negative_slope", 0]] as const) {
        const v = ctx.call.config[k] ?? null;
        if (v !== neutral && !(neutral === 0 && v === null)) throw new InteropError(`${ctx.where}: ${k} ${JSON.stringify(v)} is not supported`);
      }
      return applying(ctx, nncActivation("relu"));
    },
  },
  { className: "LeakyReLU", becomes: "`leaky_relu(x, negative_slope = alpha)` (tfjs' default alpha 0.3)", run: (ctx) => applying(ctx, nncActivation("leaky_relu", { negative_slope: numberOption(ctx, ctx.call.config["negative_slope"] !== undefined ? "negative_slope" : "alpha", 0.3) })) },
  { className: "ELU", becomes: "`elu(x, alpha)`", run: (ctx) => applying(ctx, nncActivation("elu", { alpha: numberOption(ctx, "alpha", 1) })) },
  {
    className: "Softmax",
    becomes: "`softmax(x)` (over the vector)",
    run: (ctx) => {
      const axis = ctx.call.config["axis"] ?? -1;
      if (axis !== -1 && axis !== 1 && !(Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 1))) throw new InteropError(`${ctx.where}: axis ${JSON.stringify(axis)} is not supported (softmax over the vector: -1)`);
      return applying(ctx, nncActivation("softmax"));
    },
  },
  { className: "Add", becomes: "`a + b + …`", run: merge("+", 2, Infinity) },
  { className: "Subtract", becomes: "`a - b`", run: merge("-", 2, 2) },
  { className: "Multiply", becomes: "`a * b * …`", run: merge("*", 2, Infinity) },
  { className: "Average", becomes: "`(a + b + …) / n`", run: merge("avg", 2, Infinity) },
  ...IMAGE_LAYERS,
];
