import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CallExpr, Expr, ModelFile, Statement } from "../compiler/ast.js";
import { formatDiagnostic, NncError, type Diagnostic } from "../compiler/diagnostics.js";
import { MAX_NESTING, parse } from "../compiler/parse.js";

// ---------------------------------------------------------------------------------------
// Helpers

/** A compact, fully parenthesized rendering of an expression. */
function show(e: Expr): string {
  switch (e.kind) {
    case "num":
      return e.text;
    case "bool":
      return String(e.value);
    case "name":
      return e.name;
    case "unary":
      return `(-${show(e.operand)})`;
    case "binary":
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case "call":
      return `${e.callee}(${[...e.args.map(show), ...e.named.map((n) => `${n.name}=${show(n.value)}`)].join(", ")})`;
    case "string":
      return JSON.stringify(e.value);
    case "list":
      return `[${e.items.map(show).join(", ")}]`;
  }
}

/** The expression assigned by the single statement `h = <src>`. */
function expr(src: string): Expr {
  const stmt = parse(`h = ${src}`, "e.nn").statements[0];
  if (stmt.kind !== "assign") throw new Error(`not an assignment: ${stmt.kind}`);
  return stmt.value;
}

/** The diagnostic that parsing `src` fails with (fails the test if it parses). */
function diag(src: string, file = "bad.nn"): Diagnostic {
  try {
    parse(src, file);
  } catch (e) {
    if (e instanceof NncError) return e.diagnostic;
    throw e;
  }
  throw new Error(`expected a parse error for ${JSON.stringify(src)}`);
}

function at(src: string): string {
  const d = diag(src);
  return `${d.line}:${d.column}`;
}

function text(source: string, loc: { offset: number; length: number }): string {
  return source.slice(loc.offset, loc.offset + loc.length);
}

function stmts(src: string): Statement[] {
  return parse(src, "t.nn").statements;
}

const PARITY = `# dsl-examples/parity.nn
model parity
input  x[1]
target y[1]
h   = dense(x, 2, sigmoid)
out = dense(h, 1, sigmoid)
loss binary_crossentropy(out, y)
optimizer adam(lr = 0.001)
`;

const XOR = `model xor
input x[2]
target y[1]
param W1[8, 2] ~ glorot_uniform
param b1[8]    ~ zeros
param c[3]     ~ constant(value = 0.1)
h = tanh(W1 @ x + b1)
p = sigmoid(W2 @ h + b2)
output p
metrics accuracy, mae
loss = -mean(y * log(p) + (1 - y) * log(1 - p)) + 1e-4 * sum(W1 ^ 2)
optimizer sgd(lr = 0.5, momentum = 0.9, nesterov = true)
`;

// ---------------------------------------------------------------------------------------

