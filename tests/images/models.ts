// Small image models for the lowering tests: between them they use every argument of conv2d,
// the pooling functions, reshape, flatten and the raw ops, each on images small enough that a
// test compiles every strategy in a fraction of a second. `unrollAlways` marks the ones small
// enough for `--unroll always` (straight-line code for every element).
//
//   strides 1 and 2 (and [1, 2]), padding valid and same, dilation (alone and with strides),
//   non-square kernels and windows, 1 to 4 channels, max and average pooling valid and same,
//   global average pooling, reshape (vector -> image, image -> matrix), flatten, conv2d(x, K),
//   matrix @ matrix (both orders), a bias [F] and a [W, C] tensor broadcast over an image,
//   dropout and an L2 penalty on an image layer, an image as the model's output.

export interface ImageModel {
  name: string;
  source: string;
  /** Small enough for `--unroll always`. */
  unrollAlways: boolean;
  /** What the target rows look like: one-hot classes, 0/1, or any numbers. */
  target: "onehot" | "binary" | "real";
}

const model = (name: string, unrollAlways: boolean, target: ImageModel["target"], body: string): ImageModel => ({
  name,
  unrollAlways,
  target,
  source: `model ${name}\n${body.trim()}\n`,
});

export const IMAGE_MODELS: ImageModel[] = [
  // Stride 1, valid, a non-square kernel, 2 channels in and 3 out, into a dense softmax.
  model(
    "conv_valid",
    true,
    "onehot",
    `
input img[5, 4, 2]
target y[3]
c = conv2d(img, 3, [3, 2], activation = relu)
out = dense(flatten(c), 3, softmax)
loss categorical_crossentropy(out, y)`,
  ),
  // Stride 2 with same padding (odd sizes: padding on one side only), then valid max pooling.
  model(
    "conv_same_stride2",
    true,
    "binary",
    `
input img[7, 8, 1]
target y[1]
c = conv2d(img, 2, 3, strides = 2, padding = "same", activation = tanh)
p = max_pool2d(c, 2)
out = dense(flatten(p), 1, sigmoid)
loss binary_crossentropy(out, y)`,
  ),
  // Dilation alone (valid), a non-square kernel, no bias, then strides [1, 2] with same padding.
  model(
    "conv_dilated",
    false,
    "real",
    `
input img[7, 7, 2]
target y[2]
c1 = conv2d(img, 3, [2, 3], dilation_rate = 2, use_bias = false, activation = elu)
c2 = conv2d(c1, 2, [3, 2], strides = [1, 2], padding = "same", activation = sigmoid)
out = dense(flatten(c2), 2)
loss mse(out, y)`,
  ),
  // Dilation with same padding, and (an nnc extension: Keras refuses it) dilation with strides.
  model(
    "conv_dilated_strided",
    false,
    "real",
    `
input img[6, 7, 1]
target y[2]
c1 = conv2d(img, 2, 3, dilation_rate = [2, 1], padding = "same", activation = relu)
c2 = conv2d(c1, 2, 2, strides = 2, dilation_rate = 2, activation = tanh)
out = dense(flatten(c2), 2)
loss mse(out, y)`,
  ),
  // Average pooling, valid, with a non-square window and strides of its own; max pooling, same,
  // whose windows overhang an odd-sized image.
  model(
    "pools",
    true,
    "onehot",
    `
input img[6, 5, 2]
target y[3]
a = average_pool2d(img, [2, 3], strides = [2, 1])
m = max_pool2d(a, 2, padding = "same")
out = dense(flatten(m), 3, softmax)
loss categorical_crossentropy(out, y)`,
  ),
  // Same-padded pooling with overlapping windows: padded taps are never the maximum and are
  // not counted in the mean (TensorFlow's rule); then global average pooling.
  model(
    "pools_same",
    false,
    "onehot",
    `
input img[5, 5, 3]
target y[3]
c = conv2d(img, 4, 2, padding = "same", activation = relu)
m = max_pool2d(c, 3, strides = 2, padding = "same")
a = average_pool2d(m, [2, 3], strides = 1, padding = "same")
g = global_average_pool2d(a)
out = dense(g, 3, softmax)
loss categorical_crossentropy(out, y)`,
  ),
  // A vector input reshaped to an image, the raw op conv2d(x, K) with a bias broadcast over the
  // image, a [W, C] tensor broadcast over its rows, and the image reshaped to a matrix.
  model(
    "raw_reshape",
    true,
    "real",
    `
input x[12]
target y[3]
param K[2, 2, 1, 2] ~ glorot_uniform
param b[2] ~ glorot_uniform
param S[4, 2] ~ glorot_uniform
img = reshape(x, [3, 4, 1])
h = tanh(conv2d(img, K, padding = "same") + b)
s = h * S
m = reshape(s, [6, 4])
out = dense(flatten(m), 3)
loss mse(out, y)`,
  ),
  // Matrix @ matrix both ways round (parameter @ data, data @ parameter), into a loss by hand.
  model(
    "matmul",
    true,
    "real",
    `
input img[4, 3, 2]
target y[2]
param A[3, 4] ~ glorot_uniform
param B[6, 2] ~ glorot_uniform
m = reshape(img, [4, 6])
h = tanh(A @ m)
p = h @ B
output p
loss = mean((p + 0.1 * sum(p * p) - y) ^ 2)`,
  ),
  // A small CNN: two convolutions with several channels, an L2 penalty, pooling, dropout on an
  // image, and the sparse cross-entropy.
  model(
    "cnn",
    false,
    "onehot",
    `
input img[8, 8, 1]
target y[4]
c1 = conv2d(img, 4, 3, activation = relu, l2 = 0.001)
p1 = max_pool2d(c1, 2)
d1 = dropout(p1, 0.25)
c2 = conv2d(d1, 3, 2, padding = "same", activation = relu)
p2 = average_pool2d(c2, 3)
out = dense(flatten(p2), 4, softmax)
loss categorical_crossentropy(out, y)`,
  ),
  // An image as the model's output (per-pixel regression); its target is an image too.
  model(
    "image_out",
    true,
    "real",
    `
input img[4, 4, 1]
target y[4, 4, 2]
h = conv2d(img, 2, 3, padding = "same", activation = sigmoid)
loss = mean((h - y) ^ 2)`,
  ),
  // Edges of the geometry: a kernel as large as the image (one output position), strides larger
  // than the kernel (inputs no window reads), a 1×1 window with stride 2.
  model(
    "edges",
    true,
    "real",
    `
input img[5, 7, 2]
target y[3]
c = conv2d(img, 3, [5, 7], activation = tanh)
a = conv2d(img, 2, 2, strides = 3, padding = "same")
p = average_pool2d(a, 1, strides = 2, padding = "same")
q = max_pool2d(a, [2, 3], strides = [3, 2], padding = "same")
out = flatten(c) + sum(p) * sum(q)
loss mse(out, y)`,
  ),
  // The roles swapped: the image is a parameter and the kernel comes from the data, so no batching
  // rule applies (the convolution runs row by row) and ∂loss/∂P is a per-row value summed over rows.
  model(
    "data_kernel",
    true,
    "real",
    `
input x[8]
target y[2]
param P[4, 5, 1] ~ glorot_uniform
param Q[3, 2] ~ glorot_uniform
K = reshape(x, [2, 2, 1, 2])
h = relu(conv2d(P, K, strides = [1, 2], padding = "same"))
m = max_pool2d(h * Q, [2, 1])
out = dense(flatten(m), 2)
loss mse(out, y)`,
  ),
  // MNIST-sized: its buffers would pass 48 MB at 256 rows, so the compiler gives its batched
  // kernels fewer rows per call (32); valid pooling of 11 rows is refused, so the second is same.
  model(
    "mnist_sized",
    false,
    "onehot",
    `
input img[28, 28, 1]
target y[10]
c1 = conv2d(img, 16, 3, activation = relu)
p1 = max_pool2d(c1, 2)
c2 = conv2d(p1, 32, 3, activation = relu)
p2 = max_pool2d(c2, 2, padding = "same")
out = dense(flatten(p2), 10, softmax)
loss categorical_crossentropy(out, y)`,
  ),
];
