// Each middle stage on its own, on literal models, with exact expected IR text: stabilize
// (stable forms of the forward graphs), differentiate (the raw adjoints, their lines and
// roles), rewrite and simplify (the rules to a fixed point, then names), batch (the graphs over
// a minibatch: matrix products, and each gradient as signed terms summed over the rows).
// Values are checked with the reference interpreter against finite differences or against
// the stage's input, never against the stage itself.
//
//   simplify(differentiate(stabilize(model))).grads.get("W")   // dW = outer(dout, x), dout = σ(out) − y

import { describe, expect, it } from "vitest";
import { elaborate } from "../../compiler/elaborate/elaborate.js";
import type { Model } from "../../compiler/elaborate/model.js";
import { evaluate } from "../../compiler/interpret.js";
import { type Node, sizeOf } from "../../compiler/ir/node.js";
import { newGraph } from "../../compiler/ops/registry.js";
import { parse } from "../../compiler/parse.js";
import { batch } from "../../compiler/passes/batch.js";
import { differentiate } from "../../compiler/passes/differentiate.js";
import { rewrite } from "../../compiler/passes/rewrite.js";
import { simplify } from "../../compiler/passes/simplify.js";
import { rootsOf, stabilize } from "../../compiler/passes/stabilize.js";
import { finiteDifferences, relError, testRandom } from "../helpers/fd.js";
import { expression, irText, originText } from "../helpers/graph-text.js";

const file = (...lines: string[]) => lines.join("\n") + "\n";
const elaborated = (source: string): Model => elaborate(parse(source, "m.nn"));
const text = (roots: Record<string, Node>, names: ReadonlyMap<number, string>) => irText(Object.entries(roots).map(([name, node]) => ({ name, node })), names);
const lines = (...l: string[]) => l.join("\n");

/** Random values for the model's parameters, input and target (a 0/1 target). */
function randomValues(model: Model, seed: number): Map<string, Float64Array> {
  const random = testRandom(seed);
  const values = new Map<string, Float64Array>();
  for (const p of model.params) values.set(p.name, Float64Array.from({ length: sizeOf(p.shape) }, () => random() * 2 - 1));
  values.set(model.input.name, Float64Array.from({ length: model.input.shape[0]! }, () => random() * 4 - 2));
  values.set(model.target.name, Float64Array.from({ length: model.target.shape[0]! }, () => (random() < 0.5 ? 0 : 1)));
  return values;
}

// A logistic unit with its cross-entropy written out by hand.
const WRITTEN_BCE = file("input x[2]", "target y[1]", "param W[1, 2] ~ zeros", "out = W @ x", "loss = -mean(y * log(sigmoid(out)) + (1 - y) * log(1 - sigmoid(out)))");
// Two dense layers, an L2 penalty on the first.
const DENSE_L2 = file("input x[2]", "target y[1]", "h = dense(x, 3, tanh, l2 = 0.01)", "out = dense(h, 1)", "loss mse(out, y)");

