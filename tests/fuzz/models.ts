// fast-check generators of models that are mostly valid (shapes are consistent), so every
// stage past parsing gets exercised: layers with their options, every built-in function,
// reductions of layer outputs mixed with broadcasts (`sum(h) * h`, `mean((sum(out) - y) ^ 2)`,
// a matrix scaled by a reduction `(M * mean(h)) @ h`), long sums (hundreds of terms), deep
// chains of statements (hundreds), every loss (built-in, from logits, written by hand).
//
//   renderModel(fc.sample(generatedModel, 1)[0])   // "# generated\nmodel net\ninput x[3]\n…"

import fc from "fast-check";
import { mutate, mutation } from "./arbitraries.js";

const ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu", "softmax"];
const INITS = ["zeros", "ones", "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal", "constant(value = 0.1)"];
const KERNEL_INITS = ["glorot_uniform", "he_normal", "lecun_uniform", "ones"];
const OPTIMIZERS = ["sgd", "sgd(lr = 0.1, momentum = 0.9, nesterov = true)", "adam(lr = 0.01)", "rmsprop(clipnorm = 1)", "adagrad(global_clipnorm = 2)", "adam(clipvalue = 0.5)"];

/** Functions of one vector, with their options: every elementwise and vector function the language has. */
const FUNCTIONS: Record<string, (p: string) => string> = {
  sigmoid: (p) => `sigmoid(${p})`,
  tanh: (p) => `tanh(${p})`,
  relu: (p) => `relu(${p})`,
  exp: (p) => `exp(${p})`,
  abs: (p) => `abs(${p})`,
  square: (p) => `square(${p})`,
  softplus: (p) => `softplus(${p})`,
  softmax: (p) => `softmax(${p})`,
  log_softmax: (p) => `log_softmax(${p})`,
  linear: (p) => `linear(${p})`,
  "leaky_relu(slope)": (p) => `leaky_relu(${p}, negative_slope = 0.1)`,
  "elu(alpha)": (p) => `elu(${p}, alpha = 0.5)`,
  gelu: (p) => `gelu(${p})`,
  "gelu(tanh)": (p) => `gelu(${p}, approximate = true)`,
  sqrt: (p) => `sqrt(square(${p}) + 1)`,
  log: (p) => `log(abs(${p}) + 1)`,
};

/** A layer's output reduced and broadcast back onto it, in the forms models write. */
const REDUCTIONS: Record<string, (p: string) => string> = {
  "sum-times": (p) => `sum(${p}) * ${p}`,
  center: (p) => `${p} - mean(${p})`,
  normalize: (p) => `${p} / (1 + sum(abs(${p})))`,
  "dot-times": (p) => `(${p} @ ${p}) * ${p} * 0.1`,
  "logsumexp-shift": (p) => `${p} - logsumexp(${p})`,
  "plus-mean-square": (p) => `${p} + mean(square(${p}))`,
  mixed: (p) => `sum(${p}) * ${p} + mean(${p}) - sum(${p} * ${p}) * 0.5`,
};

/** Parameters mixed with a layer's output `p` of size `n` (parameter-only products, a matrix that differs by sample). */
const WITH_PARAMS: Record<string, (p: string, n: number, i: number) => string[]> = {
  "parameter-only matvec": (p, n, i) => [`param U${i}[${n}, ${n}] ~ glorot_uniform`, `param v${i}[${n}] ~ ones`, `h${i} = ${p} + U${i} @ v${i}`],
  "dot with a parameter": (p, n, i) => [`param u${i}[${n}] ~ glorot_uniform`, `h${i} = (u${i} @ ${p}) * ${p} + u${i}`],
  "sample matrix, parameter vector": (p, n, i) => [`param M${i}[${n}, ${n}] ~ glorot_uniform`, `param v${i}[${n}] ~ he_normal`, `h${i} = ${p} * ((M${i} * sum(${p})) @ v${i})`],
};

/** One step of a long chain of statements. */
const CHAIN_STEPS: Record<string, (p: string) => string> = {
  affine: (p) => `${p} * 0.99 + 0.01`,
  "tanh-mix": (p) => `${p} * 0.5 + tanh(${p}) * 0.5`,
  "sigmoid-residual": (p) => `${p} + sigmoid(${p}) * 0.01`,
};

type Layer =
  | { kind: "dense"; units: number; act: string; reg: "none" | "l1" | "l2" | "both"; bias: boolean; init: string }
  | { kind: "fn"; fn: string }
  | { kind: "dropout"; rate: number }
  | { kind: "raw"; units: number; init: string }
  | { kind: "scale"; op: "*" | "/" | "+" | "-"; c: number }
  | { kind: "residual" }
  | { kind: "long-sum"; terms: number }
  | { kind: "reduce"; form: string }
  | { kind: "scaled-matrix"; units: number; init: string }
  | { kind: "with-params"; form: string }
  | { kind: "chain"; length: number; step: string };