describe("example programs", () => {
  it("parses parity.nn", () => {
    const p = parse(PARITY, "parity.nn");
    expect(p.file).toBe("parity.nn");
    expect(p.source).toBe(PARITY);
    expect(p.statements.map((s) => s.kind)).toEqual(["model", "input", "target", "assign", "assign", "loss", "optimizer"]);
    const [model, input, target, h, out, loss, opt] = p.statements;
    expect(model).toMatchObject({ kind: "model", name: "parity", loc: { line: 2, column: 1 } });
    expect(input).toMatchObject({ kind: "input", name: "x", shape: [{ value: 1 }], nameLoc: { line: 3, column: 8 } });
    expect(target).toMatchObject({ kind: "target", name: "y", shape: [{ value: 1 }] });
    if (h.kind !== "assign" || out.kind !== "assign") throw new Error("assign expected");
    expect(h.name).toBe("h");
    expect(show(h.value)).toBe("dense(x, 2, sigmoid)");
    expect(show(out.value)).toBe("dense(h, 1, sigmoid)");
    if (loss.kind !== "loss") throw new Error("loss expected");
    expect(loss.form).toBe("builtin");
    expect(show(loss.value)).toBe("binary_crossentropy(out, y)");
    if (opt.kind !== "optimizer") throw new Error("optimizer expected");
    expect(opt.call.callee).toBe("adam");
    expect(opt.call.args).toEqual([]);
    expect(opt.call.named).toHaveLength(1);
    expect(opt.call.named[0]).toMatchObject({ name: "lr", value: { kind: "num", value: 0.001, text: "0.001" } });
  });

  it("parses xor.nn", () => {
    const p = parse(XOR, "xor.nn");
    expect(p.statements.map((s) => s.kind)).toEqual([
      "model", "input", "target", "param", "param", "param", "assign", "assign", "output", "metrics", "loss", "optimizer",
    ]);
    const s = p.statements;
    expect(s[3]).toMatchObject({
      kind: "param",
      name: "W1",
      shape: [{ value: 8 }, { value: 2 }],
      init: { kind: "call", callee: "glorot_uniform", args: [], named: [] },
    });
    const w1 = s[3];
    if (w1.kind !== "param") throw new Error();
    // A bare initializer name is a call without arguments located at the name.
    expect(text(XOR, w1.init.loc)).toBe("glorot_uniform");
    expect(text(XOR, w1.init.calleeLoc)).toBe("glorot_uniform");
    expect(s[4]).toMatchObject({ kind: "param", name: "b1", shape: [{ value: 8 }], init: { callee: "zeros" } });
    const c = s[5];
    if (c.kind !== "param") throw new Error();
    expect(show(c.init)).toBe("constant(value=0.1)");
    expect(text(XOR, c.init.loc)).toBe("constant(value = 0.1)");

    const h = s[6];
    if (h.kind !== "assign") throw new Error();
    expect(show(h.value)).toBe("tanh(((W1 @ x) + b1))");
    expect(s[8]).toMatchObject({ kind: "output", name: "p" });
    const metrics = s[9];
    if (metrics.kind !== "metrics") throw new Error();
    expect(metrics.names.map((n) => n.name)).toEqual(["accuracy", "mae"]);
    expect(metrics.names.map((n) => text(XOR, n.loc))).toEqual(["accuracy", "mae"]);

    const loss = s[10];
    if (loss.kind !== "loss") throw new Error();
    expect(loss.form).toBe("expr");
    expect(show(loss.value)).toBe(
      "((-mean(((y * log(p)) + ((1 - y) * log((1 - p)))))) + (1e-4 * sum((W1 ^ 2))))",
    );
    if (loss.value.kind !== "binary" || loss.value.right.kind !== "binary") throw new Error();
    expect(loss.value.right.left).toMatchObject({ kind: "num", value: 1e-4, text: "1e-4" });

    const opt = s[11];
    if (opt.kind !== "optimizer") throw new Error();
    expect(opt.call.named.map((n) => [n.name, show(n.value)])).toEqual([
      ["lr", "0.5"],
      ["momentum", "0.9"],
      ["nesterov", "true"],
    ]);
    expect(opt.call.named[2].value).toMatchObject({ kind: "bool", value: true });
  });

  it("parses every file in dsl-examples/", () => {
    const dir = new URL("../dsl-examples/", import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith(".nn"));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const p = parse(readFileSync(new URL(f, dir), "utf8"), f);
      expect(p.statements.length).toBeGreaterThan(0);
    }
  });

  it("gives every statement a tight location", () => {
    const p = parse(XOR, "xor.nn");
    const lines = XOR.split("\n");
    p.statements.forEach((s, i) => {
      expect(s.loc.line).toBe(i + 1);
      expect(s.loc.column).toBe(1);
      expect(text(XOR, s.loc)).toBe(lines[i]);
    });
  });
});