describe("stabilize", () => {
  it("rewrites a hand-written binary cross-entropy into y z − softplus(z) before anything else", () => {
    const model = elaborated(WRITTEN_BCE);
    const stable = stabilize(model);
    expect(text({ loss: stable.forward.trainLoss, out: stable.forward.output }, model.names)).toBe(
      lines(
        "y:[1] = input  # target",
        "W:[1, 2] = param",
        "x:[2] = input  # input",
        "out:[1] = matvec W x",
        "%1:[1] = mul y out",
        "%2:[1] = softplus out",
        "%3:[1] = sub %1 %2",
        "%4:[] = sum %3",
        "%5:[] = neg %4",
        "outputs: loss=%5, out=out",
      ),
    );
    expect(stable.rewrites).toEqual({ "cross-entropy of sigmoid": 1, "mul identity": 1 });
    // The roots as elaborated are kept beside the stable ones.
    expect(rootsOf(stable.asBuilt)).toEqual([model.train.loss, model.infer.output, model.infer.loss, model.train.output]);
  });

  it("gives the stable loss where the written one overflows: out = 40, y = 0 costs 40, not Infinity", () => {
    const model = elaborated(WRITTEN_BCE);
    const stable = stabilize(model);
    const values = new Map([
      ["W", Float64Array.of(20, 0)],
      ["x", Float64Array.of(2, 5)],
      ["y", Float64Array.of(0)],
    ]);
    const v = evaluate([model.train.loss, stable.forward.trainLoss], { values });
    expect(v.get(model.train.loss.id)![0]).toBe(Infinity);
    // −log(1 − σ(40)) = softplus(40) = 40 + log(1 + e^−40)
    expect(v.get(stable.forward.trainLoss.id)![0]).toBe(40 + Math.log1p(Math.exp(-40)));
  });

  it("rewrites a hand-written log Σ exp into logsumexp", () => {
    const model = elaborated(file("input x[2]", "target y[3]", "param W[3, 2] ~ zeros", "out = W @ x", "loss = log(sum(exp(out))) - sum(y * out)"));
    const stable = stabilize(model);
    expect(text({ loss: stable.forward.trainLoss }, model.names)).toBe(
      lines(
        "W:[3, 2] = param",
        "x:[2] = input  # input",
        "out:[3] = matvec W x",
        "%1:[] = logsumexp out",
        "y:[3] = input  # target",
        "%2:[3] = mul y out",
        "%3:[] = sum %2",
        "%4:[] = sub %1 %3",
        "outputs: loss=%4",
      ),
    );
    expect(stable.rewrites).toEqual({ "stable logsumexp": 1 });
  });
});

describe("differentiate", () => {
  it("builds the adjoints of the stable loss, stamped gradient with the line of the op whose rule made them; fan-out adds", () => {
    const model = elaborated(WRITTEN_BCE);
    const d = differentiate(stabilize(model));
    const roots = [{ name: "W", node: d.grads.get("W")! }];
    // loss = −Σ(y out − softplus(out)): d/dout = −1·(−σ(out)) + (−1)·y, summed over out's two uses.
    expect(irText(roots, model.names)).toBe(
      lines(
        "%1:[] = neg 1",
        "%2:[1] = broadcast %1",
        "%3:[1] = neg %2",
        "W:[1, 2] = param",
        "x:[2] = input  # input",
        "out:[1] = matvec W x",
        "%4:[1] = sigmoid out",
        "%5:[1] = mul %3 %4",
        "y:[1] = input  # target",
        "%6:[1] = mul %2 y",
        "%7:[1] = add %5 %6",
        "%8:[1, 2] = outer %7 x",
        "outputs: W=%8",
      ),
    );
    // σ(out) was already in the forward graph (the loss as written), so it stays a forward value.
    expect(originText(roots, model.names)).toBe(
      lines("%1 @5 gradient", "%2 @5 gradient", "%3 @5 gradient", "W @3", "x @1", "out @4", "%4 @5", "%5 @5 gradient", "y @2", "%6 @5 gradient", "%7 @5 gradient", "%8 @4 gradient"),
    );
  });

  it("gives every parameter the gradient central differences of the loss give", () => {
    const model = elaborated(DENSE_L2);
    const stable = stabilize(model);
    const d = differentiate(stable);
    expect([...d.grads.keys()]).toEqual(["W_h", "b_h", "W_out", "b_out"]);
    const values = randomValues(model, 5);
    const lossAt = () => evaluate([stable.forward.trainLoss], { values }).get(stable.forward.trainLoss.id)![0]!;
    const grads = evaluate([...d.grads.values()], { values });
    for (const [name, node] of d.grads) {
      const fd = finiteDifferences(lossAt, values.get(name)!);
      grads.get(node.id)!.forEach((g, i) => expect(relError(g, fd[i]!), `${name}[${i}]: ${g} vs ${fd[i]}`).toBeLessThan(1e-6));
    }
  });
});

