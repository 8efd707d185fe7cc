// How `nnc graph` lays out deep models (compiler/explain/layout.ts). Drawn as it reads, a deep
// model's forward values reach their backward uses across the whole picture and Graphviz's
// placement grows with the square of the depth (200 dense layers ended after minutes in a
// stack overflow); the ladder draws each gradient op beside its forward op instead. Checked on
// random deep models: the ladder draws every value and every edge of the picture as it reads
// (copies of shared values aside) and every edge from a forward value joins neighbouring model
// lines; every example model keeps the picture as it reads; 200 dense layers draw in seconds.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { graphOutput } from "../../compiler/cli/graph-command.js";
import { analyze } from "../../compiler/compile.js";
import { modelDot } from "../../compiler/explain/dot.js";
import { ALL_MODELS } from "./helpers.js";

interface ParsedDot {
  labels: Map<string, string>;
  fills: Map<string, string>;
  arrows: { from: string; to: string; label: string; back: boolean }[];
  title: string;
}

function attributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) out[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
  return out;
}

function parseDot(dot: string): ParsedDot {
  const parsed: ParsedDot = { labels: new Map(), fills: new Map(), arrows: [], title: "" };
  for (const line of dot.split("\n")) {
    const arrow = /^ {2}(\w+) -> (\w+) \[(.*)\];$/.exec(line);
    const box = /^ {2}([ng]\d+(?:_\d+)?) \[(.*)\];$/.exec(line);
    if (arrow) {
      const a = attributes(arrow[3]!);
      parsed.arrows.push({ from: arrow[1]!, to: arrow[2]!, label: a["label"]!, back: a["dir"] === "back" });
    } else if (box) {
      const a = attributes(box[2]!);
      parsed.labels.set(box[1]!, a["label"]!);
      parsed.fills.set(box[1]!, a["fillcolor"]!);
    } else if (line.startsWith("  graph ")) parsed.title = attributes(line)["label"]!;
  }
  return parsed;
}

/** Every edge as "from label → to label [shape]", in the direction the data flows. */
function edges(p: ParsedDot): string[] {
  return p.arrows.map((a) => (a.back ? [a.to, a.from] : [a.from, a.to])).map(([from, to], i) => `${p.labels.get(from!)} → ${p.labels.get(to!)} ${p.arrows[i]!.label}`);
}

const LADDER_TITLE = "(each backward op beside its forward op)";
const GRADIENT_FILL = "#f8d0d0";

type Layer = { kind: "dense"; act: string } | { kind: "dropout" } | { kind: "residual"; back: number } | { kind: "shared" };

const layer: fc.Arbitrary<Layer> = fc.oneof(
  fc.record({ kind: fc.constant("dense" as const), act: fc.constantFrom("relu", "tanh", "sigmoid", "linear") }),
  fc.constant({ kind: "dropout" as const }),
  fc.record({ kind: fc.constant("residual" as const), back: fc.nat() }),
  fc.constant({ kind: "shared" as const }),
);

function deepModel(layers: readonly Layer[]): string {
  const shared = layers.some((l) => l.kind === "shared");
  const lines = ["model deep", "input x[4]", "target y[1]", ...(shared ? ["param W[4, 4] ~ glorot_uniform", "param b[4] ~ zeros"] : []), "", "h0 = dense(x, 4, tanh)"];
  layers.forEach((l, k) => {
    const i = k + 1;
    const prev = `h${i - 1}`;
    if (l.kind === "dense") lines.push(`h${i} = dense(${prev}, 4, ${l.act})`);
    else if (l.kind === "dropout") lines.push(`h${i} = dropout(${prev}, 0.1)`);
    else if (l.kind === "residual") lines.push(`h${i} = ${prev} + h${l.back % i}`);
    else lines.push(`h${i} = tanh(W @ ${prev} + b)`);
    if (k % 5 === 4) lines.push("# a comment line between layers");
  });
  lines.push(`out = dense(h${layers.length}, 1)`, "loss mse(out, y)");
  return `${lines.join("\n")}\n`;
}

/** The model line a box's caption names (`deep.nn:12  …`). */
const lineOf = (label: string) => Number(/deep\.nn:(\d+)/.exec(label)?.[1] ?? NaN);

describe("nnc graph on deep models", () => {
  it("the ladder draws every value and edge of the picture as it reads, each forward edge between neighbouring lines", () => {
    fc.assert(
      fc.property(fc.array(layer, { minLength: 8, maxLength: 24 }), (layers) => {
        const { model, derived } = analyze(deepModel(layers), "deep.nn");
        const reading = parseDot(modelDot(model, derived, "reading"));
        const ladder = parseDot(modelDot(model, derived, "ladder"));
        expect(ladder.title).toContain(LADDER_TITLE);
        expect(new Set(ladder.labels.values())).toEqual(new Set(reading.labels.values()));
        expect(edges(ladder).sort()).toEqual(edges(reading).sort());
        // Rungs: the model lines that have boxes, in order.
        const lines = [...new Set([...ladder.labels.values()].map(lineOf).filter((l) => !Number.isNaN(l)))].sort((a, b) => a - b);
        const rung = (id: string) => lines.indexOf(lineOf(ladder.labels.get(id)!));
        const fed = new Set(ladder.arrows.map((a) => (a.back ? a.from : a.to)));
        for (const a of ladder.arrows) {
          const [from, to] = a.back ? [a.to, a.from] : [a.from, a.to];
          if (ladder.fills.get(from!) === GRADIENT_FILL || !fed.has(from!)) continue; // leaves sit where their users are
          expect(Math.abs(rung(from!) - rung(to!)), `${ladder.labels.get(from!)} → ${ladder.labels.get(to!)}`).toBeLessThanOrEqual(1);
        }
        // A parameter or input drawn more than once is drawn once per line that uses it.
        const users = new Map<string, Set<number>>();
        for (const a of ladder.arrows) {
          const [from, to] = a.back ? [a.to, a.from] : [a.from, a.to];
          if (!fed.has(from!)) users.set(from!, (users.get(from!) ?? new Set()).add(rung(to!)));
        }
        const copiesOf = (label: string) => [...ladder.labels].filter(([, l]) => l === label).map(([id]) => id);
        for (const [id, rungs] of users) if (copiesOf(ladder.labels.get(id)!).length > 1) expect(rungs.size).toBe(1);
        // Backward edges point up: only between gradient ops.
        for (const a of ladder.arrows.filter((x) => x.back)) expect([ladder.fills.get(a.from), ladder.fills.get(a.to)]).toEqual([GRADIENT_FILL, GRADIENT_FILL]);
      }),
      { numRuns: 20 },
    );
  });

  it("every example model keeps its picture as it reads", () => {
    for (const m of ALL_MODELS) {
      const { model, derived } = analyze(m.source, m.file);
      expect(modelDot(model, derived), m.file).toBe(modelDot(model, derived, "reading"));
    }
  });

  it("200 dense layers draw in seconds, as a ladder", async () => {
    const source = deepModel(Array.from({ length: 199 }, () => ({ kind: "dense", act: "relu" })));
    const started = performance.now();
    const svg = await graphOutput(source, "deep.nn", "deep.svg");
    const seconds = (performance.now() - started) / 1000;
    expect(svg).toContain(LADDER_TITLE);
    expect((svg.match(/<g id="node\d+" class="node">/g) ?? []).length).toBeGreaterThan(2000);
    expect(seconds).toBeLessThan(45); // about 2 s alone on 2 cores; before the ladder, minutes and a stack overflow
  });
});
