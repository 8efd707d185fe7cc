// Activations as an importer writes them: nnc's own (usable as `dense(x, n, relu)` when their
// options are the defaults, else as a call `leaky_relu(z, negative_slope = 0.01)`), and the
// Keras ones nnc has no name for, written as raw math over nnc's functions.
//
//   kerasActivation("relu")   -> { dense: "relu", apply: z => relu(z) }
//   kerasActivation("swish")  -> { apply: z => z * sigmoid(z) }        (z is named first: used twice)

import { ACTIVATIONS } from "../elaborate/activations.js";
import { bin, call, num, type NnExpr } from "./draft.js";

export interface ActivationForm {
  /** How it is named in messages and tables. */
  name: string;
  /** The word `dense(x, n, WORD)` takes, when dense can apply it (nnc's activation at its defaults). */
  dense?: string;
  /** The activation applied to a value. */
  apply(x: NnExpr): NnExpr;
  /** Whether `apply` uses its operand more than once (then the operand gets a name of its own). */
  repeats?: boolean;
  /** nnc's activation name, for choosing a default loss (softmax → categorical cross-entropy). */
  nnc?: string;
}

/** nnc's activation `name` with these options (those at their defaults are left out). */
export function nncActivation(name: string, options: Record<string, number | boolean> = {}): ActivationForm {
  const def = ACTIVATIONS.find((a) => a.name === name);
  if (!def) throw new Error(`internal error: nnc has no activation '${name}'`);
  const changed = Object.entries(options).filter(([k, v]) => def.options[k] !== v);
  const named: [string, NnExpr][] = changed.map(([k, v]) => [k, typeof v === "boolean" ? { k: "bool", value: v } : num(v)]);
  if (name === "linear") return { name, dense: "linear", apply: (x) => x, nnc: name };
  return { name, nnc: name, ...(changed.length === 0 ? { dense: name } : {}), apply: (x) => call(name, [x], named) };
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** Keras activation names (snake_case, as tfjs' camelCase names become) and how nnc writes them. */
export const KERAS_ACTIVATIONS: Record<string, ActivationForm> = {
  linear: nncActivation("linear"),
  relu: nncActivation("relu"),
  sigmoid: nncActivation("sigmoid"),
  tanh: nncActivation("tanh"),
  softplus: nncActivation("softplus"),
  softmax: nncActivation("softmax"),
  elu: nncActivation("elu"),
  gelu: nncActivation("gelu"),
  gelu_new: nncActivation("gelu", { approximate: true }),
  leaky_relu: nncActivation("leaky_relu"),
  log_softmax: { name: "log_softmax", apply: (x) => call("log_softmax", [x]) },
  exponential: { name: "exponential", apply: (x) => call("exp", [x]) },
  selu: { name: "selu", apply: (x) => bin("*", num(SELU_SCALE), call("elu", [x], [["alpha", num(SELU_ALPHA)]])) },
  softsign: { name: "softsign", repeats: true, apply: (x) => bin("/", x, bin("+", num(1), call("abs", [x]))) },
  swish: { name: "swish", repeats: true, apply: (x) => bin("*", x, call("sigmoid", [x])) },
  silu: { name: "silu", repeats: true, apply: (x) => bin("*", x, call("sigmoid", [x])) },
  mish: { name: "mish", repeats: true, apply: (x) => bin("*", x, call("tanh", [call("softplus", [x])])) },
  relu6: { name: "relu6", repeats: true, apply: (x) => bin("-", call("relu", [x]), call("relu", [bin("-", x, num(6))])) },
};

