// wrapLine breaks long lines of generated code at `, ` and ` + ` outside brackets first; never
// inside a string literal (a model's loss text is one: a break there is a syntax error), and in
// a doc comment an apostrophe is prose, not a quote.

import { describe, expect, it } from "vitest";
import { wrapLine } from "../../compiler/print/layout.js";

/** Whether position `at` of `line` is inside a string literal. */
function insideString(line: string, at: number): boolean {
  let quote: string | undefined;
  for (let i = 0; i < at; i++) {
    const c = line[i]!;
    if (quote !== undefined) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
  }
  return quote !== undefined;
}

describe("wrapLine", () => {
  it("never breaks inside a string literal", () => {
    const loss = "loss = logsumexp(z) - sum(y * log_softmax(z)) + sum(softplus(z)) + sum(softplus(-z)) + sum(sigmoid(z)) + sum(elu(z))";
    for (const line of [
      `  loss: ${JSON.stringify(loss)},`,
      `  optimizer: { name: "adam", note: ${JSON.stringify(`a, b, c + d, 'e', "f" ${"x, ".repeat(40)}`)}, options: { a: 1, b: 2 } },`,
      `  names: ['${"h, ".repeat(50)}', \`${"q + ".repeat(30)}\`, "x"],`,
    ]) {
      const lines = wrapLine(line, 80);
      // Joined back, the pieces are the line (breaks replace one space each).
      let offset = 0;
      for (const [k, piece] of lines.entries()) {
        const text = k === 0 ? piece : piece.trimStart();
        expect(line.slice(offset, offset + text.length)).toBe(text);
        offset += text.length;
        if (k < lines.length - 1) {
          expect(insideString(line, offset)).toBe(false);
          offset += 1;
        }
      }
      expect(offset).toBe(line.length);
    }
  });

  it("still breaks a line whose only break points are outside its strings", () => {
    const line = `  options: { ${Array.from({ length: 20 }, (_, i) => `key${i}: "v, ${i}"`).join(", ")} },`;
    const lines = wrapLine(line, 80);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
  });

  it("wraps a doc comment with an apostrophe in it", () => {
    const doc = `/** The model's ${"word, ".repeat(30)}end. */`;
    const lines = wrapLine(doc, 80);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
  });
});
