// Elaboration on literal model files, one row per feature: the exact IR text of the training
// loss and of the inference output and loss (printGraph with the model's names, unnamed values
// renumbered), the parameters (names, shapes, initializers, model lines), the optimizer,
// accuracy kind, metrics and loss text. Only what a row states is checked.
//
//   h = dense(x, 3, tanh)   ->   Wx_h = matvec W_h x, z_h = add Wx_h b_h, h = tanh z_h; W_h[3, 2], b_h[3] at line 4

import { describe, expect, it } from "vitest";
import { elaborate } from "../compiler/elaborate/elaborate.js";
import type { AccuracyKind, Model } from "../compiler/elaborate/model.js";
import { parse } from "../compiler/parse.js";
import { irText, originText } from "./helpers/graph-text.js";

/** A model file from its lines: line k of the file is lines[k − 1]. */
const file = (...lines: string[]) => lines.join("\n") + "\n";

interface Row {
  feature: string;
  source: string;
  /** The training loss's graph. */
  train?: string;
  /** The inference output's and loss's graph. */
  infer?: string;
  /** Whether the training-mode output is another node than the inference output (dropout). */
  trainOutputDiffers?: boolean;
  /** `name [shape] ~ init @line` for each parameter, in declaration order. */
  params?: string[];
  optimizer?: { name: string; options: Record<string, number | boolean>; written: string };
  accuracy?: AccuracyKind;
  metrics?: string[];
  lossText?: string;
  outputName?: string;
  modelName?: string;
  /** originText of the training loss: the model line of every value. */
  origins?: string;
}

const RMSPROP = { name: "rmsprop", options: { learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false }, written: "rmsprop()" };

const DENSE = file("model tiny", "input x[2]", "target y[1]", "h = dense(x, 3, tanh)", "out = dense(h, 1)", "loss mse(out, y)");
// Shared by both texts of DENSE: the layers, then mean((out − y)²) as Σ(…)·(1/1).
const DENSE_GRAPH = [
  "W_out:[1, 3] = param",
  "W_h:[3, 2] = param",
  "x:[2] = input  # input",
  "Wx_h:[3] = matvec W_h x",
  "b_h:[3] = param",
  "z_h:[3] = add Wx_h b_h",
  "h:[3] = tanh z_h",
  "Wx_out:[1] = matvec W_out h",
  "b_out:[1] = param",
  "z_out:[1] = add Wx_out b_out",
  "y:[1] = input  # target",
  "%1:[1] = sub z_out y",
  "%2:[1] = pow[exponent=2] %1",
  "%3:[] = sum %2",
  "loss:[] = mul %3 1",
];

