// The TensorFlow.js / Keras layers nnc imports, one row per layer class: what the layer becomes
// in the model file. A class without a row is refused by name (import.ts); docs/interop.md's
// table is generated from these rows (tests/interop/docs.test.ts keeps it in step).
//
//   Dense{units: 16, activation: "relu"} reading `x`  ->  h = dense(x, 16, relu)  (W_h = kernelᵀ)
//
// Images slot in here: Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D get rows
// that write the language's conv2d / pooling calls (kernels [kh, kw, in, out] as Keras stores
// them, so no transpose), and Flatten / Reshape rows lose their "vectors only" check.

import { shown } from "../../data/errors.js";
import { KERAS_ACTIVATIONS, nncActivation, type ActivationForm } from "../activations.js";
import type { DraftBuilder, Value } from "../builder.js";
import { bin, call, num, ref, word, type NnExpr } from "../draft.js";
import { InteropError } from "../errors.js";
import { snakeCase } from "../training.js";
import type { TfjsWeight } from "./model-json.js";
import type { LayerCall } from "./topology.js";

export interface LayerContext {
  /** `model.json: layer 'dense' (Dense)`, for messages. */
  where: string;
  call: LayerCall;
  inputs: Value[];
  b: DraftBuilder;
  /** The layer's weight `kernel` or `bias` from the manifest, with its name there. */
  weight(kind: string): TfjsWeight & { name: string };
}

export interface LayerRow {
  className: string;
  /** What it becomes, for docs/interop.md. */
  becomes: string;
  run(ctx: LayerContext): Value;
}

function one(ctx: LayerContext): Value {
  if (ctx.inputs.length !== 1) throw new InteropError(`${ctx.where}: expected one input, got ${ctx.inputs.length}`);
  return ctx.inputs[0]!;
}

function activationOf(ctx: LayerContext, raw: unknown): ActivationForm {
  const name = raw === undefined || raw === null ? "linear" : typeof raw === "string" ? snakeCase(raw) : undefined;
  const form = name === undefined ? undefined : KERAS_ACTIVATIONS[name];
  if (!form) throw new InteropError(`${ctx.where}: activation ${JSON.stringify(raw)} is not supported (nnc imports ${Object.keys(KERAS_ACTIVATIONS).join(", ")})`);
  return form;
}

/** Settings nnc cannot carry over must be absent: a silently different model is worse than none. */
function requireUnset(ctx: LayerContext, keys: string[]): void {
  for (const k of keys) {
    const v = ctx.call.config[k];
    if (v !== undefined && v !== null) throw new InteropError(`${ctx.where}: ${k} ${JSON.stringify(v)} is not supported (nnc has no counterpart)`);
  }
}

function numberOption(ctx: LayerContext, key: string, fallback: number): number {
  const v = ctx.call.config[key] ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new InteropError(`${ctx.where}: ${key} is ${JSON.stringify(v)}, expected a finite number`);
  return v;
}

const INITIALIZERS: Record<string, string> = {
  glorot_uniform: "glorot_uniform",
  glorot_normal: "glorot_normal",
  he_uniform: "he_uniform",
  he_normal: "he_normal",
  lecun_uniform: "lecun_uniform",
  lecun_normal: "lecun_normal",
  zeros: "zeros",
  ones: "ones",
};

/** nnc's name for a Keras initializer, when it has one (initializers matter only for init(): the weights come with the file). */
function initializerOf(raw: unknown): string | undefined {
  const r = (raw ?? {}) as { class_name?: unknown; config?: Record<string, unknown> };
  const name = typeof raw === "string" ? snakeCase(raw) : typeof r.class_name === "string" ? snakeCase(r.class_name) : "";
  if (INITIALIZERS[name]) return INITIALIZERS[name];
  if (name === "zeros_initializer" || name === "zero") return "zeros";
  if (name !== "variance_scaling") return undefined;
  const c = r.config ?? {};
  const mode = snakeCase(String(c["mode"] ?? ""));
  const uniform = String(c["distribution"] ?? "").includes("uniform");
  const key = `${c["scale"]}/${mode}/${uniform ? "uniform" : "normal"}`;
  return { "1/fan_avg/uniform": "glorot_uniform", "1/fan_avg/normal": "glorot_normal", "2/fan_in/uniform": "he_uniform", "2/fan_in/normal": "he_normal", "1/fan_in/uniform": "lecun_uniform", "1/fan_in/normal": "lecun_normal" }[key];
}