const layer: fc.Arbitrary<Layer> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("dense" as const),
      units: fc.integer({ min: 1, max: 5 }),
      act: fc.constantFrom(...ACTIVATIONS),
      reg: fc.constantFrom("none" as const, "none" as const, "l1" as const, "l2" as const, "both" as const),
      bias: fc.boolean(),
      init: fc.constantFrom(...KERNEL_INITS),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("fn" as const), fn: fc.constantFrom(...Object.keys(FUNCTIONS)) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("dropout" as const), rate: fc.constantFrom(0, 0.2, 0.5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("raw" as const), units: fc.integer({ min: 1, max: 4 }), init: fc.constantFrom(...INITS) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("scale" as const), op: fc.constantFrom("*" as const, "/" as const, "+" as const, "-" as const), c: fc.constantFrom(2, 0.5, 1000, 1e-3) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("residual" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("long-sum" as const), terms: fc.integer({ min: 2, max: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("reduce" as const), form: fc.constantFrom(...Object.keys(REDUCTIONS)) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("scaled-matrix" as const), units: fc.integer({ min: 1, max: 4 }), init: fc.constantFrom(...INITS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("with-params" as const), form: fc.constantFrom(...Object.keys(WITH_PARAMS)) }) },
);

/** Hundreds of terms on one line, or hundreds of statements (parsing alone takes ~0.1 s: used sparingly). */
const longLayer: fc.Arbitrary<Layer> = fc.oneof(
  fc.record({ kind: fc.constant("long-sum" as const), terms: fc.integer({ min: 100, max: 400 }) }),
  fc.record({ kind: fc.constant("chain" as const), length: fc.integer({ min: 100, max: 300 }), step: fc.constantFrom(...Object.keys(CHAIN_STEPS)) }),
);

/** Losses: built-in (with and without logits), and written by hand (some reduce the output first). */
const LOSSES = {
  mse: "loss mse(out, y)",
  mae: "loss mae(out, y)",
  binary_crossentropy: "loss binary_crossentropy(out, y)",
  categorical_crossentropy: "loss categorical_crossentropy(out, y)",
  sparse_categorical_crossentropy: "loss sparse_categorical_crossentropy(out, y)",
  "bce-logits": "loss binary_crossentropy(out, y, from_logits = true)",
  "cce-logits": "loss categorical_crossentropy(out, y, from_logits = true)",
  "sparse-logits": "loss sparse_categorical_crossentropy(out, y, from_logits = true)",
  expr: "loss = mean((out - y) ^ 2)",
  // Hand-written cross-entropies: stabilize rewrites them into stable forms (which must keep their value).
  "bce-written": "loss = -mean(y * log(sigmoid(out)) + (1 - y) * log(1 - sigmoid(out)))",
  "cce-written": "loss = -sum(y * log(softmax(out)))",
  "lse-written": "loss = log(sum(exp(out))) - sum(y * out)",
  // Reductions of the output, broadcast against it or the target.
  "sum-out": "loss = mean((sum(out) - y) ^ 2)",
  "dot-out": "loss = mean((out @ out - y) ^ 2)",
  "sum-times-out": "loss = mean((out * sum(out) - y) ^ 2)",
  "plus-sum-times-out": "loss = mean((out - y) ^ 2 + sum(out) * out * 0.01)",
} as const;
type LossKind = keyof typeof LOSSES;
/** Losses whose target is one value: a class index, or compared with a reduction of the output. */
const SCALAR_TARGET = new Set<LossKind>(["sparse_categorical_crossentropy", "sparse-logits", "sum-out", "dot-out"]);

export interface GeneratedModel {
  name: string;
  inSize: number;
  outSize: number;
  layers: Layer[];
  head: string;
  loss: LossKind;
  optimizer: string;
  metrics: "" | "accuracy" | "accuracy, mae, mse";
  /** `output` line: none (the loss's prediction), `out` written out, or the last hidden layer. */
  output: "none" | "out" | "last";
  crlf: boolean;
}

/** A model of up to four short layers. */
export const generatedModel: fc.Arbitrary<GeneratedModel> = fc.record({
  name: fc.constantFrom("net", "m", "constructor", "class", "__proto__", "delete", "toString"),
  inSize: fc.integer({ min: 1, max: 4 }),
  outSize: fc.integer({ min: 1, max: 3 }),
  layers: fc.array(layer, { maxLength: 4 }),
  head: fc.constantFrom(...ACTIVATIONS),
  loss: fc.constantFrom(...(Object.keys(LOSSES) as LossKind[])),
  optimizer: fc.constantFrom(...OPTIMIZERS),
  metrics: fc.constantFrom("" as const, "accuracy" as const, "accuracy, mae, mse" as const),
  output: fc.constantFrom("none" as const, "none" as const, "out" as const, "last" as const),
  crlf: fc.boolean(),
});

/** A generated model with one long layer (a long sum or a chain of statements) among its layers. */
export const longModel: fc.Arbitrary<GeneratedModel> = fc
  .tuple(generatedModel, longLayer, fc.nat())
  .map(([g, long, at]) => ({ ...g, layers: [...g.layers.slice(0, at % (g.layers.length + 1)), long, ...g.layers.slice(at % (g.layers.length + 1))] }));

/** Mostly short models; one in a hundred has a long layer. */
export const anyModel: fc.Arbitrary<GeneratedModel> = fc.oneof({ weight: 99, arbitrary: generatedModel }, { weight: 1, arbitrary: longModel });

function denseOptions(l: Layer & { kind: "dense" }): string {
  const options = [
    ...(l.reg === "l1" || l.reg === "both" ? ["l1 = 1e-3"] : []),
    ...(l.reg === "l2" || l.reg === "both" ? ["l2 = 1e-4"] : []),
    ...(l.bias ? [] : ["use_bias = false"]),
    ...(l.init === "glorot_uniform" ? [] : [`kernel_initializer = ${l.init}`]),
  ];
  return options.map((o) => `, ${o}`).join("");
}

/** The source text of a generated model: shapes are consistent, so most of them compile. */
export function renderModel(g: GeneratedModel): string {
  const target = SCALAR_TARGET.has(g.loss) ? 1 : g.outSize;
  const lines = [`# generated`, `model ${g.name}`, `input x[${g.inSize}]`, `target y[${target}]`];
  let prev = "x";
  let size = g.inSize;
  g.layers.forEach((l, i) => {
    const h = `h${i}`;
    switch (l.kind) {
      case "dense":
        lines.push(`${h} = dense(${prev}, ${l.units}, ${l.act}${denseOptions(l)})`);
        size = l.units;
        break;
      case "fn":
        lines.push(`${h} = ${FUNCTIONS[l.fn]!(prev)}`);
        break;
      case "dropout":
        lines.push(`${h} = dropout(${prev}, ${l.rate})`);
        break;
      case "raw":
        lines.push(`param W${i}[${l.units}, ${size}] ~ ${l.init}`, `param b${i}[${l.units}] ~ zeros`, `${h} = W${i} @ ${prev} + b${i}`);
        size = l.units;
        break;
      case "scale":
        lines.push(`${h} = ${prev} ${l.op} ${l.c}`);
        break;
      case "residual":
        lines.push(`${h} = ${prev} + tanh(${prev}) * 0.5`);
        break;
      case "long-sum": // a long DSL line: comments quoting it must stay comments
        if (l.terms <= 40) lines.push(`${h} = ${Array.from({ length: l.terms }, (_, k) => `${prev} * ${k + 1}`).join(" + ")}`);
        // Hundreds of terms whose weights add up to about 1, so values stay in range.
        else lines.push(`${h} = ${Array.from({ length: l.terms }, (_, k) => `${prev} * ${(k % 7) + 1} / ${4 * l.terms}`).join(" + ")}`);
        break;
      case "reduce":
        lines.push(`${h} = ${REDUCTIONS[l.form]!(prev)}`);
        break;
      case "scaled-matrix": // a matrix that differs from sample to sample
        lines.push(`param M${i}[${l.units}, ${size}] ~ ${l.init}`, `${h} = (M${i} * mean(${prev})) @ ${prev}`);
        size = l.units;
        break;
      case "with-params":
        lines.push(...WITH_PARAMS[l.form]!(prev, size, i));
        break;
      case "chain": {
        let cur = prev;
        for (let j = 0; j < l.length; j++) {
          const next = j === l.length - 1 ? h : `${h}_${j}`;
          lines.push(`${next} = ${CHAIN_STEPS[l.step]!(cur)}`);
          cur = next;
        }
        break;
      }
    }
    prev = h;
  });
  lines.push(`out = dense(${prev}, ${g.outSize}, ${g.head})`);
  lines.push(LOSSES[g.loss]);
  lines.push(`optimizer ${g.optimizer}`);
  if (g.metrics !== "") lines.push(`metrics ${g.metrics}`);
  if (g.output === "out") lines.push("output out");
  if (g.output === "last" && prev !== "x") lines.push(`output ${prev}`);
  return lines.join(g.crlf ? "\r\n" : "\n") + "\n";
}

/** Generated models, some of them mutated once or twice (mostly semantic errors then). */
export function generatedSource(): fc.Arbitrary<string> {
  return fc
    .tuple(anyModel, fc.array(mutation, { maxLength: 2 }))
    .map(([g, mutations]) => (mutations.length === 0 ? renderModel(g) : mutate(renderModel(g), mutations)));
}
