// The models and compiler options whose outputs tests/equivalence/recorded.json holds: every
// example under each lowering strategy it can take, plus models that exercise the strategies
// the examples do not (split and mixed per-sample kernels, hand-written math, penalties).

import { readFileSync } from "node:fs";
import type { CompileOptions } from "../../compiler/compile.js";

const example = (name: string) => readFileSync(new URL(`../../dsl-examples/${name}.nn`, import.meta.url), "utf8");

export const MODELS: Record<string, string> = {
  parity: example("parity"),
  xor: example("xor"),
  iris: example("iris"),
  iris_regularized: example("iris_regularized"),
  mnist: example("mnist"),
  deep: `model deep
input x[8]
target y[4]
h1 = dense(x, 16, relu)
h2 = dense(h1, 16, elu)
h3 = dense(h2, 16, tanh)
h4 = dense(h3, 16, sigmoid)
out = dense(h4, 4, softmax)
loss categorical_crossentropy(out, y)
optimizer adam(lr = 0.01)
`,
  wide: `model wide
input x[12]
target y[5]
h = dense(x, 96, tanh, l2 = 0.001)
d = dropout(h, 0.25)
out = dense(d, 5, softmax)
loss categorical_crossentropy(out, y)
optimizer sgd(lr = 0.1)
`,
  math: `model math
input x[7]
target y[3]
param W1[9, 7] ~ glorot_uniform
param b1[9] ~ zeros
param W2[3, 9] ~ glorot_uniform
hh = sigmoid(W1 @ x + b1)
p = W2 @ hh
loss = mean((p - y) ^ 2) + 1e-3 * sum(W1 ^ 2) - 1e-3 * sum(abs(W2))
optimizer sgd(lr = 0.1)
`,
  regression: `model regression
input x[3]
target y[2]
h = dense(x, 6, gelu, l1 = 0.01)
out = dense(h, 2, leaky_relu)
loss mae(out, y)
optimizer rmsprop(lr = 0.01, clipnorm = 1)
metrics mse
`,
};

export interface Case {
  key: string;
  model: string;
  options: CompileOptions;
}

const small = ["parity", "xor", "iris", "deep", "wide", "math", "regression"];
const all = [...small, "iris_regularized", "mnist"];

export const CASES: Case[] = [
  ...all.map((model) => ({ key: `${model} default`, model, options: {} })),
  ...all.map((model) => ({ key: `${model} f32`, model, options: { precision: "f32" as const } })),
  ...all.map((model) => ({ key: `${model} batch never`, model, options: { batch: "never" as const } })),
  ...small.map((model) => ({ key: `${model} batch always`, model, options: { batch: "always" as const } })),
  ...small.map((model) => ({ key: `${model} unroll never`, model, options: { batch: "never" as const, unroll: "never" as const } })),
  ...["parity", "xor", "math"].map((model) => ({ key: `${model} unroll always`, model, options: { batch: "never" as const, unroll: "always" as const } })),
];
