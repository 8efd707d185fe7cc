// print: a WebAssembly module (lower/wasm/code.ts) in the text format, for people (`nnc
// model.nn --emit wat`): folded instructions, one statement to a line, `for` loops as the block
// and loop they are encoded as, comments where the kernel's code has them. It is what
// encode.ts writes as bytes, instruction for instruction.
//
//   (func $gradRows_1 (export "gradRows_1") (param $p i32) (param $X i32) (param $n i32)
//     (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $a1) (local.get $b1))))

import type { WExpr, WFunc, WModule, WStmt } from "../../lower/wasm/code.js";

function number(type: "i32" | "f32" | "f64", value: number): string {
  if (type === "i32") return String(value | 0);
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  return Object.is(value, -0) ? "-0" : String(value);
}

export function exprWat(e: WExpr): string {
  switch (e.k) {
    case "const":
      return `(${e.type}.const ${number(e.type, e.value)})`;
    case "get":
      return `(local.get $${e.local})`;
    case "op":
      return `(${e.op}${e.lane === undefined ? "" : ` ${e.lane}`} ${e.args.map(exprWat).join(" ")})`;
    case "load":
      return `(${e.op}${e.offset ? ` offset=${e.offset}` : ""} ${exprWat(e.addr)})`;
    case "vconst":
      return `(v128.const ${e.shape} ${e.values.join(" ")})`;
    case "if":
      return `(if (result ${e.type}) ${exprWat(e.test)} (then ${exprWat(e.then)}) (else ${exprWat(e.else)}))`;
  }
}

function stmtLines(stmts: readonly WStmt[], indent: string, out: string[]): void {
  for (const s of stmts) {
    switch (s.k) {
      case "set":
        out.push(`${indent}(local.set $${s.local} ${exprWat(s.value)})`);
        break;
      case "store":
        out.push(`${indent}(${s.op}${s.offset ? ` offset=${s.offset}` : ""} ${exprWat(s.addr)} ${exprWat(s.value)})`);
        break;
      case "for": {
        const v = `(local.get $${s.v})`;
        out.push(`${indent};; for ($${s.v} = ${exprWat(s.from)}; $${s.v} < ${exprWat(s.to)}; $${s.v} += ${s.step})`);
        out.push(`${indent}(local.set $${s.v} ${exprWat(s.from)})`);
        out.push(`${indent}(block`);
        out.push(`${indent}  (loop`);
        out.push(`${indent}    (br_if 1 (i32.ge_s ${v} ${exprWat(s.to)}))`);
        stmtLines(s.body, `${indent}    `, out);
        out.push(`${indent}    (local.set $${s.v} (i32.add ${v} (i32.const ${s.step})))`);
        out.push(`${indent}    (br 0)))`);
        break;
      }
      case "if":
        out.push(`${indent}(if ${exprWat(s.test)}`);
        out.push(`${indent}  (then`);
        stmtLines(s.body, `${indent}    `, out);
        out[out.length - 1] += "))";
        break;
      case "comment":
        out.push(`${indent};; ${s.text}`);
        break;
    }
  }
}

export function functionWat(fn: WFunc): string {
  const out: string[] = [];
  for (const line of fn.doc.split("\n")) out.push(`  ;; ${line}`);
  const params = fn.params.map(([n, t]) => `(param $${n} ${t})`).join(" ");
  out.push(`  (func $${fn.name} (export "${fn.name}")${params ? ` ${params}` : ""}${fn.result ? ` (result ${fn.result.type})` : ""}`);
  for (const [n, t] of fn.locals) out.push(`    (local $${n} ${t})`);
  stmtLines(fn.body, "    ", out);
  if (fn.result) out.push(`    ${exprWat(fn.result.value)}`);
  out[out.length - 1] += ")";
  return out.join("\n");
}

export function moduleWat(m: WModule): string {
  return [`(module`, `  (import "env" "memory" (memory ${m.pages} ${m.pages}))`, ...m.functions.map(functionWat)].join("\n") + ")\n";
}
