// Builds a Draft one layer or node at a time, for both importers: claims readable names
// (names.ts), writes dense layers as `dense(…)` with their weights in nnc's [out, in] layout,
// everything else as assignments, and `param` lines for weights used in raw math.
//
//   const b = new DraftBuilder(["dense", "dense_1"]);
//   const x = b.input("input_1", 4);
//   const h = b.dense({ raw: "dense", x, units: 16, kernel, bias, activation: KERAS_ACTIVATIONS.relu, … });
//   // h = dense(input_1, 16, relu)   with W_h, b_h from the file

import { type ActivationForm } from "./activations.js";
import { call, num, ref, word, type DraftParam, type DraftStatement, type DraftWeights, type NnExpr } from "./draft.js";
import { NameTable } from "./names.js";

/** A value of the model being built: its nnc name and size, and the activation that made it. */
export interface Value {
  name: string;
  size: number;
  activation?: string;
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

export class DraftBuilder {
  readonly names = new NameTable();
  readonly statements: DraftStatement[] = [];
  readonly params: DraftParam[] = [];
  readonly weights = new Map<string, DraftWeights>();

  constructor(rawNames: Iterable<string>) {
    this.names.reserveAll(rawNames);
  }

  input(raw: string, size: number): Value {
    return { name: this.names.claim(raw, "x"), size };
  }

  assign(raw: string, expr: NnExpr, size: number, comment: string, activation?: string): Value {
    const name = this.names.claim(raw);
    this.statements.push({ name, expr, comment });
    return { name, size, ...(activation ? { activation } : {}) };
  }

  /** A name for a layer whose parameters will be W_NAME and b_NAME, all three free. */
  private layerName(raw: string): string {
    let name = this.names.claim(raw);
    while (!this.names.isFree(`W_${name}`) || !this.names.isFree(`b_${name}`)) name = this.names.claim(`${raw}_layer`);
    this.names.block(`W_${name}`);
    this.names.block(`b_${name}`);
    return name;
  }

  dense(d: DenseSpec): Value {
    const args: NnExpr[] = [ref(d.x.name), num(d.units)];
    const named: [string, NnExpr][] = [];
    if (d.activation.dense && d.activation.dense !== "linear") args.push(word(d.activation.dense));
    if (!d.bias) named.push(["use_bias", { k: "bool", value: false }]);
    named.push(...(d.options ?? []));
    // An activation dense() cannot apply goes around it: `h = log_softmax(dense(x, 3))`, or, when
    // it uses its operand twice (swish: z * sigmoid(z)), on a value of its own: `h_z = dense(x, 3)`.
    const fused = d.activation.dense !== undefined;
    const twoSteps = !fused && d.activation.repeats === true;
    const name = this.layerName(twoSteps ? `${d.raw}_z` : d.raw);
    const dense = call("dense", args, named);
    this.weights.set(`W_${name}`, { shape: [d.units, d.x.size], data: d.kernel, from: d.from.kernel });
    if (d.bias) this.weights.set(`b_${name}`, { shape: [d.units], data: d.bias, from: d.from.bias ?? "" });
    if (!twoSteps) {
      this.statements.push({ name, expr: fused ? dense : d.activation.apply(dense), comment: d.comment });
      return { name, size: d.units, ...(d.activation.nnc ? { activation: d.activation.nnc } : {}) };
    }
    this.statements.push({ name, expr: dense, comment: d.comment });
    return this.assign(d.raw, d.activation.apply(ref(name)), d.units, `${d.activation.name} of ${name}`, d.activation.nnc);
  }

  /** A `param` line holding weights from the file (raw math: a scale, an unfused matrix). */
  param(raw: string, shape: number[], data: Float64Array, from: string, init = "zeros"): string {
    const name = this.names.claim(raw, "w");
    this.params.push({ name, shape, init });
    this.weights.set(name, { shape, data, from });
    return name;
  }
}
