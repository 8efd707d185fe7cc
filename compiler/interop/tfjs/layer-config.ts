// What every TensorFlow.js / Keras layer row reads from its layer (layers.ts, image-layers.ts):
// its one input, its activation, its initializers and kernel regularizer in nnc's words, and
// the settings nnc cannot carry over, which must be absent (a silently different model is
// worse than none).
//
//   activationOf(ctx, "relu")                 -> KERAS_ACTIVATIONS.relu
//   kernelOptions(ctx, true)                  -> [["l2", 0.01], ["kernel_initializer", he_normal]]

import { KERAS_ACTIVATIONS, type ActivationForm } from "../activations.js";
import type { DraftBuilder, Value } from "../builder.js";
import { num, ref, word, type NnExpr } from "../draft.js";
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

export function one(ctx: LayerContext): Value {
  if (ctx.inputs.length !== 1) throw new InteropError(`${ctx.where}: expected one input, got ${ctx.inputs.length}`);
  return ctx.inputs[0]!;
}

export function activationOf(ctx: LayerContext, raw: unknown): ActivationForm {
  const name = raw === undefined || raw === null ? "linear" : typeof raw === "string" ? snakeCase(raw) : undefined;
  const form = name === undefined ? undefined : KERAS_ACTIVATIONS[name];
  if (!form) throw new InteropError(`${ctx.where}: activation ${JSON.stringify(raw)} is not supported (nnc imports ${Object.keys(KERAS_ACTIVATIONS).join(", ")})`);
  return form;
}

/** nnc's activations that take a whole vector (softmax, log_softmax), not one element at a time. */
const OVER_A_VECTOR = new Set(["softmax", "log_softmax"]);

/** `form` applied to a value of `shape`: an activation over a vector needs a vector (Keras would apply it along the channels). */
export function checkActivationShape(ctx: LayerContext, form: ActivationForm, shape: readonly number[]): void {
  if (shape.length !== 1 && OVER_A_VECTOR.has(form.name)) {
    throw new InteropError(`${ctx.where}: activation ${form.name} of a value of shape [${shape.join(", ")}] is not supported (Keras applies it along the last axis; nnc's ${form.name} takes a vector: flatten first)`);
  }
}

/** A layer that applies `form` to its one input (a linear one passes the input through). */
export function applying(ctx: LayerContext, form: ActivationForm): Value {
  const x = one(ctx);
  if (form.name === "linear") return x;
  checkActivationShape(ctx, form, x.shape);
  return ctx.b.assign(ctx.call.name, form.apply(ref(x.name)), x.shape, `layer '${ctx.call.name}' (${ctx.call.className})`, form.nnc);
}

/** Settings nnc cannot carry over must be absent: a silently different model is worse than none. */
export function requireUnset(ctx: LayerContext, keys: string[]): void {
  for (const k of keys) {
    const v = ctx.call.config[k];
    if (v !== undefined && v !== null) throw new InteropError(`${ctx.where}: ${k} ${JSON.stringify(v)} is not supported (nnc has no counterpart)`);
  }
}

export function numberOption(ctx: LayerContext, key: string, fallback: number): number {
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

/** The kernel's l1 / l2 and the initializers nnc has that differ from its defaults, as dense() / conv2d() arguments. */
export function kernelOptions(ctx: LayerContext, useBias: boolean): [string, NnExpr][] {
  const c = ctx.call.config;
  const options = penalties(ctx);
  const kInit = initializerOf(c["kernel_initializer"]);
  const bInit = initializerOf(c["bias_initializer"]);
  if (kInit && kInit !== "glorot_uniform") options.push(["kernel_initializer", word(kInit)]);
  if (useBias && bInit && bInit !== "zeros") options.push(["bias_initializer", word(bInit)]);
  return options;
}
