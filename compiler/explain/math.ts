// Prints a graph expression as math with as few parentheses as precedence allows, stopping
// at nodes that have a name of their own (those print as their name).
//
//   mul(dh, mul(h, sub(1, h)))   ->   δh ⊙ h ⊙ (1 − h)
//   matvec_t(W_out, dz_out)      ->   W_outᵀ δz_out
//
// Infix operators are printed here (they need precedence); every other op prints through
// its op-table row's `math(args, attrs)`, as a function-like atom.

import type { Node } from "../ir/node.js";
import { opDef } from "../ops/registry.js";

/** Binding strength of a printed form: sums < products < prefix (−, Σ) < powers < atoms. */
const SUM = 1;
const PRODUCT = 2;
const PREFIX = 3;
const POWER = 4;
const ATOM = 5;

interface Printed {
  text: string;
  prec: number;
}

const SUPERSCRIPT: Record<string, string> = { "2": "²", "3": "³" };

/** A number as a short literal: 1e-4 stays 0.0001, 1/3 prints with 6 significant digits. */
export function formatNumber(value: number): string {
  const text = Number.isInteger(value) || !Number.isFinite(value) ? String(value) : String(Number(value.toPrecision(6)));
  return text.replace(/^-/, "−");
}

function constValue(node: Node): number | undefined {
  if (node.op === "const") return Number(node.attrs["value"]);
  if (node.op === "broadcast" && node.inputs[0]!.op === "const") return Number(node.inputs[0]!.attrs["value"]);
  return undefined;
}

/**
 * An expression printer. `ref(node)` returns the name under which a node is printed, or
 * undefined to print it inline (its operands are printed the same way, recursively).
 */
export class MathPrinter {
  constructor(private readonly ref: (node: Node) => string | undefined) {}

  /** The expression of `node` itself (not its name, even if it has one). */
  expression(node: Node): string {
    return this.form(node).text;
  }

  private operand(node: Node): Printed {
    const name = this.ref(node);
    if (name !== undefined) return { text: name, prec: ATOM };
    return this.form(node);
  }

  /** `node` printed so that it binds at least as tightly as `min`. */
  private at(node: Node, min: number): string {
    const p = this.operand(node);
    return p.prec >= min ? p.text : `(${p.text})`;
  }

  /** An operand of an elementwise product: other elementwise products chain without parentheses. */
  private factor(node: Node, left: boolean): string {
    const chains = this.ref(node) === undefined && (node.op === "mul" || (left && node.op === "div"));
    // A prefix form (−a, Σ a) reads unambiguously only as the right operand.
    return chains ? this.at(node, PRODUCT) : this.at(node, left ? PREFIX + 1 : PREFIX);
  }

  private form(node: Node): Printed {
    const [a, b] = node.inputs;
    const c = constValue(node);
    if (c !== undefined) return { text: formatNumber(c), prec: c < 0 ? PREFIX : ATOM };
    switch (node.op) {
      case "add":
        return { text: `${this.at(a!, SUM)} + ${this.at(b!, SUM)}`, prec: SUM };
      case "sub":
        return { text: `${this.at(a!, SUM)} − ${this.at(b!, SUM + 1)}`, prec: SUM };
      case "mul": {
        if (a === b) return { text: `${this.at(a!, ATOM)}²`, prec: POWER };
        // A scalar factor scales (·); two tensors multiply elementwise (⊙).
        const scalar = (n: Node) => n.shape.length === 0 || (n.op === "broadcast" && n.inputs[0]!.shape.length === 0) || constValue(n) !== undefined;
        const scaling = scalar(a!) || scalar(b!);
        return { text: `${this.factor(a!, true)} ${scaling ? "·" : "⊙"} ${this.factor(b!, false)}`, prec: PRODUCT };
      }
      case "div":
        return { text: `${this.factor(a!, true)} / ${this.at(b!, PRODUCT + 1)}`, prec: PRODUCT };
      case "outer":
        return { text: `${this.at(a!, PREFIX + 1)} ⊗ ${this.at(b!, PRODUCT + 1)}`, prec: PRODUCT };
      case "matvec":
        return { text: `${this.at(a!, PREFIX + 1)} ${this.at(b!, PRODUCT + 1)}`, prec: PRODUCT };
      case "matvec_t":
        return { text: `${this.at(a!, ATOM)}ᵀ ${this.at(b!, PRODUCT + 1)}`, prec: PRODUCT };
      case "neg":
        return { text: `−${this.at(a!, PREFIX)}`, prec: PREFIX };
      case "sum":
        return { text: `Σ ${this.at(a!, POWER)}`, prec: PREFIX };
      case "pow": {
        const e = Number(node.attrs["exponent"]);
        const sup = SUPERSCRIPT[String(e)];
        return { text: sup ? `${this.at(a!, ATOM)}${sup}` : `${this.at(a!, ATOM)}^${formatNumber(e)}`, prec: POWER };
      }
      case "sqrt":
        return { text: `√${this.at(a!, ATOM)}`, prec: POWER };
      case "broadcast":
        return this.operand(a!);
      default: {
        // Function-like notation from the op table: σ(z), softplus(z), |x|, [x > 0], Σ…
        const args = node.inputs.map((i) => this.operand(i).text);
        return { text: opDef(node.op).math(args, node.attrs), prec: ATOM };
      }
    }
  }
}
