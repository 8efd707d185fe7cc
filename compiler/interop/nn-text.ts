// A Draft as model-file text: the header comments, input and target, `param` lines, one
// assignment per layer or node (with where it came from), output, loss, optimizer, metrics.
//
//   # imported from iris/model.json (TensorFlow.js layers model 'sequential_1') by nnc import
//   model iris
//   input  x[4]
//   target y[3]
//
//   h   = dense(x, 16, relu)      # layer 'h' (Dense)
//   out = dense(h, 3, softmax)    # layer 'out' (Dense)
//
//   loss categorical_crossentropy(out, y)
//   optimizer adam(learning_rate = 0.01)

import type { Draft, NnExpr } from "./draft.js";

/** Precedence as docs/language.md lists it: + - below * / @, then unary minus, then atoms. */
const ADD = 1;
const MUL = 2;
const NEG = 3;
const ATOM = 5;

/** A number as the model file reads it back exactly (no sign: negatives print as unary minus). */
function numberText(value: number): string {
  const text = String(Math.abs(value));
  // String() writes 1e-7 and 1e+21; the grammar reads `1e-7` and `1e+21` too.
  return text;
}

function printPrec(e: NnExpr): { text: string; prec: number } {
  switch (e.k) {
    case "ref":
      return { text: e.name, prec: ATOM };
    case "word":
      return { text: e.word, prec: ATOM };
    case "bool":
      return { text: String(e.value), prec: ATOM };
    case "list":
      return { text: `[${e.items.map(numberText).join(", ")}]`, prec: ATOM };
    case "num":
      return e.value < 0 || Object.is(e.value, -0) ? { text: `-${numberText(e.value)}`, prec: NEG } : { text: numberText(e.value), prec: ATOM };
    case "neg": {
      const inner = printPrec(e.a);
      return { text: `-${inner.prec >= NEG ? inner.text : `(${inner.text})`}`, prec: NEG };
    }
    case "call": {
      const args = [...e.args.map(print), ...(e.named ?? []).map(([k, v]) => `${k} = ${print(v)}`)];
      return { text: `${e.fn}(${args.join(", ")})`, prec: ATOM };
    }
    case "bin": {
      const prec = e.op === "+" || e.op === "-" ? ADD : MUL;
      const a = printPrec(e.a);
      const b = printPrec(e.b);
      // Left-associative: the right operand of equal precedence keeps its parentheses.
      const left = a.prec >= prec ? a.text : `(${a.text})`;
      const right = b.prec > prec ? b.text : `(${b.text})`;
      return { text: `${left} ${e.op} ${right}`, prec };
    }
  }
}

export function print(e: NnExpr): string {
  return printPrec(e).text;
}

/** Comment text on one line, whatever the file's names hold. */
export function commentText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function optionText(v: number | boolean): string {
  return typeof v === "boolean" ? String(v) : v < 0 ? `-${numberText(v)}` : numberText(v);
}

export function draftText(d: Draft): string {
  const lines: string[] = d.header.map((h) => `# ${commentText(h)}`);
  if (d.weights.size > 0) {
    lines.push("# where the weights (in the weights file) come from:");
    for (const [name, w] of d.weights) lines.push(`#   ${name} <- ${commentText(w.from)}`);
  }
  lines.push(`model ${d.modelName}`, `input  ${d.input.name}[${d.input.shape.join(", ")}]`, `target ${d.target.name}[${d.target.size}]`, "");
  if (d.params.length > 0) {
    const width = Math.max(...d.params.map((p) => `${p.name}[${p.shape.join(", ")}]`.length));
    for (const p of d.params) lines.push(`param ${`${p.name}[${p.shape.join(", ")}]`.padEnd(width)} ~ ${p.init}`);
    lines.push("");
  }
  const nameWidth = Math.max(0, ...d.statements.map((s) => s.name.length));
  const bodies = d.statements.map((s) => `${s.name.padEnd(nameWidth)} = ${print(s.expr)}`);
  const bodyWidth = Math.min(60, Math.max(0, ...bodies.map((b) => b.length)));
  d.statements.forEach((s, i) => lines.push(s.comment ? `${bodies[i]!.padEnd(bodyWidth)}  # ${commentText(s.comment)}` : bodies[i]!));
  lines.push("");
  const last = d.statements[d.statements.length - 1];
  if (!last || last.name !== d.output) lines.push(`output ${d.output}`);
  const t = d.training;
  if (t.loss) lines.push(`loss ${t.loss.name}(${d.output}, ${d.target.name}${t.loss.fromLogits ? ", from_logits = true" : ""})`);
  if (t.optimizer) {
    const opts = Object.entries(t.optimizer.options).map(([k, v]) => `${k} = ${optionText(v)}`);
    lines.push(`optimizer ${t.optimizer.name}${opts.length ? `(${opts.join(", ")})` : ""}`);
  }
  const metrics = t.metrics.filter((m, i) => t.metrics.indexOf(m) === i);
  if (metrics.length > 0) lines.push(`metrics ${metrics.join(", ")}`);
  return `${lines.join("\n")}\n`;
}