const ROWS: Row[] = [
  {
    feature: "dense layers: W_h, b_h, Wx_h, z_h; a linear layer's output is its z",
    source: DENSE,
    train: [...DENSE_GRAPH, "outputs: loss=loss"].join("\n"),
    infer: [...DENSE_GRAPH, "outputs: out=z_out, loss=loss"].join("\n"),
    trainOutputDiffers: false,
    params: ["W_h [3, 2] ~ glorot_uniform @4", "b_h [3] ~ zeros @4", "W_out [1, 3] ~ glorot_uniform @5", "b_out [1] ~ zeros @5"],
    lossText: "mse",
    accuracy: "none",
    metrics: [],
    outputName: "out",
    modelName: "tiny",
  },
  {
    feature: "the default optimizer: rmsprop with Keras' defaults",
    source: DENSE,
    optimizer: RMSPROP,
  },
  {
    feature: "parameter origins: every value carries the model line of the statement that made it",
    source: DENSE,
    origins: ["W_out @5", "W_h @4", "x @2", "Wx_h @4", "b_h @4", "z_h @4", "h @4", "Wx_out @5", "b_out @5", "z_out @5", "y @3", "%1 @6", "%2 @6", "%3 @6", "loss @6"].join("\n"),
  },
  {
    feature: "dropout: a mask in training, none in inference; dense without a bias has no z_h",
    source: file("input x[2]", "target y[1]", "h = dense(x, 2, relu, use_bias = false)", "d = dropout(h, 0.25)", "out = dense(d, 1)", "loss mse(out, y)"),
    train: [
      "W_out:[1, 2] = param",
      "W_h:[2, 2] = param",
      "x:[2] = input  # input",
      "Wx_h:[2] = matvec W_h x",
      "h:[2] = relu Wx_h",
      "%1:[2] = dropout_mask[id=0, rate=0.25]",
      "d:[2] = mul h %1",
      "Wx_out:[1] = matvec W_out d",
      "b_out:[1] = param",
      "z_out:[1] = add Wx_out b_out",
      "y:[1] = input  # target",
      "%2:[1] = sub z_out y",
      "%3:[1] = pow[exponent=2] %2",
      "%4:[] = sum %3",
      "loss:[] = mul %4 1",
      "outputs: loss=loss",
    ].join("\n"),
    infer: [
      "W_out:[1, 2] = param",
      "W_h:[2, 2] = param",
      "x:[2] = input  # input",
      "Wx_h:[2] = matvec W_h x",
      "h:[2] = relu Wx_h",
      "Wx_out:[1] = matvec W_out h",
      "b_out:[1] = param",
      "z_out:[1] = add Wx_out b_out",
      "y:[1] = input  # target",
      "%1:[1] = sub z_out y",
      "%2:[1] = pow[exponent=2] %1",
      "%3:[] = sum %2",
      "loss:[] = mul %3 1",
      "outputs: out=z_out, loss=loss",
    ].join("\n"),
    trainOutputDiffers: true,
    params: ["W_h [2, 2] ~ glorot_uniform @3", "W_out [1, 2] ~ glorot_uniform @5", "b_out [1] ~ zeros @5"],
  },
  {
    feature: "L1 and L2 penalties of a layer join the loss on the loss line (the terms come from the layer's)",
    source: file("input x[2]", "target y[1]", "out = dense(x, 1, l1 = 0.01, l2 = 0.02)", "loss mae(out, y)"),
    train: [
      "W_out:[1, 2] = param",
      "x:[2] = input  # input",
      "Wx_out:[1] = matvec W_out x",
      "b_out:[1] = param",
      "z_out:[1] = add Wx_out b_out",
      "y:[1] = input  # target",
      "%1:[1] = sub z_out y",
      "%2:[1] = abs %1",
      "%3:[] = sum %2",
      "%4:[] = mul %3 1",
      "%5:[1, 2] = abs W_out",
      "%6:[] = sum %5",
      "%7:[] = mul 0.01 %6",
      "%8:[] = add %4 %7",
      "%9:[1, 2] = pow[exponent=2] W_out",
      "%10:[] = sum %9",
      "%11:[] = mul 0.02 %10",
      "loss:[] = add %8 %11",
      "outputs: loss=loss",
    ].join("\n"),
    origins: ["W_out @3", "x @1", "Wx_out @3", "b_out @3", "z_out @3", "y @2", "%1 @4", "%2 @4", "%3 @4", "%4 @4", "%5 @3", "%6 @3", "%7 @3", "%8 @4", "%9 @3", "%10 @3", "%11 @3", "loss @4"].join("\n"),
    lossText: "mae",
  },
  {
    feature: "binary_crossentropy of a sigmoid output is computed from its logits; adam; metrics",
    source: file("input x[2]", "target y[1]", "out = dense(x, 1, sigmoid)", "loss binary_crossentropy(out, y)", "optimizer adam(lr = 0.01)", "metrics accuracy, mae"),
    infer: [
      "W_out:[1, 2] = param",
      "x:[2] = input  # input",
      "Wx_out:[1] = matvec W_out x",
      "b_out:[1] = param",
      "z_out:[1] = add Wx_out b_out",
      "out:[1] = sigmoid z_out",
      "%1:[1] = softplus z_out",
      "y:[1] = input  # target",
      "%2:[1] = mul y z_out",
      "%3:[1] = sub %1 %2",
      "%4:[] = sum %3",
      "loss:[] = mul %4 1",
      "outputs: out=out, loss=loss",
    ].join("\n"),
    optimizer: { name: "adam", options: { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, written: "adam(learning_rate = 0.01)" },
    accuracy: "binary",
    metrics: ["mae"],
    lossText: "binary_crossentropy",
    modelName: "m",
  },
  {
    feature: "categorical_crossentropy of a softmax becomes −Σ y logsoftmax(z); sgd with a positional learning rate",
    source: file("input x[2]", "target y[3]", "p = softmax(dense(x, 3))", "loss categorical_crossentropy(p, y)", "optimizer sgd(0.1, momentum = 0.9)"),
    infer: [
      "W_p:[3, 2] = param",
      "x:[2] = input  # input",
      "Wx_p:[3] = matvec W_p x",
      "b_p:[3] = param",
      "z_p:[3] = add Wx_p b_p",
      "p:[3] = softmax z_p",
      "y:[3] = input  # target",
      "%1:[3] = logsoftmax z_p",
      "%2:[3] = mul y %1",
      "%3:[] = sum %2",
      "loss:[] = neg %3",
      "outputs: p=p, loss=loss",
    ].join("\n"),
    optimizer: { name: "sgd", options: { learningRate: 0.1, momentum: 0.9, nesterov: false }, written: "sgd(learning_rate = 0.1, momentum = 0.9)" },
    accuracy: "categorical",
    lossText: "categorical_crossentropy",
  },
  {
    feature: "layers nested on one line are h, h2 (inner first); sparse_categorical_crossentropy one-hot encodes the class",
    source: file("input x[2]", "target k[1]", "h = dense(dense(x, 2, tanh), 3)", "loss sparse_categorical_crossentropy(h, k, from_logits = true)"),
    train: [
      "k:[1] = input  # target",
      "%1:[3] = onehot[n=3] k",
      "W_h2:[3, 2] = param",
      "W_h:[2, 2] = param",
      "x:[2] = input  # input",
      "Wx_h:[2] = matvec W_h x",
      "b_h:[2] = param",
      "z_h:[2] = add Wx_h b_h",
      "%2:[2] = tanh z_h",
      "Wx_h2:[3] = matvec W_h2 %2",
      "b_h2:[3] = param",
      "z_h2:[3] = add Wx_h2 b_h2",
      "%3:[3] = logsoftmax z_h2",
      "%4:[3] = mul %1 %3",
      "%5:[] = sum %4",
      "loss:[] = neg %5",
      "outputs: loss=loss",
    ].join("\n"),
    params: ["W_h [2, 2] ~ glorot_uniform @3", "b_h [2] ~ zeros @3", "W_h2 [3, 2] ~ glorot_uniform @3", "b_h2 [3] ~ zeros @3"],
    accuracy: "sparse_categorical",
    outputName: "h",
  },
  {
    feature: "param lines with initializers, `@` of two vectors is a dot product, `output NAME`, a written loss",
    source: file(
      "model dot",
      "input x[3]",
      "target y[1]",
      "param a[3] ~ constant(value = 0.5)",
      "param c[1] ~ ones",
      "s = a @ x",
      "h = c * s",
      "out = h + 1",
      "loss = mean((out - y) ^ 2)",
      "output h",
    ),
    infer: [
      "c:[1] = param",
      "a:[3] = param",
      "x:[3] = input  # input",
      "%1:[3] = mul a x",
      "s:[] = sum %1",
      "%2:[1] = broadcast s",
      "h:[1] = mul c %2",
      "%3:[1] = broadcast 1",
      "out:[1] = add h %3",
      "y:[1] = input  # target",
      "%4:[1] = sub out y",
      "%5:[1] = pow[exponent=2] %4",
      "%6:[] = sum %5",
      "loss:[] = mul %6 1",
      "outputs: h=h, loss=loss",
    ].join("\n"),
    params: ["a [3] ~ constant(0.5) @4", "c [1] ~ ones @5"],
    origins: ["c @5", "a @4", "x @2", "%1 @6", "s @6", "%2 @7", "h @7", "%3 @8", "out @8", "y @3", "%4 @9", "%5 @9", "%6 @9", "loss @9"].join("\n"),
    lossText: "loss = mean((out - y) ^ 2)",
    accuracy: "none",
    outputName: "h",
    modelName: "dot",
  },
  {
    feature: "activation options: leaky_relu's negative_slope is the op's alpha; gelu(approximate = true) is the tanh form",
    source: file("input x[1]", "target y[1]", "param w[1] ~ ones", "h = leaky_relu(w * x, negative_slope = 0.1)", "loss = mean(gelu(h, approximate = true) - y)"),
    train: [
      "%1:[1] = broadcast 0.5",
      "w:[1] = param",
      "x:[1] = input  # input",
      "%2:[1] = mul w x",
      "h:[1] = leaky_relu[alpha=0.1] %2",
      "%3:[1] = mul %1 h",
      "%4:[1] = broadcast 1",
      `%5:[1] = broadcast ${Math.sqrt(2 / Math.PI)}`,
      "%6:[1] = broadcast 0.044715",
      "%7:[1] = pow[exponent=3] h",
      "%8:[1] = mul %6 %7",
      "%9:[1] = add h %8",
      "%10:[1] = mul %5 %9",
      "%11:[1] = tanh %10",
      "%12:[1] = add %4 %11",
      "%13:[1] = mul %3 %12",
      "y:[1] = input  # target",
      "%14:[1] = sub %13 y",
      "%15:[] = sum %14",
      "loss:[] = mul %15 1",
      "outputs: loss=loss",
    ].join("\n"),
  },
  // Accuracy: from the built-in loss, or guessed from the output (a written loss, or metrics accuracy with a loss that has none).
  { feature: "accuracy of a written loss with a sigmoid output: binary", source: file("input x[2]", "target y[1]", "out = dense(x, 1, sigmoid)", "loss = mean((out - y) ^ 2)"), accuracy: "binary" },
  { feature: "accuracy of a written loss with a softmax output: categorical", source: file("input x[2]", "target y[3]", "out = dense(x, 3, softmax)", "loss = -sum(y * log(out))"), accuracy: "categorical" },
  { feature: "mse asked for accuracy, one output: binary", source: file("input x[2]", "target y[1]", "out = dense(x, 1)", "loss mse(out, y)", "metrics accuracy"), accuracy: "binary" },
  { feature: "mse asked for accuracy, three outputs: categorical", source: file("input x[2]", "target y[3]", "out = dense(x, 3)", "loss mse(out, y)", "metrics acc"), accuracy: "categorical" },
  {
    feature: "metrics: error metrics in the order written, long names folded, each once",
    source: file("input x[2]", "target y[1]", "out = dense(x, 1)", "loss mae(out, y)", "metrics mean_squared_error, accuracy, mae, mse"),
    metrics: ["mse", "mae"],
    accuracy: "binary",
  },
];

function elaborated(source: string): Model {
  return elaborate(parse(source, "m.nn"));
}

describe("elaborate: literal model files, one row per feature", () => {
  it.each(ROWS.map((r) => [r.feature, r] as const))("%s", (_feature, row) => {
    const model = elaborated(row.source);
    const loss = [{ name: "loss", node: model.train.loss }];
    if (row.train !== undefined) expect(irText(loss, model.names)).toBe(row.train);
    if (row.infer !== undefined) expect(irText([{ name: model.outputName, node: model.infer.output }, { name: "loss", node: model.infer.loss }], model.names)).toBe(row.infer);
    if (row.trainOutputDiffers !== undefined) expect(model.train.output !== model.infer.output).toBe(row.trainOutputDiffers);
    if (row.origins !== undefined) expect(originText(loss, model.names)).toBe(row.origins);
    if (row.params !== undefined) {
      const params = model.params.map((p) => `${p.name} [${p.shape.join(", ")}] ~ ${p.init.name}${p.init.value === undefined ? "" : `(${p.init.value})`} @${p.line}`);
      expect(params).toEqual(row.params);
      // A parameter's node is the graph's, stamped with the same line.
      for (const p of model.params) expect([p.node.op, p.node.attrs["name"], p.node.shape, p.node.origin?.line]).toEqual(["param", p.name, p.shape, p.line]);
    }
    if (row.optimizer !== undefined) expect(model.optimizer).toEqual(row.optimizer);
    if (row.accuracy !== undefined) expect(model.accuracy).toBe(row.accuracy);
    if (row.metrics !== undefined) expect(model.metrics).toEqual(row.metrics);
    if (row.lossText !== undefined) expect(model.lossText).toBe(row.lossText);
    if (row.outputName !== undefined) expect(model.outputName).toBe(row.outputName);
    if (row.modelName !== undefined) expect(model.name).toBe(row.modelName);
  });

  it("takes the inputs and target from their lines", () => {
    const model = elaborated(DENSE);
    expect([model.input.name, model.input.shape, model.input.node.attrs["role"]]).toEqual(["x", [2], "input"]);
    expect([model.target.name, model.target.shape, model.target.node.attrs["role"]]).toEqual(["y", [1], "target"]);
  });

  it("builds both modes into one interned graph: without dropout the modes share every node", () => {
    const model = elaborated(DENSE);
    expect(model.train.loss).toBe(model.infer.loss);
    expect(model.train.output).toBe(model.infer.output);
  });
});