describe("statements", () => {
  it("accepts both loss forms", () => {
    const [a, b] = stmts("loss mse(out, y)\nloss = mean((out - y) ^ 2)");
    expect(a).toMatchObject({ kind: "loss", form: "builtin", value: { kind: "call", callee: "mse" } });
    expect(b).toMatchObject({ kind: "loss", form: "expr", value: { kind: "call", callee: "mean" } });
  });

  it("accepts a bare optimizer name", () => {
    const [o] = stmts("optimizer adam");
    expect(o).toMatchObject({ kind: "optimizer", call: { kind: "call", callee: "adam", args: [], named: [] } });
  });

  it("accepts metrics with and without brackets", () => {
    const [a, b, c] = stmts("metrics accuracy\nmetrics a, b, c\nmetrics [a, b]");
    expect(a).toMatchObject({ kind: "metrics", names: [{ name: "accuracy" }] });
    expect(b).toMatchObject({ kind: "metrics", names: [{ name: "a" }, { name: "b" }, { name: "c" }] });
    expect(c).toMatchObject({ kind: "metrics", names: [{ name: "a" }, { name: "b" }] });
  });

  it("accepts multi-dimensional shapes with locations", () => {
    const src = "input img[28, 28, 1]";
    const [s] = stmts(src);
    if (s.kind !== "input") throw new Error();
    expect(s.shape.map((d) => d.value)).toEqual([28, 28, 1]);
    expect(s.shape.map((d) => d.loc.column)).toEqual([11, 15, 19]);
  });

  it("returns an empty program for empty, blank and comment-only input", () => {
    expect(stmts("")).toEqual([]);
    expect(stmts("\n\n  \t\n")).toEqual([]);
    expect(stmts("# only a comment")).toEqual([]);
    expect(stmts("# a\n\n   # b\n")).toEqual([]);
  });

  it("allows comments and blank lines anywhere", () => {
    const src = "\n# header\n\nmodel m   # the model\n\n\n  h = x # trailing\n# last comment";
    const s = stmts(src);
    expect(s.map((x) => x.kind)).toEqual(["model", "assign"]);
    expect(s[1].loc).toMatchObject({ line: 7, column: 3 });
    expect(text(src, s[1].loc)).toBe("h = x");
  });

  it("parses a statement after a comment on the last line without a trailing newline", () => {
    expect(stmts("model m\n# comment\nh = x").map((x) => x.kind)).toEqual(["model", "assign"]);
    expect(stmts("model m\nh = x # comment").map((x) => x.kind)).toEqual(["model", "assign"]);
  });

  it("accepts tabs, a byte-order mark and trailing spaces", () => {
    const s = stmts("\uFEFFmodel\tm \t\n\th\t=\tx\t\n");
    expect(s.map((x) => x.kind)).toEqual(["model", "assign"]);
  });

  it("treats keywords as whole words", () => {
    const s = stmts("models = 1\nlossy = 2\ninputs = truex + false_");
    expect(s.map((x) => x.kind)).toEqual(["assign", "assign", "assign"]);
    const last = s[2];
    if (last.kind !== "assign") throw new Error();
    expect(show(last.value)).toBe("(truex + false_)");
  });
});

