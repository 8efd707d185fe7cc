# Writes the PyTorch judge's fixtures for nnc's ONNX importer (tests/interop/pytorch.test.ts):
# small MLPs and CNNs built in PyTorch, exported by torch.onnx.export at several opsets, with a
# batch of inputs and targets, and PyTorch's outputs, loss and parameter gradients, in float32 (as the
# model runs) and in float64 (the same float32 weights, computed in double precision, which is
# how nnc computes). CI needs no Python: the .onnx files and their .json records are committed.
#
# Run once, from the repository root, with Debian's packages (apt-get install python3-torch
# python3-onnx):
#
#   /usr/bin/python3 scripts/interop/pytorch_fixtures.py
#
# It also runs the ONNX checker (full_check, with shape inference) over every fixture and over
# nnc's own exports in tests/interop/fixtures/nnc-exports/ (written by
# `node --import tsx scripts/interop/write-exports.ts`), and records the verdicts with each file's
# SHA-256 in tests/interop/fixtures/nnc-exports/checked.json, so a test can tell that the exports
# nnc writes today are the files the checker passed.

import hashlib
import json
import os
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "interop", "fixtures", "pytorch")
EXPORTS = os.path.join(ROOT, "tests", "interop", "fixtures", "nnc-exports")


class Classifier(nn.Module):
    """4 -> 8 relu -> 3 softmax: Gemm + Relu, Gemm + Softmax."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 3)
        self.drop = nn.Dropout(0.25)

    def forward(self, x):
        return F.softmax(self.fc2(self.drop(F.relu(self.fc1(x)))), dim=1)


class Binary(nn.Module):
    """3 -> 5 tanh -> 1 sigmoid."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 5)
        self.out = nn.Linear(5, 1)

    def forward(self, x):
        return torch.sigmoid(self.out(torch.tanh(self.hidden(x))))


class Regression(nn.Module):
    """2 -> 6 leaky relu (0.1) -> 6 without bias, elu (alpha 0.5) -> 2: MatMul for the bias-less layer."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 6)
        self.fc2 = nn.Linear(6, 6, bias=False)
        self.fc3 = nn.Linear(6, 2)

    def forward(self, x):
        h = F.leaky_relu(self.fc1(x), 0.1)
        h = F.elu(self.fc2(h), alpha=0.5)
        return self.fc3(h)


class RawMath(nn.Module):
    """Elementwise math on the way: a learned scale vector, a residual, exp / log / sqrt / abs, log-softmax."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 4)
        self.scale = nn.Parameter(torch.linspace(0.5, 1.5, 4))
        self.fc2 = nn.Linear(4, 3)

    def forward(self, x):
        h = F.softplus(self.fc1(x))
        h = h * self.scale + x / 2
        h = torch.sqrt(torch.abs(h) + 1) - torch.exp(-h) + torch.log(h * h + 1)
        return F.log_softmax(self.fc2(h), dim=-1)