/** l1 and l2 of a kernel_regularizer (L1L2, L1, L2). */
function penalties(ctx: LayerContext): [string, NnExpr][] {
  const raw = ctx.call.config["kernel_regularizer"];
  if (raw === undefined || raw === null) return [];
  const r = raw as { class_name?: unknown; config?: Record<string, unknown> };
  const cls = typeof r.class_name === "string" ? r.class_name.toLowerCase() : "";
  if (!["l1l2", "l1", "l2", "l1_l2"].includes(cls)) throw new InteropError(`${ctx.where}: kernel_regularizer ${JSON.stringify(raw)} is not supported (nnc has L1L2, L1, L2)`);
  const out: [string, NnExpr][] = [];
  for (const k of ["l1", "l2"]) {
    const v = r.config?.[k] ?? 0;
    if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)) throw new InteropError(`${ctx.where}: kernel_regularizer ${k} is ${JSON.stringify(v)}, expected a number ≥ 0`);
    if (v > 0) out.push([k, num(v)]);
  }
  return out;
}

function dense(ctx: LayerContext): Value {
  const x = one(ctx);
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
  const options = penalties(ctx);
  const kInit = initializerOf(c["kernel_initializer"]);
  const bInit = initializerOf(c["bias_initializer"]);
  if (kInit && kInit !== "glorot_uniform") options.push(["kernel_initializer", word(kInit)]);
  if (useBias && bInit && bInit !== "zeros") options.push(["bias_initializer", word(bInit)]);
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

/** A layer that applies `form` to its one input (a linear one passes the input through). */
function applying(ctx: LayerContext, form: ActivationForm): Value {
  const x = one(ctx);
  if (form.name === "linear") return x;
  return ctx.b.assign(ctx.call.name, form.apply(ref(x.name)), x.size, `layer '${ctx.call.name}' (${ctx.call.className})`, form.nnc);
}

function merge(op: "+" | "-" | "*" | "avg", min: number, max: number) {
  return (ctx: LayerContext): Value => {
    const xs = ctx.inputs;
    if (xs.length < min || xs.length > max) throw new InteropError(`${ctx.where}: expected ${min === max ? min : `${min} or more`} inputs, got ${xs.length}`);
    const sizes = new Set(xs.map((x) => x.size));
    if (sizes.size > 1) throw new InteropError(`${ctx.where}: its inputs have sizes ${xs.map((x) => x.size).join(", ")}; nnc merges values of one size`);
    const refs = xs.map((x) => ref(x.name));
    const sum = refs.slice(1).reduce((a, r) => bin(op === "avg" ? "+" : op, a, r), refs[0]!);
    return ctx.b.assign(ctx.call.name, op === "avg" ? bin("/", sum, num(xs.length)) : sum, xs[0]!.size, `layer '${ctx.call.name}' (${ctx.call.className})`);
  };
}

/** Flatten and Reshape of a vector to the same vector change nothing. */
function vectorIdentity(ctx: LayerContext): Value {
  const x = one(ctx);
  const target = ctx.call.config["target_shape"];
  if (target !== undefined && !(Array.isArray(target) && target.length === 1 && (target[0] === x.size || target[0] === -1))) {
    throw new InteropError(`${ctx.where}: reshaping a vector of ${x.size} to ${JSON.stringify(target)} is not supported yet (nnc's values are vectors)`);
  }
  return x;
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
      return ctx.b.assign(ctx.call.name, call("dropout", [ref(x.name), num(rate)]), x.size, `layer '${ctx.call.name}' (Dropout)`);
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
  { className: "Flatten", becomes: "nothing (a vector is already flat)", run: vectorIdentity },
  { className: "Reshape", becomes: "nothing, when the target shape is the vector's own", run: vectorIdentity },
];
