// A view (a reshape: the same elements in the same order) is never stored: code reads what it
// shows at the same offsets. (Once a reshape of a reshape stored the inner one, a copy of a
// whole tensor per row: the gradient of a flattened convolution was stored twice.)

import { describe, expect, it } from "vitest";
import { lowerSource } from "../../compiler/compile.js";
import type { Node } from "../../compiler/ir/node.js";
import { topoOrder } from "../../compiler/ir/node.js";
import { isView, newGraph } from "../../compiler/ops/registry.js";
import { Namer } from "../../compiler/lower/namer.js";
import { type PlanOptions, planStorage } from "../../compiler/lower/plan.js";
import { STRATEGIES, agreement } from "../helpers/agree.js";

describe("views", () => {
  it.each(["all", "scalars", "none"] as const)("are never stored by a plan with locals %s, however they nest", (locals: PlanOptions["locals"]) => {
    const g = newGraph();
    const a = g.param("a", [2, 3, 2]);
    const W = g.param("W", [4, 12]);
    const squared = g.mul(a, a);
    const views: Node[] = [
      g.node("reshape", [g.node("reshape", [squared], { shape: "6x2" })], { shape: "12" }),
      g.node("reshape", [g.node("reshape", [g.node("reshape", [a], { shape: "12" })], { shape: "3x4" })], { shape: "12" }),
      g.node("reshape", [g.node("reshape", [g.broadcast(g.param("b", [2]), [6, 2])], { shape: "2x6" })], { shape: "12" }),
    ];
    const roots = views.map((x) => g.matvec(W, x));
    const plan = planStorage(roots, { locals, names: new Map(), namer: new Namer() });
    const stored = topoOrder(roots).filter((n) => isView(n) && !["inline", "leaf"].includes(plan.storage.get(n.id)!.kind));
    expect(stored.map((n) => n.shape)).toEqual([]);
  });

  const FLATTENED = `model flat\ninput x[6, 6, 1]\ntarget y[2]\nc = conv2d(x, 2, 3)\nm = reshape(c, [8, 4])\nout = dense(flatten(m), 2)\nloss mse(out, y)\n`;

  it.each(STRATEGIES)("of views store nothing twice and compute the model, lowered %s", async (_name, options) => {
    const { program } = lowerSource(FLATTENED, "flat.nn", options);
    // The 32 values of the flattened image and of its gradient, per sample: each stored at most once per pass.
    const of32 = program.buffers.filter((b) => b.length / b.rows === 32);
    expect(of32.filter((b) => b.role === "gradient").length).toBeLessThanOrEqual(1);
    const { errors } = await agreement(FLATTENED, "flat.nn", options);
    expect(Math.max(errors.predict, errors.loss, errors.grad)).toBeLessThan(1e-12);
  });
});
