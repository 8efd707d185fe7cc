// Builds a Draft one layer or node at a time, for both importers: claims readable names
// (names.ts), writes dense layers as `dense(…)` with their weights in nnc's [out, in] layout,
// convolutions as `conv2d(…)` with kernels [kh, kw, in, out], everything else as assignments,
// and `param` lines for weights used in raw math.
//
//   const b = new DraftBuilder(["dense", "dense_1"]);
//   const x = b.input("input_1", [4]);
//   const h = b.dense({ raw: "dense", x, units: 16, kernel, bias, activation: KERAS_ACTIVATIONS.relu, … });
//   // h = dense(input_1, 16, relu)   with W_h, b_h from the file

import { type ActivationForm } from "./activations.js";
import { call, num, ref, word, type DraftParam, type DraftStatement, type DraftWeights, type NnExpr } from "./draft.js";
import { pair, paddingArg, type Window } from "./images.js";
import { NameTable } from "./names.js";

/** A value of the model being built: its nnc name, shape and number of elements, and the activation that made it. */
export interface Value {
  name: string;
  shape: number[];
  size: number;
  activation?: string;
}

/** A Value of this shape. */
export function valueOf(name: string, shape: readonly number[], activation?: string): Value {
  return { name, shape: [...shape], size: shape.reduce((a, b) => a * b, 1), ...(activation ? { activation } : {}) };
}

export interface DenseSpec {
  raw: string;
  x: Value;
  units: number;
  /** [units, in], row-major (nnc's layout). */
  kernel: Float64Array;
  bias?: Float64Array;
  activation: ActivationForm;
  comment: string;
  from: { kernel: string; bias?: string };
  /** Extra named arguments of dense(): l1, l2, kernel_initializer, bias_initializer. */
  options?: [string, NnExpr][];
}

export interface ConvSpec {
  raw: string;
  x: Value;
  filters: number;
  window: Window;
  /** [kh, kw, in, filters], row-major (nnc's and Keras' layout). */
  kernel: Float64Array;
  bias?: Float64Array;
  activation: ActivationForm;
  /** The output shape [height, width, filters] (images.ts convShape). */
  shape: number[];
  comment: string;
  from: { kernel: string; bias?: string };
  /** Extra named arguments of conv2d(): l1, l2, kernel_initializer, bias_initializer. */
  options?: [string, NnExpr][];
}

export class DraftBuilder {
  readonly names = new NameTable();
  readonly statements: DraftStatement[] = [];
  readonly params: DraftParam[] = [];
  readonly weights = new Map<string, DraftWeights>();

  constructor(rawNames: Iterable<string>) {
    this.names.reserveAll(rawNames);
  }

  input(raw: string, shape: readonly number[]): Value {
    return valueOf(this.names.claim(raw, "x"), shape);
  }

  assign(raw: string, expr: NnExpr, shape: readonly number[], comment: string, activation?: string): Value {
    const name = this.names.claim(raw);
    this.statements.push({ name, expr, comment });
    return valueOf(name, shape, activation);
  }

  /** A name for a layer whose parameters will be KERNEL_NAME and b_NAME (W_ for dense, K_ for conv2d), all three free. */
  private layerName(raw: string, kernel: "W" | "K"): string {
    let name = this.names.claim(raw);
    while (!this.names.isFree(`${kernel}_${name}`) || !this.names.isFree(`b_${name}`)) name = this.names.claim(`${raw}_layer`);
    this.names.block(`${kernel}_${name}`);
    this.names.block(`b_${name}`);
    return name;
  }

  /**
   * A layer statement with its activation: passed to the layer when it can apply it, else written
   * around it (`h = log_softmax(dense(x, 3))`), or, when it uses its operand twice (swish:
   * z * sigmoid(z)), on a value of its own (`h_z = dense(x, 3)`, `h = h_z * sigmoid(h_z)`).
   */
  private layer(raw: string, kernel: "W" | "K", act: ActivationForm, shape: number[], comment: string, make: (name: string) => NnExpr): Value {
    const fused = act.dense !== undefined;
    const twoSteps = !fused && act.repeats === true;
    const name = this.layerName(twoSteps ? `${raw}_z` : raw, kernel);
    const layer = make(name);
    if (!twoSteps) {
      this.statements.push({ name, expr: fused ? layer : act.apply(layer), comment });
      return valueOf(name, shape, act.nnc);
    }
    this.statements.push({ name, expr: layer, comment });
    return this.assign(raw, act.apply(ref(name)), shape, `${act.name} of ${name}`, act.nnc);
  }

  dense(d: DenseSpec): Value {
    const args: NnExpr[] = [ref(d.x.name), num(d.units)];
    const named: [string, NnExpr][] = [];
    if (d.activation.dense && d.activation.dense !== "linear") args.push(word(d.activation.dense));
    if (!d.bias) named.push(["use_bias", { k: "bool", value: false }]);
    named.push(...(d.options ?? []));
    return this.layer(d.raw, "W", d.activation, [d.units], d.comment, (name) => {
      this.weights.set(`W_${name}`, { shape: [d.units, d.x.size], data: d.kernel, from: d.from.kernel });
      if (d.bias) this.weights.set(`b_${name}`, { shape: [d.units], data: d.bias, from: d.from.bias ?? "" });
      return call("dense", args, named);
    });
  }

  /** conv2d(x, filters, kernel_size, strides = …, padding = same, activation = …, use_bias = false, dilation_rate = …). */
  conv2d(c: ConvSpec): Value {
    const w = c.window;
    const named: [string, NnExpr][] = [];
    if (w.sh !== 1 || w.sw !== 1) named.push(["strides", pair(w.sh, w.sw)]);
    named.push(...paddingArg(w.padding));
    if (c.activation.dense && c.activation.dense !== "linear") named.push(["activation", word(c.activation.dense)]);
    if (!c.bias) named.push(["use_bias", { k: "bool", value: false }]);
    if (w.dh !== 1 || w.dw !== 1) named.push(["dilation_rate", pair(w.dh, w.dw)]);
    named.push(...(c.options ?? []));
    return this.layer(c.raw, "K", c.activation, c.shape, c.comment, (name) => {
      this.weights.set(`K_${name}`, { shape: [w.kh, w.kw, c.x.shape[2]!, c.filters], data: c.kernel, from: c.from.kernel });
      if (c.bias) this.weights.set(`b_${name}`, { shape: [c.filters], data: c.bias, from: c.from.bias ?? "" });
      return call("conv2d", [ref(c.x.name), num(c.filters), pair(w.kh, w.kw)], named);
    });
  }

  /** A `param` line holding weights from the file (raw math: a scale, an unfused matrix). */
  param(raw: string, shape: number[], data: Float64Array, from: string, init = "zeros"): string {
    const name = this.names.claim(raw, "w");
    this.params.push({ name, shape, init });
    this.weights.set(name, { shape, data, from });
    return name;
  }
}
