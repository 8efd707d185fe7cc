// The models whose ONNX exports the ONNX checker judged (tests/interop/fixtures/nnc-exports/,
// written by write-exports.ts, checked by pytorch_fixtures.py) and ONNX Runtime runs
// (tests/interop/onnx-runtime.test.ts): nnc's examples, a model of every layer pattern, one of
// every op the ONNX exporter writes, an MNIST-like CNN and a CNN of every image layer pattern.
// Weights: the module's init(1).

import { readFileSync } from "node:fs";

const example = (name: string) => readFileSync(new URL(`../../dsl-examples/${name}.nn`, import.meta.url), "utf8");

/** Every layer pattern the TensorFlow.js exporter writes (and dense layers of every activation). */
export const LAYERS_MODEL = `model layers
input  x[3]
target y[2]
a  = dense(x, 4, sigmoid)
b  = dense(x, 4, tanh, use_bias = false)
c  = dense(a * b, 4, relu)
d  = dense(c + a, 4, softplus)
e  = dense(d, 4, elu)
f  = dense(e, 4, gelu)
g  = leaky_relu(dense(f, 4), negative_slope = 0.1)
h  = tanh(g + e)
ls = log_softmax(dense(h, 3))
out = dense(ls, 2, softmax)
loss categorical_crossentropy(out, y)
optimizer sgd(lr = 0.1, momentum = 0.9)
`;

/** Every op the ONNX exporter writes: elementwise math, reductions, a dot product, broadcasts, products of computed weights. */
export const MATH_MODEL = `model math
input  x[4]
target y[3]
param W[3, 4] ~ glorot_uniform
param b[3]    ~ zeros
param s[4]    ~ ones
h = dense(x, 4, leaky_relu)
g = elu(h, alpha = 0.5) + gelu(h) + gelu(h, approximate = true) - relu(-h) * sigmoid(h)
k = exp(-abs(g)) + log(1 + g ^ 2) + sqrt(abs(g) + 1) - softplus(g) * s
t = k / sum(k ^ 2) + logsumexp(k) + mean(k) + (k @ s) + tanh(s @ s)
z = (W * 0.5) @ t + b
out = log_softmax(z) + softmax(z)
loss mse(out, y)
metrics mae
`;

/** Elementwise math the ONNX importer takes back (for the round trip). */
export const ELEMENTWISE_MODEL = `model elementwise
input  x[4]
target y[3]
param s[5] ~ ones
h = dense(x, 5, tanh)
g = exp(-abs(h)) * s + h / 2 - sqrt(abs(h) + 1)
out = dense(log(g * g + 1), 3, softmax)
loss categorical_crossentropy(out, y)
optimizer adam(lr = 0.01)
metrics accuracy
`;

/** An MNIST-like CNN: conv - pool - conv - pool - flatten - dense. */
export const MNIST_CNN_MODEL = `model mnist_cnn
input  x[28, 28, 1]
target y[10]
c1  = conv2d(x, 4, 3, padding = same, activation = relu)
p1  = max_pool2d(c1, 2)
c2  = conv2d(p1, 8, 3, padding = same, activation = relu)
p2  = max_pool2d(c2, 2)
out = dense(flatten(p2), 10, softmax)
loss categorical_crossentropy(out, y)
optimizer adam(lr = 0.001)
metrics accuracy
`;

/**
 * Every image layer pattern both exporters write, each of which both importers read back: strides,
 * both paddings, dilation, a non-square kernel, no bias, l2 and an initializer, elementwise math
 * on images, both poolings, both global poolings, reshape and flatten.
 */
export const CNN_MODEL = `model cnn
input  x[12, 12, 2]
target y[3]
c1  = conv2d(x, 4, 3, padding = same, activation = relu, l2 = 0.001)
p1  = max_pool2d(c1, 2)
c2  = conv2d(p1, 6, [3, 2], strides = [1, 2], use_bias = false, kernel_initializer = he_normal)
t   = tanh(c2)
p2  = average_pool2d(t, 2, padding = same)
c3  = conv2d(c1, 2, 3, padding = same, dilation_rate = 2, activation = sigmoid)
g   = global_average_pool2d(c3)
m   = flatten(max_pool2d(c1, [12, 12]))
r   = reshape(p2, [4, 3, 2])
f   = flatten(r)
s   = dense(f, 3) + dense(g, 3) + dense(m, 3)
out = softmax(s)
loss categorical_crossentropy(out, y)
optimizer sgd(lr = 0.1, momentum = 0.9)
`;

export const EXPORT_MODELS: { name: string; source: string }[] = [
  ...["parity", "xor", "iris", "iris_regularized"].map((name) => ({ name, source: example(name) })),
  { name: "layers", source: LAYERS_MODEL },
  { name: "math", source: MATH_MODEL },
  { name: "elementwise", source: ELEMENTWISE_MODEL },
  { name: "mnist_cnn", source: MNIST_CNN_MODEL },
  { name: "cnn", source: CNN_MODEL },
];