describe("rewrite", () => {
  it("runs the rules to a fixed point and lists each replacement in order (provenance)", () => {
    const g = newGraph();
    const [p, y] = [g.param("p", [2]), g.input("y", [2], "target")];
    const diff = g.sub(p, y);
    const root = g.mul(g.const(1), g.neg(g.neg(diff)));
    const { roots, provenance, stats } = rewrite(g, [root]);
    expect(roots).toEqual([diff]);
    // Inputs first: the inner −(p − y) becomes y − p before its user is looked at; a node rebuilt
    // on rewritten inputs is listed too (its replacement), then the rules' rewrite of it.
    expect(provenance.map(([from, to]) => `${expression(from)} -> ${expression(to)}`)).toEqual([
      "broadcast:[2](1) -> 1:[2]",
      "neg(sub(p, y)) -> sub(y, p)",
      "neg(neg(sub(p, y))) -> neg(sub(y, p))",
      "neg(sub(y, p)) -> sub(p, y)",
      "mul(broadcast:[2](1), neg(neg(sub(p, y)))) -> mul(1:[2], sub(p, y))",
      "mul(1:[2], sub(p, y)) -> sub(p, y)",
    ]);
    expect(stats.rewrites).toEqual({ "fold constants": 1, "negated difference": 2, "mul identity": 1 });
  });

  it("stamps replacements with the model line and role of the node they replace, and changes no node", () => {
    const g = newGraph();
    const [a, b] = [g.param("a", [2]), g.param("b", [2])];
    const at = g.at({ line: 7, text: "loss = …" }, "gradient");
    const root = at.mul(at.neg(a), b);
    const before = expression(root);
    const [out] = rewrite(g, [root]).roots;
    expect(expression(out!)).toBe("neg(mul(a, b))");
    for (const node of [out!, out!.inputs[0]!]) expect([node.origin?.line, node.role]).toEqual([7, "gradient"]);
    expect(expression(root)).toBe(before);
  });
});