describe("expressions", () => {
  it.each([
    ["-a^b*c+d", "(((-(a ^ b)) * c) + d)"],
    ["a + b * c", "(a + (b * c))"],
    ["a * b + c", "((a * b) + c)"],
    ["a - b - c", "((a - b) - c)"],
    ["a / b / c", "((a / b) / c)"],
    ["a @ b * c / d", "(((a @ b) * c) / d)"],
    ["a ^ b ^ c", "(a ^ (b ^ c))"],
    ["-x^2", "(-(x ^ 2))"],
    ["a^-b", "(a ^ (-b))"],
    ["a^-b^c", "(a ^ (-(b ^ c)))"],
    ["2^-1*3", "((2 ^ (-1)) * 3)"],
    ["--x", "(-(-x))"],
    ["a - -b", "(a - (-b))"],
    ["a * -b", "(a * (-b))"],
    ["(a + b) * c", "((a + b) * c)"],
    ["-(a + b)", "(-(a + b))"],
    ["f(x)^2", "(f(x) ^ 2)"],
    ["W1 @ x + b1", "((W1 @ x) + b1)"],
    ["f()", "f()"],
    ["f(a, b, name = c, other = 1 + 2)", "f(a, b, name=c, other=(1 + 2))"],
    ["g(f(x), -y)", "g(f(x), (-y))"],
    ["true", "true"],
    ["false * 2", "(false * 2)"],
  ])("%s parses as %s", (src, want) => {
    expect(show(expr(src))).toBe(want);
  });

  it.each([
    ["1", 1],
    ["0.5", 0.5],
    [".5", 0.5],
    ["1e-4", 1e-4],
    ["2.5E+3", 2500],
    ["10", 10],
    ["3e2", 300],
    ["007", 7],
  ])("number %s has value %d and keeps its text", (src, value) => {
    expect(expr(src)).toMatchObject({ kind: "num", value, text: src });
  });

  it("gives binary expressions the span of both operands", () => {
    const src = "h = (a + b) * c";
    const [s] = stmts(src);
    if (s.kind !== "assign") throw new Error();
    expect(s.value.kind).toBe("binary");
    expect(text(src, s.value.loc)).toBe("(a + b) * c");
    if (s.value.kind !== "binary") throw new Error();
    expect(text(src, s.value.left.loc)).toBe("a + b");
    expect(s.value.loc).toMatchObject({ line: 1, column: 5, offset: 4, length: 11 });
  });

  it("gives calls the span from callee to ')'", () => {
    const src = "h = dense(x, 2, act = relu) + 1";
    const [s] = stmts(src);
    if (s.kind !== "assign" || s.value.kind !== "binary") throw new Error();
    const call = s.value.left as CallExpr;
    expect(text(src, call.loc)).toBe("dense(x, 2, act = relu)");
    expect(text(src, call.calleeLoc)).toBe("dense");
    expect(text(src, call.named[0].loc)).toBe("act = relu");
    expect(text(src, call.named[0].nameLoc)).toBe("act");
    expect(text(src, call.args[1].loc)).toBe("2");
  });

  it("gives unary and power expressions their source span", () => {
    const src = "h = -a ^ -b";
    const [s] = stmts(src);
    if (s.kind !== "assign" || s.value.kind !== "unary") throw new Error();
    expect(text(src, s.value.loc)).toBe("-a ^ -b");
    expect(text(src, s.value.operand.loc)).toBe("a ^ -b");
    if (s.value.operand.kind !== "binary") throw new Error();
    expect(text(src, s.value.operand.right.loc)).toBe("-b");
  });

  it("locates nodes on later lines", () => {
    const src = "model m\n\n  out = f(x,\n     y)\n";
    const [, s] = stmts(src);
    if (s.kind !== "assign" || s.value.kind !== "call") throw new Error();
    expect(s.nameLoc).toMatchObject({ line: 3, column: 3 });
    expect(s.value.args[1].loc).toMatchObject({ line: 4, column: 6, length: 1 });
  });

  it("handles long flat chains without deep recursion", () => {
    const terms = Array.from({ length: 5000 }, (_, i) => `x${i}`);
    let e = expr(terms.join(" + "));
    let depth = 0;
    while (e.kind === "binary") {
      e = e.left;
      depth++;
    }
    expect(depth).toBe(4999);
    expect(e).toMatchObject({ kind: "name", name: "x0" });
    expect(expr("-".repeat(3000) + "x").kind).toBe("unary");
  });
});