class MnistCnn(nn.Module):
    """MNIST-like: a flat 784 input seen as 1 x 28 x 28, conv 4 (3x3, padding 1) - relu - max pool 2 -
    conv 4 (3x3, padding 1) - relu - max pool 2 - flatten - dense 10 softmax: Reshape, Conv, MaxPool,
    Flatten of a channels-first image into Gemm."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 7 * 7, 10)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.conv1(x.view(-1, 1, 28, 28))), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        return F.softmax(self.fc(torch.flatten(h, 1)), dim=1)


class ChannelsCnn(nn.Module):
    """A 3-channel image input [3, 11, 11]: a strided conv (padding 1 = TensorFlow's same here), a
    learned scale per channel, leaky relu, average pooling, a bias-less conv with a [2, 1] kernel and
    tanh flattened (channels first, 6 x 2 x 3) into a dense layer; a dilated conv (dilation 2,
    padding 2) with global max pooling, and global average pooling, each into a dense layer; summed,
    softmax."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, stride=2, padding=1)
        self.scale = nn.Parameter(torch.linspace(0.5, 1.5, 4).reshape(1, 4, 1, 1))
        self.conv2 = nn.Conv2d(4, 6, (2, 1), bias=False)
        self.conv3 = nn.Conv2d(4, 2, 3, dilation=2, padding=2)
        self.fc_a = nn.Linear(6 * 2 * 3, 3)
        self.fc_g = nn.Linear(4, 3)
        self.fc_m = nn.Linear(2, 3)

    def forward(self, x):
        h = F.leaky_relu(self.conv1(x) * self.scale, 0.2)
        a = torch.tanh(self.conv2(F.avg_pool2d(h, 2)))
        g = F.adaptive_avg_pool2d(h, 1)
        m = F.adaptive_max_pool2d(F.relu(self.conv3(h)), 1)
        z = self.fc_a(torch.flatten(a, 1)) + self.fc_g(torch.flatten(g, 1)) + self.fc_m(torch.flatten(m, 1))
        return F.softmax(z, dim=1)


# name, module, opset, loss (as nnc's importer chooses it for the output: docs/interop.md), the
# input's per-sample shape (None: the first Linear's inputs), the number of samples
CASES = [
    ("classifier", Classifier, 13, "categorical_crossentropy", None, 6),
    ("binary", Binary, 9, "binary_crossentropy", None, 6),
    ("regression", Regression, 14, "mse", None, 6),
    ("rawmath", RawMath, 17, "mse", None, 6),
    ("mnist_cnn", MnistCnn, 13, "categorical_crossentropy", (784,), 3),
    ("channels_cnn", ChannelsCnn, 11, "categorical_crossentropy", (3, 11, 11), 4),
]


def loss_of(name, p, y):
    # nnc's losses (docs/language.md), batch mean as in fit: mean over samples of the per-sample loss.
    if name == "categorical_crossentropy":
        return -(y * torch.log(p)).sum(dim=1).mean()
    if name == "binary_crossentropy":
        return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean(dim=1).mean()
    return ((p - y) ** 2).mean(dim=1).mean()


def record(model, x, y, loss_name, initializers, dtype):
    model = model.to(dtype)
    model.zero_grad()
    p = model(x.to(dtype))
    loss = loss_of(loss_name, p, y.to(dtype))
    loss.backward()
    params = dict(model.named_parameters())
    grads = {}
    # Each ONNX initializer is a parameter, or its transpose (PyTorch folds the transpose of a
    # bias-less Linear's weight into a new initializer): record the gradient in the initializer's layout.
    for init_name, values in initializers.items():
        for pname, param in params.items():
            w = param.detach().to(torch.float32).numpy()
            if w.ndim == 0:
                continue
            if w.shape == values.shape and np.array_equal(w, values):
                g = param.grad.detach().numpy()
            elif w.ndim == 2 and w.T.shape == values.shape and np.array_equal(w.T, values):
                g = param.grad.detach().numpy().T
            else:
                continue
            grads[init_name] = {"dims": list(values.shape), "data": [float(v) for v in g.reshape(-1)]}
            break
    return {
        "output": [[float(v) for v in row] for row in p.detach().numpy()],
        "loss": float(loss.detach()),
        "gradients": grads,
    }


def check(path):
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        return "passed"
    except Exception as e:  # the checker's verdict, recorded as it words it
        return f"failed: {e}"


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    os.makedirs(OUT, exist_ok=True)
    versions = {"torch": torch.__version__, "onnx": onnx.__version__, "numpy": np.__version__, "python": sys.version.split()[0]}
    for i, (name, make, opset, loss_name, shape, n) in enumerate(CASES):
        torch.manual_seed(1000 + i)
        model = make().eval()
        if shape is None:
            x = torch.rand(n, next(m for m in model.modules() if isinstance(m, nn.Linear)).in_features) * 4 - 2
        else:
            # Pixels k / 256 in [0, 1): short in JSON, exact in float32 and float64.
            x = torch.randint(0, 256, (n, *shape)).float() / 256
        path = os.path.join(OUT, f"{name}.onnx")
        torch.onnx.export(model, x[:1], path, opset_version=opset, input_names=["x"], output_names=["out"], dynamic_axes={"x": {0: "batch"}, "out": {0: "batch"}})
        graph = onnx.load(path).graph
        initializers = {t.name: onnx.numpy_helper.to_array(t) for t in graph.initializer}
        n_out = model(x[:1]).shape[1]
        if loss_name == "categorical_crossentropy":
            y = F.one_hot(torch.arange(n) % n_out, n_out).float()
        elif loss_name == "binary_crossentropy":
            y = (torch.arange(n) % 2).float().reshape(n, 1)
        else:
            y = torch.rand(n, n_out) * 2 - 1
        fixture = {
            "made_by": versions,
            "opset": opset,
            "ops": [n.op_type for n in graph.node],
            "loss": loss_name,
            # Each sample flat, in PyTorch's (channels-first) order, and its shape.
            "input_shape": list(x.shape[1:]),
            "input": [[float(v) for v in row.reshape(-1)] for row in x.numpy()],
            "target": [[float(v) for v in row] for row in y.numpy()],
            "float32": record(model, x, y, loss_name, initializers, torch.float32),
            "float64": record(model, x, y, loss_name, initializers, torch.float64),
            "checker": check(path),
        }
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump(fixture, f, indent=1)
        print(f"{name}: opset {opset}, ops {' '.join(fixture['ops'])}, checker {fixture['checker']}")
    if os.path.isdir(EXPORTS):
        verdicts = {}
        for file in sorted(os.listdir(EXPORTS)):
            if file.endswith(".onnx"):
                path = os.path.join(EXPORTS, file)
                verdicts[file] = {"sha256": sha256(path), "checker": check(path)}
                print(f"nnc export {file}: checker {verdicts[file]['checker']}")
        with open(os.path.join(EXPORTS, "checked.json"), "w") as f:
            json.dump({"checked_by": versions, "files": verdicts}, f, indent=1)


if __name__ == "__main__":
    main()