describe("simplify", () => {
  it("simplifies the gradient of a written cross-entropy to (σ(out) − y) ⊗ x and names it", () => {
    const model = elaborated(WRITTEN_BCE);
    const derived = simplify(differentiate(stabilize(model)));
    expect(text({ W: derived.grads.get("W")! }, derived.names)).toBe(
      lines("W:[1, 2] = param", "x:[2] = input  # input", "out:[1] = matvec W x", "%1:[1] = sigmoid out", "y:[1] = input  # target", "dout:[1] = sub %1 y", "dW:[1, 2] = outer dout x", "outputs: W=dW"),
    );
    expect(derived.stats.simplify.rewrites).toEqual({ "fold constants": 3, "mul identity": 2, "negation into sub": 1 });
  });

  it("simplifies every root of a dense model: the adjoints read dz_out, dh, dz_h; the L2 term is 0.02 W_h", () => {
    const model = elaborated(DENSE_L2);
    const derived = simplify(differentiate(stabilize(model)));
    expect(text({ predict: derived.predict, loss: derived.trainLoss }, derived.names)).toBe(
      lines(
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
        "loss_sum2:[] = sum %2",
        "%3:[3, 2] = pow[exponent=2] W_h",
        "loss_sum:[] = sum %3",
        "%4:[] = mul 0.01 loss_sum",
        "loss:[] = add loss_sum2 %4",
        "outputs: predict=z_out, loss=loss",
      ),
    );
    expect(text(Object.fromEntries(derived.grads), derived.names)).toBe(
      lines(
        "%1:[3, 2] = const[value=0.02]",
        "W_h:[3, 2] = param",
        "%2:[3, 2] = mul %1 W_h",
        "W_out:[1, 3] = param",
        "%3:[1] = const[value=2]",
        "x:[2] = input  # input",
        "Wx_h:[3] = matvec W_h x",
        "b_h:[3] = param",
        "z_h:[3] = add Wx_h b_h",
        "h:[3] = tanh z_h",
        "Wx_out:[1] = matvec W_out h",
        "b_out:[1] = param",
        "z_out:[1] = add Wx_out b_out",
        "y:[1] = input  # target",
        "%4:[1] = sub z_out y",
        "dz_out:[1] = mul %3 %4",
        "dh:[3] = matvec_t W_out dz_out",
        "%5:[3] = const[value=1]",
        "%6:[3] = mul h h",
        "%7:[3] = sub %5 %6",
        "dz_h:[3] = mul dh %7",
        "%8:[3, 2] = outer dz_h x",
        "dW_h:[3, 2] = add %2 %8",
        "dW_out:[1, 3] = outer dz_out h",
        "outputs: W_h=dW_h, b_h=dz_h, W_out=dW_out, b_out=dz_out",
      ),
    );
  });

  it("keeps the value of every root (interpreter before and after)", () => {
    const model = elaborated(DENSE_L2);
    const d = differentiate(stabilize(model));
    const derived = simplify(d);
    const pairs: [Node, Node][] = [
      [d.stable.forward.trainLoss, derived.trainLoss],
      [d.stable.forward.output, derived.predict],
      ...model.params.map((p): [Node, Node] => [d.grads.get(p.name)!, derived.grads.get(p.name)!]),
    ];
    for (const seed of [1, 2]) {
      const v = evaluate(pairs.flat(), { values: randomValues(model, seed) });
      for (const [before, after] of pairs) v.get(before.id)!.forEach((x, i) => expect(relError(x, v.get(after.id)![i]!)).toBeLessThan(1e-12));
    }
  });
});