describe("line breaks inside brackets", () => {
  it("allows a call to span lines", () => {
    const src = `optimizer adam(
  lr = 0.001,   # step size
  beta1 = 0.9
)
h = dense(x,
          2,
          sigmoid)
`;
    const s = stmts(src);
    expect(s.map((x) => x.kind)).toEqual(["optimizer", "assign"]);
    const h = s[1];
    if (h.kind !== "assign") throw new Error();
    expect(show(h.value)).toBe("dense(x, 2, sigmoid)");
    expect(h.loc).toMatchObject({ line: 5, column: 1 });
    expect(text(src, h.loc)).toBe("h = dense(x,\n          2,\n          sigmoid)");
  });

  it("allows line breaks around operators inside parentheses", () => {
    expect(show(expr("(a +\n b\n * c)"))).toBe("(a + (b * c))");
    expect(show(expr("f(\n\n  a\n  -\n  b\n\n)"))).toBe("f((a - b))");
  });

  it("allows shapes and bracketed metrics to span lines", () => {
    const s = stmts("param W[\n  8,\n  2\n] ~ zeros\nmetrics [\n  accuracy,\n  mae\n]");
    expect(s[0]).toMatchObject({ kind: "param", shape: [{ value: 8 }, { value: 2 }] });
    expect(s[1]).toMatchObject({ kind: "metrics", names: [{ name: "accuracy" }, { name: "mae" }] });
  });

  it("does not continue a statement on the next line outside brackets", () => {
    expect(at("h = a +\n  b")).toBe("1:8");
    expect(diag("h = a +\n  b").message).toMatch(/expected an expression/);
    // `- b` on its own line is not a continuation of `h = a`.
    expect(at("h = a\n- b")).toBe("2:1");
  });
});

describe("line endings", () => {
  it("gives CRLF files the same AST locations as LF files", () => {
    const lf = parse(XOR, "xor.nn");
    const crlf = parse(XOR.replace(/\n/g, "\r\n"), "xor.nn");
    const strip = (p: ModelFile) => JSON.stringify(p.statements, (k, v) => (k === "offset" ? undefined : v));
    expect(strip(crlf)).toBe(strip(lf));
  });

  it("gives CRLF files the same error positions as LF files", () => {
    const bad = "model m\n\ninput x[2]\nh = dense(x 2)\n";
    const a = diag(bad);
    const b = diag(bad.replace(/\n/g, "\r\n"));
    expect(`${b.line}:${b.column}`).toBe(`${a.line}:${a.column}`);
    expect(`${a.line}:${a.column}`).toBe("4:13");
    expect(b.message).toBe(a.message);
    expect(b.sourceLine).toBe("h = dense(x 2)");
  });

  it("accepts old-Mac CR line ends consistently with the diagnostics", () => {
    expect(stmts("model m\rh = x\r").map((s) => s.kind)).toEqual(["model", "assign"]);
    const d = diag("model m\rh = x y\r");
    expect(d).toMatchObject({ line: 2, column: 7, sourceLine: "h = x y" });
  });

  it("accepts multi-line calls with CRLF", () => {
    const s = stmts("h = f(a,\r\n  b)\r\nout = h\r\n");
    expect(s.map((x) => x.kind)).toEqual(["assign", "assign"]);
    expect(s[1].loc).toMatchObject({ line: 3, column: 1 });
  });
});

