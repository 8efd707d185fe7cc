// A model file's name and the comments in it reach headers and captions of what nnc prints or
// writes besides the module: `nnc grad` (math, ts, ir; whole kernel and one parameter's slice),
// `nnc graph` (dot, svg, html) and `nnc check`. Whatever the name and the comments hold (line
// breaks, U+2028, control characters, `*/`, quotes, markup), the output keeps the shape it has
// for a plain name: the same lines, comments that stay comments, DOT strings that stay strings,
// well-formed SVG, and no control character or line separator anywhere.

import fc from "fast-check";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { gradReport } from "../../compiler/cli/grad-command.js";
import { graphOutput } from "../../compiler/cli/graph-command.js";
import { checkText, type CheckResult } from "../../compiler/explain/gradient-check.js";

const PIECES = ["a", "é", "∂", " ", "\t", "\n", "\r", "\u2028", "\u2029", "\u0000", "\u0001", "\u001b", "\u007f", "\u0085", "*/", "/*", "#", '"', "\\", "<", ">", "&", "]", "{", "}", ";", "//"];
const text = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 }).map((p) => p.join(""));
/** A file name with a folder in front (which every output drops). */
const fileName = text.map((t) => `some/dir/${t.replace(/[\\/]/g, "")}x.nn`);
/** Comment text: anything but a line break (which would end the comment). */
const commentText = text.map((t) => t.replace(/[\n\r]/g, ""));

function model(comment: string): string {
  return `model q\ninput x[2]\ntarget y[1]\nh = dense(x, 3, tanh) # ${comment}\nout = dense(h, 1, sigmoid)\nloss binary_crossentropy(out, y) # ${comment}\n`;
}

const PLAIN = { file: "m.nn", comment: "plain" };
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

/** Lines with their `//` comments removed: what a TypeScript reader sees as code. */
const codeOf = (ts: string) => ts.split("\n").map((l) => l.replace(/\/\/.*$/, ""));
/** DOT with every quoted string emptied: the statements, which no label may change. */
const dotSkeleton = (dot: string) => dot.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/<<table[\s\S]*?>>/g, "<>");

function sameShape(out: string, plain: string): void {
  expect(out).not.toMatch(UNSAFE);
  expect(out.split("\n").length).toBe(plain.split("\n").length);
}

describe("file names and comments in generated headers and captions", () => {
  it.each([
    ["math", {}],
    ["ir", {}],
    ["ts", {}],
    ["ts", { wrt: "W_h" }],
  ] as const)("nnc grad --format %s %o keeps its lines and its comments", async (format, extra) => {
    const plain = await gradReport(model(PLAIN.comment), PLAIN.file, { format, ...extra });
    await fc.assert(
      fc.asyncProperty(fileName, commentText, async (file, comment) => {
        const out = await gradReport(model(comment), file, { format, ...extra });
        sameShape(out, plain);
        if (format === "ts") expect(codeOf(out)).toEqual(codeOf(plain));
        else for (const [i, line] of plain.split("\n").entries()) if (line.startsWith("#")) expect(out.split("\n")[i]).toMatch(/^#/);
      }),
      { numRuns: format === "ts" ? 8 : 25 },
    );
  });

  it("nnc graph: DOT statements stay as they are, the SVG stays well-formed, the page has one title", async () => {
    const plainDot = await graphOutput(model(PLAIN.comment), PLAIN.file, "g.dot");
    await fc.assert(
      fc.asyncProperty(fileName, commentText, async (file, comment) => {
        const dot = await graphOutput(model(comment), file, "g.dot");
        sameShape(dot, plainDot);
        expect(dotSkeleton(dot)).toBe(dotSkeleton(plainDot));
      }),
      { numRuns: 25 },
    );
    await fc.assert(
      fc.asyncProperty(fileName, commentText, async (file, comment) => {
        const svg = await graphOutput(model(comment), file, "g.svg");
        expect(svg).not.toMatch(UNSAFE);
        expect(XMLValidator.validate(svg)).toBe(true);
        const html = await graphOutput(model(comment), file, "g.html");
        expect(html).not.toMatch(UNSAFE);
        expect(html.split("<body>")[0]!.match(/<title>/g)).toHaveLength(1);
        expect(html.match(/<h1>/g)).toHaveLength(1);
      }),
      { numRuns: 4 },
    );
  });

  it("nnc check's report keeps its lines", () => {
    const result: CheckResult = { model: "q", points: 1, seed: 0, tolerance: 1e-6, against: "loss", strategy: "unrolled", products: "js", pass: true, params: [{ name: "w", shape: [1], compared: 1, kinks: 0, maxError: 0, pass: true }] };
    const plain = checkText(PLAIN.file, result);
    fc.assert(
      fc.property(fileName, (file) => {
        const out = checkText(file, result);
        sameShape(out, plain);
        expect(out).toMatch(/^nnc check some\/dir\/.*: generated grad\(\)/);
      }),
    );
  });
});