describe("batch", () => {
  /** The batched graphs of `source` as text: predict, the batch's loss, and each gradient term as ±param. */
  function batchedText(source: string): string {
    const b = batch(simplify(differentiate(stabilize(elaborated(source)))));
    const terms = [...b.grads].flatMap(([p, ts]) => ts.map((t) => ({ name: `${t.sign > 0 ? "+" : "-"}${p}`, node: t.node })));
    return irText([{ name: "predict", node: b.predict }, { name: "loss", node: b.trainLoss }, ...terms], b.names);
  }

  it("makes a dense layer's W x over rows matmul_nt, Wᵀ δ matmul_nn, its weight gradient one matmul_tn, its bias sum_rows, an L2 term n × a parameter-only value", () => {
    expect(batchedText(DENSE_L2)).toBe(
      lines(
        "x:[2] = input  # input",
        "W_h:[3, 2] = param",
        "Wx_h:[3] = matmul_nt x W_h",
        "b_h:[3] = param",
        "z_h:[3] = add Wx_h b_h",
        "h:[3] = tanh z_h",
        "W_out:[1, 3] = param",
        "Wx_out:[1] = matmul_nt h W_out",
        "b_out:[1] = param",
        "z_out:[1] = add Wx_out b_out",
        "y:[1] = input  # target",
        "%1:[1] = sub z_out y",
        "%2:[1] = pow[exponent=2] %1",
        "loss_sum2:[] = sum %2",
        "%3:[3, 2] = pow[exponent=2] W_h",
        "loss_sum:[] = sum %3",
        "%4:[] = mul 0.01 loss_sum",
        "loss:[] = add loss_sum2 %4",
        "%5:[] = sum_rows loss",
        "%6:[] = batch_size",
        "%7:[3, 2] = broadcast %6",
        "%8:[3, 2] = const[value=0.02]",
        "%9:[3, 2] = mul %8 W_h",
        "%10:[3, 2] = mul %7 %9",
        "%11:[1] = const[value=2]",
        "dz_out:[1] = mul %11 %1",
        "dh:[3] = matmul_nn dz_out W_out",
        "%12:[3] = const[value=1]",
        "%13:[3] = mul h h",
        "%14:[3] = sub %12 %13",
        "dz_h:[3] = mul dh %14",
        "%15:[3, 2] = matmul_tn dz_h x",
        "%16:[3] = sum_rows dz_h",
        "%17:[1, 3] = matmul_tn dz_out h",
        "%18:[1] = sum_rows dz_out",
        "outputs: predict=z_out, loss=%5, +W_h=%10, +W_h=%15, +b_h=%16, +W_out=%17, +b_out=%18",
      ),
    );
  });

  it("keeps the sign of a subtracted term: Σ_b (δ_b ⊗ x_b − W) = matmul_tn(δ, x) − n W", () => {
    const source = file("input x[2]", "target y[1]", "param W[1, 2] ~ zeros", "out = W @ x", "loss = mean((out - y) ^ 2) - 0.5 * sum(W ^ 2)");
    expect(batchedText(source).split("\n").slice(-6).join("\n")).toBe(
      lines("dout:[1] = mul %6 %1", "%7:[1, 2] = matmul_tn dout x", "%8:[] = batch_size", "%9:[1, 2] = broadcast %8", "%10:[1, 2] = mul %9 W", "outputs: predict=out, loss=%5, +W=%7, -W=%10"),
    );
  });

  it("sums an outer product of a parameter-only and a rowwise vector with sum_rows", () => {
    // loss = mean(h ⊙ v): δh = v/2 holds for every row, x does not.
    const source = file("input x[2]", "target y[1]", "param W[2, 2] ~ zeros", "param v[2] ~ ones", "h = W @ x", "loss = mean(h * v)");
    expect(batchedText(source).split("\n").slice(-6).join("\n")).toBe(
      lines("dh:[2] = mul %4 v", "dW:[2, 2] = outer dh x", "%5:[2, 2] = sum_rows dW", "dv:[2] = mul %4 h", "%6:[2] = sum_rows dv", "outputs: predict=h, loss=%3, +W=%5, +v=%6"),
    );
  });

  it("keeps W x a matvec on every row when W itself differs by row", () => {
    const source = file("input x[2]", "target y[2]", "param W[2, 2] ~ zeros", "h = (W * sum(x)) @ x", "loss = mean((h - y) ^ 2)");
    expect(batchedText(source)).toContain("\nh:[2] = matvec %2 x\n");
    expect(batchedText(source)).not.toContain("matmul");
  });

  it("says which values hold one value per row: the data and what reads it, not parameters or sums over rows", () => {
    const b = batch(simplify(differentiate(stabilize(elaborated(file("input x[2]", "target y[1]", "h = dense(x, 2, tanh, l2 = 0.01)", "d = dropout(h, 0.5)", "out = dense(d, 1)", "loss mse(out, y)"))))));
    const byName = new Map<string, Node>();
    const all = [b.predict, b.trainOutput, b.trainLoss, ...[...b.grads.values()].flat().map((t) => t.node)];
    for (const node of all) {
      const stack = [node];
      while (stack.length > 0) {
        const n = stack.pop()!;
        const name = n.op === "param" || n.op === "input" ? String(n.attrs["name"]) : b.names.get(n.id);
        if (name !== undefined) byName.set(name, n);
        stack.push(...n.inputs);
      }
    }
    const rowwise = (name: string) => b.rowwise(byName.get(name)!);
    expect(["x", "y", "Wx_h", "h", "mask0", "d", "dz_out", "dz_h"].map(rowwise)).toEqual([true, true, true, true, true, true, true, true]);
    expect(["W_h", "b_h", "W_out", "loss_sum"].map(rowwise)).toEqual([false, false, false, false]);
    expect([b.rowwise(b.trainLoss), ...b.grads.get("b_h")!.map((t) => b.rowwise(t.node))]).toEqual([false, false]);
  });
});