describe("syntax errors", () => {
  it("reports a missing ')' at the end of the line", () => {
    const d = diag("model m\nh = dense(x, 2\n");
    expect(d).toMatchObject({ file: "bad.nn", line: 2, column: 15, sourceLine: "h = dense(x, 2" });
    expect(d.message).toMatch(/^expected ',' or '\)'/);
  });

  it("reports a missing ')' before the next statement on the line where it is missing", () => {
    const d = diag("h = dense(x, 2\nout = dense(h, 1)\n");
    expect(`${d.line}:${d.column}`).toBe("1:15");
    expect(d.message).toMatch(/^expected ',' or '\)'/);
  });

  it("names the unclosed bracket when the error is on a later line", () => {
    const d = diag("h = f(a,\n  b\n  c)");
    expect(`${d.line}:${d.column}`).toBe("2:4");
    expect(d.message).toMatch(/expected ',' or '\)' \(to close the '\(' at line 1, column 6\)/);
  });

  it("reports a missing ',' between arguments", () => {
    const d = diag("h = dense(x 2)");
    expect(`${d.line}:${d.column}`).toBe("1:13");
    expect(d.message).toBe("expected ',' or ')', found '2'");
  });

  it("reports an unclosed shape", () => {
    const d = diag("input x[2");
    expect(`${d.line}:${d.column}`).toBe("1:10");
    expect(d.message).toMatch(/^expected ',' or '\]'/);
  });

  it("reports a missing '~' in a param", () => {
    const d = diag("param W[2,2] glorot_uniform");
    expect(`${d.line}:${d.column}`).toBe("1:14");
    expect(d.message).toBe("expected '~', found 'glorot_uniform'");
    expect(d.length).toBe("glorot_uniform".length);
  });

  it("reports a missing expression", () => {
    for (const src of ["h = ", "h =", "h = # nothing here"]) {
      const d = diag(src);
      expect(`${d.line}:${d.column}`).toBe("1:4");
      expect(d.message).toMatch(/^expected an expression/);
    }
  });

  it("reports an operator where an operand should be", () => {
    const d = diag("h = 3 +* 4");
    expect(`${d.line}:${d.column}`).toBe("1:8");
    expect(d.message).toBe("expected an expression, found '*'");
  });

  it("reports an operand where an operator or the end of line should be", () => {
    const d = diag("h = x y");
    expect(`${d.line}:${d.column}`).toBe("1:7");
    expect(d.message).toBe("expected an operator or end of line, found 'y'");
  });

  it("reports `loss` alone", () => {
    for (const src of ["loss", "loss\n", "loss   # no loss given\nmodel m"]) {
      const d = diag(src);
      expect(`${d.line}:${d.column}`).toBe("1:5");
      expect(d.message).toMatch(/^expected a loss function call like 'mse\(out, y\)' or '= expression' after 'loss'/);
    }
  });

  it("reports a keyword with its operand missing", () => {
    expect(diag("model").message).toMatch(/^expected a name after 'model'/);
    expect(diag("optimizer\n").message).toMatch(/^expected a name after 'optimizer'/);
    expect(diag("metrics").message).toMatch(/^expected a name or '\[' after 'metrics'/);
  });

  it("reports an unknown statement at its first word", () => {
    const d = diag("model m\nfoo bar\n");
    expect(d).toMatchObject({ line: 2, column: 1, length: 3 });
    expect(d.message).toMatch(/^unknown statement 'foo'/);
    expect(d.message).toMatch(/'foo = \.\.\.'/);
    expect(diag("modle xor").message).toMatch(/did you mean 'model'\?/);
    expect(diag("  inptu x[2]").message).toMatch(/^unknown statement 'inptu' \(did you mean 'input'\?\)/);
  });

  it("reports a name starting with a digit", () => {
    const d = diag("1h = x");
    expect(`${d.line}:${d.column}`).toBe("1:1");
    expect(d.message).toMatch(/^expected a statement, found '1h' \(a name cannot start with a digit\)/);
    expect(diag("h = 2x").message).toMatch(/invalid number '2x'/);
  });

  it("reports junk at the start of a line", () => {
    expect(at("model m\n  )")).toBe("2:3");
    expect(diag("model m\n  )").message).toBe("expected a statement, found ')'");
  });

  it("reports junk after a complete statement", () => {
    expect(diag("model xor extra").message).toBe("expected end of line, found 'extra'");
    expect(diag("optimizer adam lr").message).toBe("expected '(' or end of line, found 'lr'");
  });

  it("reports a NUL byte as an unexpected character", () => {
    const d = diag("model m\nh = x\u0000");
    expect(d).toMatchObject({ line: 2, column: 6, length: 1 });
    expect(d.message).toBe("unexpected character U+0000");
    expect(at("\u0000")).toBe("1:1");
  });

  it("reports a non-ASCII identifier", () => {
    const d = diag("é = x");
    expect(`${d.line}:${d.column}`).toBe("1:1");
    expect(d.message).toMatch(/^unexpected character 'é' \(U\+00E9\); names may only use ASCII letters/);
    expect(at("model m\nhé = x")).toBe("2:2");
  });

  it("reports other stray characters", () => {
    expect(diag("h = x $ y").message).toBe("unexpected character '$'");
    expect(at("h = x $ y")).toBe("1:7");
    expect(diag('h = "x').message).toBe(`a string opened here has no closing '"' on its line`);
    expect(at('h = f(x, "same)')).toBe("1:10");
    expect(at("h = 1 +\t\u000c")).toBe("1:9");
    expect(diag("h = 😀").message).toMatch(/^unexpected character '😀' \(U\+1F600\)/);
  });

  it("reads strings and lists as arguments", () => {
    expect(show(expr('conv2d(x, 16, [3, 3], padding = "same")'))).toBe('conv2d(x, 16, [3, 3], padding="same")');
    expect(show(expr("f([1,\n 2], [])"))).toBe("f([1, 2], [])");
  });

  it("allows any character inside comments", () => {
    expect(stmts("h = x # é $ \u0000 😀 \u2028").map((s) => s.kind)).toEqual(["assign"]);
  });

  it("counts columns in characters, tabs as one", () => {
    expect(at("\th = x y")).toBe("1:8");
  });

  it("reports a missing argument", () => {
    expect(diag("h = f(a, )").message).toBe("expected an expression, found ')'");
    expect(diag("optimizer adam(lr = )").message).toBe("expected an expression, found ')'");
  });

  it("formats with the source line and a caret", () => {
    const d = diag("model m\nh = dense(x 2)\n", "xor.nn");
    expect(formatDiagnostic(d)).toBe(
      [
        "xor.nn:2:13: error: expected ',' or ')', found '2'",
        "  2 | h = dense(x 2)",
        "    |             ^",
      ].join("\n"),
    );
  });
});

