// `nnc model.nn --emit program`: the Program as text, for reading and for golden tests. The
// buffers with their tensors' shapes and model lines, then each function with the token count
// that decided its splitting, its statements in a compact loop notation.
//
//   buffer  z_h  [128] per row (256 rows)  forward  mnist.nn:9  h   = dense(x, 128, relu)
//   function gradRows(p, X, Y, n, g, rng, outputs): number   [tokens 1430]
//     for b in 0..n
//       z_h[b * 128 + i3] = Wx_h[b * 128 + i3] + p[100352 + i3]

import type { Stmt } from "../ir/code.js";
import { baseName, commentText } from "../lower/comments.js";
import type { Program } from "../lower/program.js";
import { exprText } from "./expr.js";

function statements(stmts: readonly Stmt[], indent: string, out: string[]): void {
  for (const s of stmts) {
    switch (s.k) {
      case "decl":
        out.push(`${indent}${s.kind} ${s.name} = ${exprText(s.value)}`);
        break;
      case "store":
        out.push(`${indent}${s.array}[${exprText(s.index)}] ${s.op} ${exprText(s.value)}`);
        break;
      case "assign":
        out.push(`${indent}${s.name} ${s.op} ${exprText(s.value)}`);
        break;
      case "for": {
        const from = s.from ? exprText(s.from) : `${s.v} (as left)`;
        const step = s.step === 1 ? "" : ` step ${s.step}${s.whole ? " (whole steps)" : ""}`;
        out.push(`${indent}for ${s.v} in ${from}..${exprText(s.to)}${step}`);
        statements(s.body, `${indent}  `, out);
        break;
      }
      case "if":
        out.push(`${indent}if ${exprText(s.test)}`);
        statements(s.body, `${indent}  `, out);
        break;
      case "call":
        out.push(`${indent}call ${s.fn}(${s.args.map((a) => exprText(a)).join(", ")})`);
        break;
      case "return":
        out.push(`${indent}return ${exprText(s.value)}`);
        break;
      case "block":
        out.push(`${indent}# ${s.comment}`);
        statements(s.body, indent, out);
        break;
    }
  }
}

export function programText(program: Program): string {
  const file = baseName(program.file);
  const how = program.batched ? `batched kernels over minibatches of up to ${program.maxBatch} rows` : `per-sample kernels (${program.strategy})`;
  const out = [
    `# program ${program.model} (${file}): ${how}`,
    `# ${program.flops.predict} flops per prediction, ${program.flops.grad} per training sample; kernels ${program.kernels.predict}, ${program.kernels.loss}, ${program.kernels.grad}`,
    ...(program.runtime.length > 0 ? [`# runtime helpers: ${program.runtime.join(", ")}`] : []),
    ``,
  ];
  if (program.buffers.length > 0) {
    const shapes = program.buffers.map((b) => `[${b.shape.join(", ")}]${b.rows > 1 ? ` per row (${b.rows} rows)` : ""}`);
    const [w, sw] = [Math.max(...program.buffers.map((b) => b.name.length)), Math.max(...shapes.map((s) => s.length))];
    program.buffers.forEach((b, i) => {
      const from = b.origin ? commentText(file, b.origin, b.role === "gradient") : "";
      out.push(`buffer ${b.name.padEnd(w)}  ${shapes[i]!.padEnd(sw)}  ${from}`.trimEnd());
    });
    out.push(``);
  }
  for (const fn of program.functions) {
    out.push(`function ${fn.name}(${fn.params.map(([n]) => n).join(", ")}): ${fn.returns}   [tokens ${fn.tokens}]`);
    statements(fn.body, "  ", out);
    out.push(``);
  }
  return out.join("\n");
}
