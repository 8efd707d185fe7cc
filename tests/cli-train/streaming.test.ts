// The streaming readers against references, by property: whatever the text and wherever the
// chunks are cut, the CSV reader gives the records an RFC 4180 writer wrote, and the JSON reader
// gives what JSON.parse gives (and fails where JSON.parse fails); arrays it collects as numbers
// hold the same values.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvRecords } from "../../compiler/data/csv.js";
import { JsonStream, JsonSyntaxError } from "../../compiler/data/json-stream.js";

/** `text` cut at the given positions (any order, repeats allowed). */
function cut(text: string, at: number[]): string[] {
  const points = [...new Set(at.map((p) => p % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let from = 0;
  for (const p of points) {
    pieces.push(text.slice(from, p));
    from = p;
  }
  pieces.push(text.slice(from));
  return pieces;
}

/** RFC 4180: quote a field holding a delimiter, quote, line break or nothing. */
const csvField = (f: string) => (f === "" || /[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);

describe("CSV as a stream", () => {
  const field = fc.array(fc.constantFrom("a", "1", " ", ",", '"', "\n", "\r\n", "\r", "é", "\t"), { maxLength: 6 }).map((parts) => parts.join(""));
  it("gives the records that were written, wherever the chunks are cut (line ends become \\n)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((width) => fc.array(fc.array(field, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 6 })),
        fc.constantFrom("\n", "\r\n", "\r"),
        fc.array(fc.nat(), { maxLength: 8 }),
        (records, eol, cuts) => {
          const text = records.map((r) => r.map(csvField).join(",")).join(eol) + eol;
          const got: string[][] = [];
          const csv = new CsvRecords("d.csv", ",", (fields) => void got.push(fields));
          for (const piece of cut(text, cuts)) csv.push(piece);
          csv.end();
          expect(got).toEqual(records.map((r) => r.map((f) => f.replace(/\r\n?/g, "\n"))));
        },
      ),
      { numRuns: 400, seed: 1 },
    );
  });

  it("numbers each record by the line it starts on", () => {
    const lines: number[] = [];
    const csv = new CsvRecords("d.csv", ",", (_, line) => void lines.push(line));
    for (const piece of cut('a,b\r\n\r\n"1\r\n2",3\n4,5', [3, 4, 9, 15])) csv.push(piece);
    csv.end();
    expect(lines).toEqual([1, 3, 5]);
  });
});

describe("JSON as a stream", () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  const parse = (pieces: string[], hint?: (path: readonly (string | number)[]) => number | null) => {
    const stream = new JsonStream(hint);
    for (const piece of pieces) stream.push(piece);
    return stream.end();
  };
  /** A value with typed arrays turned back into plain arrays. */
  const plain = (v: unknown): unknown =>
    ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : Array.isArray(v) ? v.map(plain) : v !== null && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v;

  it("gives what JSON.parse gives, wherever the chunks are cut, with or without arrays collected as numbers", () => {
    fc.assert(
      fc.property(json, fc.constantFrom(undefined, 2, "\t"), fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), (value, indent, cuts, collect) => {
        const text = JSON.stringify(value, null, indent);
        const got = parse(cut(text, cuts), collect ? () => 1 : undefined);
        expect(plain(got)).toEqual(JSON.parse(text));
      }),
      { numRuns: 500, seed: 2 },
    );
  });

  it("fails exactly where JSON.parse fails (a character removed, added or changed)", () => {
    const edit = fc.tuple(fc.nat(), fc.constantFrom("", ",", "]", "}", '"', "x", "0", "-", ".", "e", " ", "\u0000", "[", "{", ":"), fc.nat({ max: 1 }));
    fc.assert(
      fc.property(json, edit, fc.array(fc.nat(), { maxLength: 4 }), (value, [at, insert, remove], cuts) => {
        const text = JSON.stringify(value);
        const p = at % (text.length + 1);
        const broken = text.slice(0, p) + insert + text.slice(p + remove);
        let expected: unknown;
        let jsonFails = false;
        try {
          expected = JSON.parse(broken);
        } catch {
          jsonFails = true;
        }
        let streamFails = false;
        let got: unknown;
        try {
          got = parse(cut(broken, cuts), () => 1);
        } catch (e) {
          expect(e).toBeInstanceOf(JsonSyntaxError);
          streamFails = true;
        }
        expect(streamFails).toBe(jsonFails);
        if (!jsonFails) expect(plain(got)).toEqual(expected);
      }),
      { numRuns: 1000, seed: 3 },
    );
  });

  it("collects picked arrays of numbers into Float64Arrays, and says where bad text is", () => {
    const doc = parse(['{"params": {"W": {"shape": [2], "data": [1.5, -2', "e-3, 0]}, ", '"b": {"data": [1, "x"]}}}'], (path) => (path[0] === "params" && path[2] === "data" ? 2 : null)) as {
      params: { W: { shape: number[]; data: Float64Array }; b: { data: unknown[] } };
    };
    expect(doc.params.W.data).toBeInstanceOf(Float64Array);
    expect(Array.from(doc.params.W.data)).toEqual([1.5, -2e-3, 0]);
    expect(doc.params.W.shape).toEqual([2]);
    expect(doc.params.b.data).toEqual([1, "x"]); // not all numbers: an ordinary array
    for (const hint of [undefined, () => 4]) {
      expect(() => parse(['{"a": [1,\n  2,, 3]}'], hint)).toThrow(new JsonSyntaxError("unexpected character ',' at line 2, column 5"));
      expect(() => parse(['{"a": [1,\n', "  2,", ", 3]}"], hint)).toThrow(new JsonSyntaxError("unexpected character ',' at line 2, column 5"));
    }
    expect(() => parse(["[01]"])).toThrow(JsonSyntaxError);
    expect(() => parse(["\u0000"])).toThrow(new JsonSyntaxError("unexpected character U+0000 at line 1, column 1"));
    expect(() => parse([`${"[".repeat(65)}${"]".repeat(65)}`])).toThrow(/nested more than 64 levels deep/);
  });
});