describe("semantic checks", () => {
  it.each([
    ["loss = 1\nh = loss + 1", 2, 5, "'loss' is a keyword and cannot be used as a name"],
    ["model = 3", 1, 1, "'model' is a keyword and cannot be used as a name"],
    ["input model[2]", 1, 7, "'model' is a keyword and cannot be used as a name"],
    ["h = f(x, target = 1)", 1, 10, "'target' is a keyword and cannot be used as a name"],
    ["true = 1", 1, 1, "'true' is a keyword and cannot be used as a name"],
    ["output metrics", 1, 8, "'metrics' is a keyword and cannot be used as a name"],
    ["metrics accuracy, loss", 1, 19, "'loss' is a keyword and cannot be used as a name"],
    ["param W[2] ~ param", 1, 14, "'param' is a keyword and cannot be used as a name"],
    ["h = optimizer(x)", 1, 5, "'optimizer' is a keyword and cannot be used as a name"],
  ])("rejects keywords as names: %j", (src, line, column, message) => {
    expect(diag(src)).toMatchObject({ line, column, message });
  });

  it.each([
    ["input x[2.5]", 9, "2.5"],
    ["input x[0]", 9, "0"],
    ["input x[2, -1]", 12, "-1"],
    ["target y[1e3]", 10, "1e3"],
    ["param W[n] ~ zeros", 9, "n"],
    ["input x[99999999999999999999]", 9, "99999999999999999999"],
  ])("rejects bad dimensions: %j", (src, column, dim) => {
    const d = diag(src);
    expect(d).toMatchObject({ line: 1, column, length: dim.length });
    expect(d.message).toBe(`dimension must be a positive integer, got '${dim}'`);
  });

  it("rejects an empty shape", () => {
    expect(diag("input x[]").message).toMatch(/^expected a dimension/);
  });

  it("rejects a positional argument after a named one", () => {
    const d = diag("h = dense(x, units = 2, sigmoid)");
    expect(d).toMatchObject({ line: 1, column: 25, message: "positional argument after named argument" });
  });

  it("rejects a repeated named argument", () => {
    expect(diag("optimizer adam(lr = 1, lr = 2)")).toMatchObject({ column: 24, message: "duplicate argument 'lr'" });
  });

  it("rejects numbers that overflow", () => {
    const d = diag("h = 2 * 1e999");
    expect(d).toMatchObject({ line: 1, column: 9, length: 5 });
    expect(d.message).toMatch(/^number out of range/);
    expect(expr("1e-999")).toMatchObject({ kind: "num", value: 0 });
  });
});

