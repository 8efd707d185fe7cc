// Every mistake a user can make in a model file gets a clear, located message: one case per
// row of docs/errors.md (the row's id in brackets), checking the message and file:line:col.
// The last test keeps the doc and the tests in step: every id in docs/errors.md has a test
// somewhere in tests/robustness/, and every id tested here is documented.

import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze } from "../../compiler/compile.js";
import { NncError, formatDiagnostic } from "../../compiler/diagnostics.js";

const H = "model m\ninput x[2]\ntarget y[1]\n";
const IMG = "model m\ninput x[6, 6, 1]\ntarget y[1]\n";
const TAIL = "out = dense(x, 1)\nloss mse(out, y)\n";

interface Case {
  id: string;
  what: string;
  source: string;
  message: RegExp;
  /** "line:column" of the diagnostic. */
  at: string;
}

/** Properties of every JavaScript object: a name looked up in a plain object `{}` finds them. */
const OBJECT_PROPERTIES = ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"];

const CASES: Case[] = [
  { id: "M1", what: "syntax error names what was expected and found", source: H + "h = dense(x 2)\n", message: /^expected ',' or '\)', found '2'$/, at: "4:13" },
  { id: "M1", what: "a missing ')' is reported where it is missing", source: H + "h = dense(x, 2\nloss mse(h, y)\n", message: /^expected ',' or '\)'$/, at: "4:15" },
  { id: "M2", what: "a character the language does not use", source: H + "é = x\n", message: /^unexpected character 'é' \(U\+00E9\); names may only use ASCII letters/, at: "4:1" },
  { id: "M2", what: "a NUL byte", source: H + "h = x\u0000\n", message: /^unexpected character U\+0000$/, at: "4:6" },
  { id: "M3", what: "a misspelled statement keyword", source: "modle m\n", message: /^unknown statement 'modle' \(did you mean 'model'\?\)/, at: "1:1" },
  { id: "M4", what: "a keyword used as a name", source: H + "h = dense(x, 1)\nout = h + loss\n", message: /^'loss' is a keyword and cannot be used as a name$/, at: "5:11" },
  { id: "M5", what: "a dimension that is not a positive integer", source: "model m\ninput x[2.5]\n", message: /^dimension must be a positive integer, got '2\.5'$/, at: "2:9" },
  { id: "M5", what: "a dimension that is too large", source: "model m\ninput x[99999999]\n", message: /^dimension 99999999 is too large \(at most 10000000\)$/, at: "2:9" },
  { id: "M6", what: "a number that overflows", source: H + "out = dense(x, 1) * 1e999\nloss mse(out, y)\n", message: /^number out of range: '1e999'$/, at: "4:21" },
  { id: "M7", what: "brackets nested more than 50 deep", source: H + `out = ${"(".repeat(51)}x${")".repeat(51)}\n`, message: /^expression nested too deeply \(more than 50 levels of brackets\)$/, at: "4:57" },
  { id: "M8", what: "an unknown name, with a suggestion", source: H + "hidden = dense(x, 3)\nout = dense(hiden, 1)\nloss mse(out, y)\n", message: /^unknown name 'hiden'; did you mean 'hidden'\?$/, at: "5:13" },
  { id: "M9", what: "a cycle: a value used in its own definition", source: H + "h = h + 1\nloss = mean((h - y) ^ 2)\n", message: /^'h' is used in its own definition; a value cannot depend on itself \(no cycles\)$/, at: "4:5" },
  { id: "M9", what: "a cycle: a value used before its definition", source: H + "a = b + 1\nb = a * 2\nloss = mean((b - y) ^ 2)\n", message: /^'b' is used before its definition at line 5; define it above this line/, at: "4:5" },
  { id: "M10", what: "a name defined twice", source: H + "h = dense(x, 1)\nh = tanh(h)\nloss mse(h, y)\n", message: /^'h' is already defined at line 4$/, at: "5:1" },
  { id: "M10", what: "a layer parameter clashing with a name", source: H + "W_h = x * 2\nh = dense(x, 1)\nloss mse(h, y)\n", message: /^layer parameter 'W_h' clashes with 'W_h' defined at line 4$/, at: "5:5" },
  { id: "M11", what: "a built-in function redefined", source: H + "tanh = x * 2\n" + TAIL, message: /^'tanh' is a built-in function and cannot be redefined$/, at: "4:1" },
  { id: "M11", what: "a function used as a value", source: H + "out = dense(x, 1) * tanh\nloss mse(out, y)\n", message: /^'tanh' is a function; call it as tanh\(\.\.\.\)$/, at: "4:21" },
  { id: "M11", what: "a value called as a function", source: H + "out = x(1)\nloss mse(out, y)\n", message: /^'x' is a value, not a function/, at: "4:7" },
  { id: "M12", what: "an unknown function", source: H + "out = dens(x, 1)\nloss mse(out, y)\n", message: /^unknown function 'dens'; did you mean 'dense'\?$/, at: "4:7" },
  { id: "M13", what: "too many arguments", source: H + "out = dense(x, 1, sigmoid, 0, 0, true, zeros, zeros, 5)\nloss mse(out, y)\n", message: /^dense\(\) takes at most 8 arguments \(x, units, .*\), got 9$/, at: "4:54" },
  { id: "M13", what: "a missing argument", source: H + "out = dense(x)\nloss mse(out, y)\n", message: /^dense\(\) is missing its argument 'units'$/, at: "4:7" },
  { id: "M14", what: "an unknown named argument", source: H + "out = dense(x, 1, activaton = sigmoid)\nloss mse(out, y)\n", message: /^dense\(\) has no argument 'activaton'; did you mean 'activation'\? \(it takes x, units, /, at: "4:19" },
  { id: "M14", what: "an argument given twice", source: H + "out = dense(x, 1, units = 2)\nloss mse(out, y)\n", message: /^argument 'units' of dense\(\) is given twice$/, at: "4:19" },
  { id: "M14", what: "a named argument repeated", source: H + "out = dense(x, 1, l2 = 1, l2 = 2)\nloss mse(out, y)\n", message: /^duplicate argument 'l2'$/, at: "4:27" },
  { id: "M14", what: "a positional argument after a named one", source: H + "out = dense(x, units = 1, sigmoid)\nloss mse(out, y)\n", message: /^positional argument after named argument$/, at: "4:27" },
  { id: "M15", what: "a tensor where a number is needed", source: H + "out = dense(x, x)\nloss mse(out, y)\n", message: /^'units' of dense\(\) must be a number$/, at: "4:16" },
  { id: "M15", what: "a number where true/false is needed", source: H + "out = dense(x, 1, use_bias = 1)\nloss mse(out, y)\n", message: /^'use_bias' of dense\(\) must be true or false$/, at: "4:30" },
  { id: "M15", what: "an expression where a name is needed", source: H + "out = dense(x, 1, 1 + 2)\nloss mse(out, y)\n", message: /^'activation' of dense\(\) must be a name such as 'relu'$/, at: "4:19" },
  { id: "M15", what: "a non-integer number of units", source: H + "out = dense(x, 2.5)\nloss mse(out, y)\n", message: /^'units' of dense\(\) must be an integer, got 2\.5$/, at: "4:16" },
  { id: "M16", what: "a shape mismatch in '@' names both shapes", source: H + "param W[3, 4] ~ zeros\nout = W @ x\nloss = mean((out - y) ^ 2)\n", message: /^shape mismatch in '@': \[3, 4\] @ \[2\]: inner sizes 4 and 2 differ$/, at: "5:7" },
  { id: "M16", what: "a shape mismatch in '+' names both shapes", source: H + "param W[3, 2] ~ zeros\nout = W @ x + y\nloss = mean((out - y) ^ 2)\n", message: /^shape mismatch in 'add': \[3\] and \[1\]$/, at: "5:7" },
  { id: "M17", what: "a matrix where a vector is needed", source: H + "param M[2, 2] ~ zeros\nout = dense(M, 1)\nloss mse(out, y)\n", message: /^dense\(\) needs a vector input, got shape \[2, 2\]$/, at: "5:13" },
  { id: "M17", what: "a vector where an image is needed", source: H + "h = conv2d(x, 4, 3)\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^conv2d\(\) needs an image \[height, width, channels\], got shape \[2\]; declare the input as an image, such as input x\[28, 28, 1\], or reshape\(x, \[28, 28, 1\]\)$/, at: "4:12" },
  { id: "M17", what: "pooling a vector", source: H + "h = max_pool2d(x)\nout = dense(h, 1)\nloss mse(out, y)\n", message: /^max_pool2d\(\) needs an image/, at: "4:16" },
  { id: "M17", what: "a matrix where an image is needed", source: "model m\ninput x[6, 6]\ntarget y[1]\nh = conv2d(x, 4, 3)\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^conv2d\(\) needs an image \[height, width, channels\], got shape \[6, 6\]$/, at: "4:12" },
  { id: "M17", what: "softmax over an image (a convolution's activation)", source: IMG + "h = conv2d(x, 3, 2, activation = softmax)\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^'softmax' needs a vector, got \[5, 5, 3\]$/, at: "4:5" },
  { id: "M17", what: "softmax() of an image", source: IMG + "h = softmax(x)\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^softmax\(\) needs a vector, got shape \[6, 6, 1\]$/, at: "4:5" },
  { id: "M17", what: "dense over an image", source: IMG + "out = dense(x, 1)\nloss mse(out, y)\n", message: /^dense\(\) needs a vector input, got shape \[6, 6, 1\]$/, at: "4:13" },
  { id: "M18", what: "a loss that is not a scalar", source: H + "out = dense(x, 1)\nloss = (out - y) ^ 2\n", message: /^the loss must be a scalar, got shape \[1\]; wrap it in mean\(\) or sum\(\)$/, at: "5:8" },
  { id: "M19", what: "loss arguments of the wrong shapes", source: H + "out = dense(x, 3)\nloss mse(out, y)\n", message: /^mse\(\) needs a prediction and a target of the same shape, got \[3\] and \[1\]$/, at: "5:6" },
  { id: "M19", what: "a sparse loss with a target that is not a class index", source: "model m\ninput x[2]\ntarget y[3]\nout = dense(x, 3)\nloss sparse_categorical_crossentropy(out, y)\n", message: /^sparse_categorical_crossentropy\(\) needs a target of shape \[1\] \(the class index\), got \[3\]$/, at: "5:6" },
  { id: "M19", what: "a class loss on an image", source: "model m\ninput x[4, 4, 1]\ntarget y[4, 4, 2]\nout = conv2d(x, 2, 3, padding = \"same\")\nloss categorical_crossentropy(out, y)\n", message: /^categorical_crossentropy\(\) needs a prediction vector \(one score per class\), got shape \[4, 4, 2\]; flatten it first with flatten\(\)$/, at: "5:6" },
  { id: "M19", what: "an image as the prediction of a classification loss", source: "model m\ninput x[6, 6, 1]\ntarget y[1]\nh = conv2d(x, 3, 6)\nloss sparse_categorical_crossentropy(h, y)\n", message: /^sparse_categorical_crossentropy\(\) needs a prediction vector \(one score per class\), got shape \[1, 1, 3\]; flatten it first with flatten\(\)$/, at: "5:6" },
  { id: "M19", what: "loss arguments in Keras' (target, prediction) order", source: H + "out = dense(x, 1)\nloss mse(y, out)\n", message: /^mse\(\) takes \(prediction, target\); the target is given first$/, at: "5:6" },
  { id: "M20", what: "an unknown loss", source: H + "out = dense(x, 1)\nloss mean_squared_error(out, y)\n", message: /^unknown loss 'mean_squared_error' \(known: mse, mae, /, at: "5:6" },
  { id: "M21", what: "a parameter the loss never uses", source: H + "param W[1, 2] ~ zeros\nparam V[1, 2] ~ zeros\nout = W @ x\nloss = mean((out - y) ^ 2)\n", message: /^parameter 'V' is never used by the loss$/, at: "5:7" },
  { id: "M22", what: "an unknown optimizer", source: H + TAIL + "optimizer adamw\n", message: /^unknown optimizer 'adamw'; did you mean 'adam'\? \(known: sgd, adam, rmsprop, adagrad/, at: "6:11" },
  { id: "M22", what: "an unknown optimizer option", source: H + TAIL + "optimizer sgd(momentun = 0.9)\n", message: /^sgd\(\) has no argument 'momentun'; did you mean 'momentum'\?/, at: "6:15" },
  // Names every JavaScript object has (looked up in a plain object, they were found: an internal error).
  ...OBJECT_PROPERTIES.flatMap((name): Case[] => [
    { id: "M22", what: `an optimizer named '${name}'`, source: H + TAIL + `optimizer ${name}\n`, message: new RegExp(`^unknown optimizer '${name}'`), at: "6:11" },
    { id: "M22", what: `an optimizer option named '${name}'`, source: H + TAIL + `optimizer sgd(${name} = 1)\n`, message: new RegExp(`^sgd\\(\\) has no argument '${name}'`), at: "6:15" },
  ]),
  { id: "M23", what: "an unknown initializer", source: H + "param W[1, 2] ~ glorot\nout = W @ x\nloss mse(out, y)\n", message: /^unknown initializer 'glorot' \(known: zeros, ones, constant, glorot_uniform/, at: "4:17" },
  { id: "M24", what: "an unknown activation", source: H + "out = dense(x, 1, sigmod)\nloss mse(out, y)\n", message: /^unknown activation 'sigmod' \(known: linear, sigmoid, /, at: "4:19" },
  { id: "M25", what: "a negative dropout rate", source: H + "h = dropout(x, -0.5)\nout = dense(h, 1)\nloss mse(out, y)\n", message: /^'rate' of dropout\(\) must be in \[0, 1\), got -0\.5$/, at: "4:16" },
  { id: "M25", what: "a dropout rate of 1", source: H + "h = dropout(x, 1)\nout = dense(h, 1)\nloss mse(out, y)\n", message: /^'rate' of dropout\(\) must be in \[0, 1\), got 1$/, at: "4:16" },
  { id: "M25", what: "a dropout rate above 1: the same message", source: H + "h = dropout(x, 1.5)\nout = dense(h, 1)\nloss mse(out, y)\n", message: /^'rate' of dropout\(\) must be in \[0, 1\), got 1\.5$/, at: "4:16" },
  { id: "M25", what: "zero units", source: H + "out = dense(x, 0)\nloss mse(out, y)\n", message: /^'units' of dense\(\) must be ≥ 1, got 0$/, at: "4:16" },
  { id: "M25", what: "a negative L2 penalty", source: H + "out = dense(x, 1, l2 = -1)\nloss mse(out, y)\n", message: /^'l2' of dense\(\) must be ≥ 0, got -1$/, at: "4:24" },
  { id: "M26", what: "a learning rate of 0", source: H + TAIL + "optimizer sgd(lr = 0)\n", message: /^'learning_rate' of sgd\(\) must be > 0, got 0$/, at: "6:20" },
  { id: "M26", what: "a negative learning rate", source: H + TAIL + "optimizer adam(learning_rate = -0.1)\n", message: /^'learning_rate' of adam\(\) must be > 0, got -0\.1$/, at: "6:32" },
  { id: "M26", what: "momentum above 1", source: H + TAIL + "optimizer sgd(momentum = 1.5)\n", message: /^'momentum' of sgd\(\) must be ≤ 1, got 1\.5$/, at: "6:26" },
  { id: "M26", what: "beta_1 of 1", source: H + TAIL + "optimizer adam(beta_1 = 1)\n", message: /^'beta_1' of adam\(\) must be < 1, got 1$/, at: "6:25" },
  { id: "M26", what: "a negative epsilon", source: H + TAIL + "optimizer adam(epsilon = -1e-7)\n", message: /^'epsilon' of adam\(\) must be ≥ 0, got -1e-7$/, at: "6:26" },
  { id: "M26", what: "a negative clipnorm", source: H + TAIL + "optimizer adam(clipnorm = -1)\n", message: /^'clipnorm' of adam\(\) must be > 0, got -1$/, at: "6:27" },
  { id: "M27", what: "two clipping options", source: H + TAIL + "optimizer sgd(clipnorm = 1, clipvalue = 1)\n", message: /^only one of clipnorm, clipvalue and global_clipnorm can be set; 'clipnorm' is already set$/, at: "6:29" },
  { id: "M28", what: "no loss: reported at the model line", source: H + "out = dense(x, 1)\n\n\n", message: /^missing loss: the model has no 'loss' line; add one such as 'loss mse\(out, y\)'/, at: "1:1" },
  { id: "M28", what: "no input", source: "model m\ntarget y[1]\nparam W[1, 1] ~ zeros\nloss = mean((W @ y - y) ^ 2)\n", message: /^missing input: the model has no 'input' line; add one such as 'input x\[2\]'$/, at: "1:1" },
  { id: "M28", what: "no target", source: "model m\ninput x[2]\nout = dense(x, 1)\nloss = mean(out ^ 2)\n", message: /^missing target: the model has no 'target' line; add one such as 'target y\[1\]'$/, at: "1:1" },
  { id: "M28", what: "an empty file", source: "", message: /^missing input: /, at: "1:1" },
  { id: "M28", what: "no model line: reported at the first statement", source: "\n# comment\ninput x[2]\ntarget y[1]\nout = dense(x, 1)\n", message: /^missing loss: /, at: "3:1" },
  { id: "M29", what: "a second input", source: H + "input z[2]\n" + TAIL, message: /^only one input is supported; 'x' is already the input$/, at: "4:1" },
  { id: "M29", what: "a second loss", source: H + TAIL + "loss mae(out, y)\n", message: /^the loss is already defined at line 5$/, at: "6:1" },
  { id: "M29", what: "a second optimizer", source: H + TAIL + "optimizer sgd\noptimizer adam\n", message: /^the optimizer is already set at line 6$/, at: "7:1" },
  { id: "M29", what: "a second model name", source: H + "model n\n" + TAIL, message: /^the model name is already set at line 1$/, at: "4:1" },
  { id: "M29", what: "a second output", source: H + TAIL + "output out\noutput out\n", message: /^the output is already set at line 6$/, at: "7:1" },
  { id: "M30", what: "an unknown output name", source: H + TAIL + "output nope\n", message: /^unknown name 'nope'$/, at: "6:8" },
  { id: "M30", what: "an output that is a scalar", source: H + "out = dense(x, 1)\ns = sum(out)\nloss mse(out, y)\noutput s\n", message: /^the output 's' must be a tensor \(a vector, an image, …\), got a scalar$/, at: "7:8" },
  { id: "M30", what: "no way to tell the output", source: H + "param W[1, 2] ~ zeros\nloss = mean((W @ x - y) ^ 2)\n", message: /^cannot tell which value is the model's output; add 'output NAME'$/, at: "5:1" },
  { id: "M31", what: "an unknown metric", source: H + TAIL + "metrics f1\n", message: /^unknown metric 'f1' \(known: accuracy, mae, mse/, at: "6:9" },
  // (Looked up in a plain object, these were taken as metrics: the module had `metrics: [null]`.)
  ...OBJECT_PROPERTIES.map((name): Case => ({ id: "M31", what: `a metric named '${name}'`, source: H + TAIL + `metrics ${name}\n`, message: new RegExp(`^unknown metric '${name}' \\(known: accuracy, mae, mse`), at: "6:9" })),
  { id: "M31", what: "an error metric with sparse labels", source: H + "out = dense(x, 3, softmax)\nloss sparse_categorical_crossentropy(out, y)\nmetrics mae\n", message: /^metric 'mae' compares the output 'out' \[3\] with the target 'y' \[1\] element by element, but their sizes differ$/, at: "6:9" },
  { id: "M32", what: "an exponent that is not a number", source: H + "out = dense(x, 1)\nloss = mean((out - y) ^ out)\n", message: /^the exponent of '\^' must be a number written in place, such as 2 or -0\.5$/, at: "5:25" },
  { id: "M33", what: "true/false as a value", source: H + "out = dense(x, 1) * true\nloss mse(out, y)\n", message: /^'true' can only be the value of a named argument$/, at: "4:21" },
  { id: "M34", what: "more than 100,000,000 parameters", source: "model m\ninput x[10000000]\ntarget y[1]\nh = dense(x, 11)\nout = dense(h, 1)\nloss mse(out, y)\n", message: /^parameter 'W_h' \[11, 10000000\] has 110000000 values, bringing the model to 110000000; at most 100000000 parameters are supported$/, at: "4:5" },
  { id: "M35", what: "matrix @ matrix with inner sizes that differ", source: H + "param A[2, 3] ~ zeros\nparam B[2, 2] ~ zeros\nC = A @ B\nout = dense(C @ x, 1)\nloss mse(out, y)\n", message: /^shape mismatch in '@': \[2, 3\] @ \[2, 2\]: inner sizes 3 and 2 differ$/, at: "6:5" },
  { id: "M35", what: "vector @ matrix", source: H + "param A[2, 2] ~ zeros\nout = dense(x @ A, 1)\nloss mse(out, y)\n", message: /^'@' needs a matrix and a vector, got \[2\] @ \[2, 2\]$/, at: "5:13" },
  { id: "M36", what: "a kernel larger than its input", source: IMG + "h = conv2d(x, 4, 7)\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^the conv2d window is 7 high, larger than the input \[6, 6, 1\]; use padding = "same" or a smaller window$/, at: "4:5" },
  { id: "M36", what: "a kernel wider than its input (not higher)", source: IMG + "h = conv2d(x, 4, [2, 7])\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^the conv2d window is 7 wide, larger than the input \[6, 6, 1\]; use padding = "same" or a smaller window$/, at: "4:5" },
  { id: "M36", what: "a kernel its dilation makes larger than its input", source: IMG + "h = conv2d(x, 4, 3, dilation_rate = 3)\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^the conv2d window is 7 \(3 dilated by 3\) high, larger than the input \[6, 6, 1\]; use padding = "same" or a smaller window$/, at: "4:5" },
  { id: "M36", what: "a pooling window larger than its input", source: IMG + "h = average_pool2d(x, [2, 8])\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^the average_pool2d window is 8 wide, larger than the input \[6, 6, 1\]; use padding = "same" or a smaller window$/, at: "4:5" },
  { id: "M36", what: "a raw kernel that is not [height, width, in, out]", source: IMG + "param K[3, 3, 1] ~ glorot_uniform\nh = conv2d(x, K)\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^a conv2d kernel has the shape \[height, width, in channels, filters\], got \[3, 3, 1\]$/, at: "5:5" },
  { id: "M36", what: "a kernel for other channels", source: IMG + "param K[3, 3, 2, 4] ~ glorot_uniform\nh = conv2d(x, K)\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^conv2d: the input has 1 channels but the kernel \[3, 3, 2, 4\] expects 2$/, at: "5:5" },
  { id: "M36", what: "valid pooling that drops rows", source: IMG + "h = max_pool2d(x, 4)\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^max_pool2d of \[6, 6, 1\]: a window of 4 with stride 4 does not divide the height 6 \(the last 2 would be dropped\); use padding = "same", or a size that divides$/, at: "4:5" },
  { id: "M36", what: "valid pooling that drops columns", source: "model m\ninput x[6, 5, 2]\ntarget y[1]\nh = average_pool2d(x, 2)\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^average_pool2d of \[6, 5, 2\]: a window of 2 with stride 2 does not divide the width 5 \(the last 1 would be dropped\); use padding = "same", or a size that divides$/, at: "4:5" },
  { id: "M36", what: "valid pooling whose stride does not divide", source: IMG + "h = max_pool2d(x, 2, strides = 3)\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^max_pool2d of \[6, 6, 1\]: a window of 2 with stride 3 does not divide the height 6 \(the last 1 would be dropped\)/, at: "4:5" },
  { id: "M37", what: "reshape to another number of values", source: IMG + "h = reshape(x, [5, 5])\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^reshape\(\) keeps the number of values: \[6, 6, 1\] has 36, \[5, 5\] has 25$/, at: "4:16" },
  { id: "M37", what: "operands that do not broadcast", source: IMG + "param b[6] ~ zeros\nh = x + b\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^shape mismatch in 'add': \[6, 6, 1\] and \[6\]; a shorter operand broadcasts only when it matches the last dimensions \(\[1\] here\)$/, at: "5:5" },
  { id: "M37", what: "a matrix against an image (ranks 2 and 3)", source: IMG + "param b[6, 6] ~ zeros\nh = x * b\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^shape mismatch in 'mul': \[6, 6, 1\] and \[6, 6\]; a shorter operand broadcasts only when it matches the last dimensions \(\[6, 1\] here\)$/, at: "5:5" },
  { id: "M37", what: "a size-1 operand does not stretch over channels", source: "model m\ninput x[6, 6, 4]\ntarget y[1]\nparam b[1] ~ zeros\nh = x - b\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^shape mismatch in 'sub': \[6, 6, 4\] and \[1\]; a shorter operand broadcasts only when it matches the last dimensions \(\[4\] here\)$/, at: "5:5" },
  { id: "M37", what: "reshape of an image to another number of values", source: IMG + "h = reshape(x, [6, 6, 2])\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^reshape\(\) keeps the number of values: \[6, 6, 1\] has 36, \[6, 6, 2\] has 72$/, at: "4:16" },
  { id: "M38", what: "an unknown padding", source: IMG + "h = conv2d(x, 4, 3, padding = \"full\")\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^'padding' of conv2d\(\) must be "valid" or "same", got "full"$/, at: "4:31" },
  { id: "M38", what: "a kernel size that is no size", source: IMG + "h = conv2d(x, 4, [3, 0])\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^'kernel_size' of conv2d\(\) must be a positive integer or a list of two, such as 3 or \[3, 3\]$/, at: "4:22" },
  { id: "M38", what: "a shape that is not a list", source: IMG + "h = reshape(x, 36)\nout = dense(h, 1)\nloss mse(out, y)\n", message: /^'shape' of reshape\(\) must be a list of positive integers, such as \[5, 5, 32\]$/, at: "4:16" },
  { id: "M38", what: "a shape with a zero", source: IMG + "h = reshape(x, [0, 36])\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^'shape' of reshape\(\) must be a list of positive integers, such as \[5, 5, 32\]$/, at: "4:17" },
  { id: "M38", what: "strides of 0", source: IMG + "h = conv2d(x, 4, 3, strides = 0)\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^'strides' of conv2d\(\) must be a positive integer or a list of two, such as 3 or \[3, 3\]$/, at: "4:31" },
  { id: "M38", what: "a pool size of three numbers", source: IMG + "h = max_pool2d(x, [2, 2, 2])\nout = dense(flatten(h), 1)\nloss mse(out, y)\n", message: /^'pool_size' of max_pool2d\(\) must be a positive integer or a list of two, such as 3 or \[3, 3\]$/, at: "4:19" },
  { id: "M39", what: "a string as a value", source: H + "out = dense(x, 1) * \"same\"\nloss mse(out, y)\n", message: /^a string such as "same" can only be the value of an argument that names a choice \(padding = "same"\)$/, at: "4:21" },
  { id: "M39", what: "a list as a value", source: H + "out = dense(x, 1) + [1, 2]\nloss mse(out, y)\n", message: /^a list such as \[3, 3\] can only be the value of an argument \(kernel_size, strides, a shape\)$/, at: "4:21" },
  { id: "M39", what: "a string left open", source: H + "out = dense(x, 1, padding = \"same)\nloss mse(out, y)\n", message: /^a string opened here has no closing '"' on its line$/, at: "4:29" },
];

function diagnose(source: string): NncError {
  try {
    analyze(source, "m.nn");
  } catch (e) {
    if (e instanceof NncError) return e;
    throw e;
  }
  throw new Error("no error");
}

describe("errors in model files (docs/errors.md)", () => {
  it.each(CASES)("[$id] $what", ({ source, message, at }) => {
    const e = diagnose(source);
    const d = e.diagnostic;
    expect(d.message).toMatch(message);
    expect(`${d.line}:${d.column}`).toBe(at);
    expect(d.file).toBe("m.nn");
    // The printed form: head, the source line, a caret under the column.
    const [head, line, caret] = formatDiagnostic(d).split("\n");
    expect(head).toBe(`m.nn:${at}: error: ${d.message}`);
    expect(line).toContain(" | ");
    expect(caret!.indexOf("^") - caret!.indexOf("|") - 2).toBe(d.column - 1);
  });

  it("a diagnostic is three lines whatever the file name and the source line hold", () => {
    const e = diagnose(H + "h = \u2028x\n");
    const lines = formatDiagnostic({ ...e.diagnostic, file: "evil\nname\r\u2029.nn" }).split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe("evil\\u000aname\\u000d\\u2029.nn:4:5: error: unexpected character U+2028");
    expect(lines[1]).toBe("  4 | h = \\u2028x");
  });

  it("every row of docs/errors.md has a test in tests/robustness, and every tested id is documented", () => {
    const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
    const documented = new Set([...doc.matchAll(/^\| ([MCRDI]\d+) \|/gm)].map((m) => m[1]!));
    const dir = new URL("./", import.meta.url);
    const tested = new Set<string>();
    for (const f of readdirSync(dir).filter((f) => f.endsWith(".test.ts"))) {
      const text = readFileSync(new URL(f, dir), "utf8");
      for (const m of text.matchAll(/\[([MCRDI]\d+)\]/g)) tested.add(m[1]!);
      for (const m of text.matchAll(/id: "([MCRDI]\d+)"/g)) tested.add(m[1]!);
    }
    expect(documented.size).toBeGreaterThan(40);
    expect([...documented].filter((id) => !tested.has(id)), "documented but not tested").toEqual([]);
    expect([...tested].filter((id) => !documented.has(id)), "tested but not documented").toEqual([]);
  });
});
