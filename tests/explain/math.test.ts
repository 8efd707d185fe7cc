// The math printer: precedence, parentheses only where needed, scaling vs elementwise products.

import { describe, expect, it } from "vitest";
import { newGraph } from "../../compiler/ops/registry.js";
import type { Node } from "../../compiler/ir/node.js";
import { MathPrinter, formatNumber } from "../../compiler/explain/math.js";

const g = newGraph();
const a = g.param("a", [3]);
const b = g.param("b", [3]);
const c = g.param("c", [3]);
const W = g.param("W", [3, 3]);
const s = g.param("s", []);
const print = (n: Node) => new MathPrinter((x) => (x.op === "param" ? String(x.attrs["name"]) : undefined)).expression(n);

describe("MathPrinter", () => {
  it("parenthesizes the right operand of a difference only", () => {
    expect(print(g.sub(g.sub(a, b), c))).toBe("a − b − c");
    expect(print(g.sub(a, g.sub(b, c)))).toBe("a − (b − c)");
    expect(print(g.add(a, g.add(b, c)))).toBe("a + b + c");
  });

  it("chains elementwise products and keeps sums inside them in parentheses", () => {
    expect(print(g.mul(a, g.mul(b, g.sub(g.const(1, [3]), b))))).toBe("a ⊙ b ⊙ (1 − b)");
    expect(print(g.mul(g.add(a, b), c))).toBe("(a + b) ⊙ c");
    expect(print(g.mul(a, a))).toBe("a²");
  });

  it("uses · for scaling by a scalar or constant and ⊙ between tensors", () => {
    expect(print(g.mul(g.const(0.5, [3]), a))).toBe("0.5 · a");
    expect(print(g.mul(g.broadcast(s, [3]), a))).toBe("s · a");
    expect(print(g.mul(a, b))).toBe("a ⊙ b");
  });

  it("prints matrix products, transposes, outer products, sums and functions", () => {
    expect(print(g.add(g.matvec(W, a), b))).toBe("W a + b");
    expect(print(g.matvecT(W, g.sub(a, b)))).toBe("Wᵀ (a − b)");
    expect(print(g.outer(g.mul(a, b), c))).toBe("(a ⊙ b) ⊗ c");
    expect(print(g.sum(g.mul(a, b)))).toBe("Σ (a ⊙ b)");
    expect(print(g.mul(g.const(2), g.sum(g.pow(a, 2))))).toBe("2 · Σ a²");
    expect(print(g.unary("sigmoid", g.add(a, b)))).toBe("σ(a + b)");
    expect(print(g.neg(g.mul(a, b)))).toBe("−(a ⊙ b)");
    expect(print(g.pow(g.add(a, b), 3))).toBe("(a + b)³");
    expect(print(g.pow(a, 0.5))).toBe("a^0.5");
  });

  it("stops at named operands", () => {
    const h = g.unary("tanh", g.add(g.matvec(W, a), b));
    const printer = new MathPrinter((x) => (x === h ? "h" : x.op === "param" ? String(x.attrs["name"]) : undefined));
    expect(printer.expression(g.mul(h, h))).toBe("h²");
    expect(printer.expression(h)).toBe("tanh(W a + b)");
  });

  it("formats numbers shortly", () => {
    expect(formatNumber(1e-4)).toBe("0.0001");
    expect(formatNumber(1 / 3)).toBe("0.333333");
    expect(formatNumber(-2)).toBe("−2");
  });
});