describe("robustness", () => {
  it("rejects deep nesting with a located NncError", () => {
    for (const src of [
      "h = " + "(".repeat(5000),
      "h = " + "(".repeat(5000) + "x" + ")".repeat(5000),
      "h = " + "f(".repeat(5000) + "x" + ")".repeat(5000),
      "input x[" + "[".repeat(5000),
    ]) {
      const d = diag(src);
      expect(d.message).toMatch(/^expression nested too deeply/);
      expect(d.line).toBe(1);
    }
    const d = diag("h = " + "(".repeat(MAX_NESTING + 1) + "x" + ")".repeat(MAX_NESTING + 1));
    expect(d.column).toBe(5 + MAX_NESTING);
  });

  it("accepts nesting up to the limit", () => {
    const n = MAX_NESTING;
    expect(show(expr("(".repeat(n) + "x" + ")".repeat(n)))).toBe("x");
    expect(show(expr("f(".repeat(n) + "x" + ")".repeat(n)))).toBe("f(".repeat(n) + "x" + ")".repeat(n));
  });

  it("ignores brackets in comments when checking nesting", () => {
    expect(stmts("h = x # " + "(".repeat(5000)).map((s) => s.kind)).toEqual(["assign"]);
  });

  it("throws only located NncErrors on random input", () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = [
      "model", "input", "target", "param", "loss", "optimizer", "output", "metrics", "true", "false",
      "x", "h", "dense", "(", ")", "[", "]", ",", "=", "~", "+", "-", "*", "/", "@", "^", ".", "1", "0.5",
      "1e", "1e999", ".5", " ", "\t", "\n", "\r\n", "\r", "#", "é", "\u0000", "$", "\uFEFF", "\ud800",
    ];
    const inputs: string[] = [];
    for (let i = 0; i < 300; i++) {
      const len = rand(40);
      let s = "";
      for (let j = 0; j < len; j++) s += pieces[rand(pieces.length)] + (rand(3) === 0 ? " " : "");
      inputs.push(s);
    }
    for (let i = 0; i < 200; i++) {
      let s = "";
      const len = rand(80);
      for (let j = 0; j < len; j++) s += String.fromCharCode(rand(4) === 0 ? rand(0x10000) : rand(128));
      inputs.push(s);
    }
    // Single-character edits of a valid program.
    for (let i = 0; i < 200; i++) {
      const p = rand(XOR.length);
      inputs.push(XOR.slice(0, p) + pieces[rand(pieces.length)] + XOR.slice(p + rand(3)));
    }
    for (const src of inputs) {
      try {
        parse(src, "fuzz.nn");
      } catch (e) {
        if (!(e instanceof NncError)) throw new Error(`non-NncError for ${JSON.stringify(src)}: ${String(e)}`);
        const d = e.diagnostic;
        const lines = src.split(/\r\n|\r|\n/);
        expect(d.line).toBeGreaterThanOrEqual(1);
        expect(d.line).toBeLessThanOrEqual(lines.length);
        expect(d.column).toBeGreaterThanOrEqual(1);
        expect(d.column).toBeLessThanOrEqual(lines[d.line - 1].length + 1);
        expect(d.length).toBeGreaterThanOrEqual(1);
        expect(d.message).not.toMatch(/Expected|Line \d+, col/); // never ohm's own message
        expect(typeof formatDiagnostic(d)).toBe("string");
      }
    }
  });

  it("parses a 100-line file (speed is measured by npm run bench, not asserted here)", () => {
    const body = XOR.split("\n").slice(3, 11).join("\n") + "\n";
    const src = "model big\ninput x[2]\ntarget y[1]\n" + body.repeat(12) + "# end\n";
    expect(src.split("\n").length).toBeGreaterThanOrEqual(100);
    expect(parse(src, "big.nn").statements.length).toBeGreaterThanOrEqual(96);
  });
});
