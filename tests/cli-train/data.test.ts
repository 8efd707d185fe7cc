// compiler/data: CSV / JSON Lines parsing, column matching, labels, split, built-in data sets,
// and that every bad input names the file, line, row and column.

import { describe, expect, it } from "vitest";
import { csvTable } from "../../compiler/data/csv.js";
import { jsonlTable } from "../../compiler/data/jsonl.js";
import { readDataset, type DataShape, type ReadOptions } from "../../compiler/data/dataset.js";
import { splitDataset } from "../../compiler/data/split.js";
import { loadIris } from "../../compiler/data/iris.js";
import { loadMnist } from "../../compiler/data/mnist.js";
import { DataError } from "../../compiler/data/errors.js";
import type { Cell, TableHeader, TableReader } from "../../compiler/data/table.js";

const IRIS_SHAPE: DataShape = { input: { name: "x", size: 4 }, target: { name: "y", size: 3 } };
const train: ReadOptions = { target: "required" };

/** A CSV reader over `text` (.tsv files use tabs). */
const parseCsv = (text: string, file: string) => csvTable(file, file.endsWith(".tsv") ? "\t" : ",", [text]);
const parseJsonl = (text: string, file: string) => jsonlTable(file, [text]);

function csv(text: string, shape: DataShape, opts: ReadOptions = train) {
  return readDataset(parseCsv(text, "d.csv"), shape, opts);
}

/** What a reader produces: the header, and every row's cells (copied) with its line. */
function readAll(read: TableReader): { header: TableHeader; rows: Cell[][]; lines: number[] } {
  let header: TableHeader | null = null;
  const rows: Cell[][] = [];
  const lines: number[] = [];
  read((h) => {
    header = h;
    return (cells, line) => {
      rows.push(Array.from(cells));
      lines.push(line);
    };
  });
  return { header: header!, rows, lines };
}

/** The DataError message thrown by f (fails the test when f does not throw one). */
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return (e as Error).message;
  }
  throw new Error("expected a DataError");
}

describe("CSV", () => {
  it("reads quoted fields, CRLF, blank lines", () => {
    const t = readAll(parseCsv('a,"b, c",d\r\n1,"2",3\r\n\r\n"x ""y""",5,6\r\n', "q.csv"));
    expect(t.header.columns).toEqual(["a", "b, c", "d"]);
    expect(t.rows).toEqual([
      ["1", "2", "3"],
      ['x "y"', "5", "6"],
    ]);
    expect(t.lines).toEqual([2, 4]);
  });

  it("reads .tsv with tabs", () => {
    expect(readAll(parseCsv("a\tb\n1\t2\n", "d.tsv")).rows).toEqual([["1", "2"]]);
  });

  it("rejects ragged rows, an unclosed quote, duplicate or empty names, an empty file", () => {
    const read = (text: string) => () => readAll(parseCsv(text, "d.csv"));
    expect(errorOf(read("a,b\n1,2\n3\n"))).toBe("d.csv:3: row 2 has 1 values, the header has 2 columns");
    expect(errorOf(read('a,b\n1,"2\n'))).toBe("d.csv:2: a quoted field is never closed");
    expect(errorOf(read("a,a\n1,2\n"))).toBe("d.csv:1: columns 1 and 2 are both named 'a'");
    expect(errorOf(read("a,,c\n"))).toBe("d.csv:1: column 2 of the header has no name");
    expect(errorOf(read("\n\n"))).toMatch(/^d\.csv: the file is empty/);
  });
});

describe("the header line", () => {
  const shape = { input: { name: "x", size: 1 }, target: { name: "y", size: 1 } };
  it("is the first line unless all its cells are numbers: then the file has no header and that line is data", () => {
    // Distinct values on the first line: before, taken as column names '0.5' and '1' (one row lost).
    const distinct = csv("0.5,1\n0.7,0\n", shape);
    expect(distinct.rows).toBe(2);
    expect([...distinct.X, ...distinct.Y!]).toEqual([0.5, 0.7, 1, 0]);
    expect(distinct.inputColumns).toEqual(["column 1"]);
    // Equal values: before, an error about two columns named '1'.
    expect([...csv("1,1\n2,0\n", shape).X]).toEqual([1, 2]);
    // Decimal forms with spaces are numbers; one cell that is not makes the line a header.
    expect(csv(" -1 , 2e-3 \n0,1\n", shape).rows).toBe(2);
    expect(readAll(parseCsv("id,1\nA,2\n", "d.csv")).header).toMatchObject({ columns: ["id", "1"], named: true });
    expect(readAll(parseCsv("0x10,1\n2,3\n", "d.csv")).header.named).toBe(true); // hexadecimal is not a number here
    expect(errorOf(() => csv("1,,3\n4,5,6\n", shape))).toBe("d.csv:1: column 2 of the header has no name (the first line is the header unless all its cells are numbers)");
  });
});

describe("column matching", () => {
  it("finds columns by the model's names in any order, ignoring extra columns", () => {
    const ds = csv("id,y,x1,x0\nA,1,20,10\nB,0,40,30\n", { input: { name: "x", size: 2 }, target: { name: "y", size: 1 } });
    expect(ds.inputColumns).toEqual(["x0", "x1"]);
    expect([...ds.X]).toEqual([10, 20, 30, 40]);
    expect([...ds.Y!]).toEqual([1, 0]);
  });

  it("accepts x[0] and x_0 spellings", () => {
    const shape = { input: { name: "x", size: 2 }, target: { name: "y", size: 1 } };
    expect(csv("x[0],x[1],y\n1,2,3\n", shape).inputColumns).toEqual(["x[0]", "x[1]"]);
    expect(csv("x_0,x_1,y\n1,2,3\n", shape).inputColumns).toEqual(["x_0", "x_1"]);
  });

  it("falls back to position: inputs first, then the target", () => {
    const ds = csv("a,b,c,d,species\n1,2,3,4,2\n5,6,7,8,0\n", IRIS_SHAPE);
    expect(ds.labels).toBe("index");
    expect([...ds.Y!]).toEqual([0, 0, 1, 1, 0, 0]);
    expect([...ds.X]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("takes the other columns as inputs when the target is named", () => {
    const ds = csv("a,y,b,c,d\n1,2,3,4,5\n", IRIS_SHAPE);
    expect(ds.inputColumns).toEqual(["a", "b", "c", "d"]);
    expect(ds.targetColumns).toEqual(["y"]);
  });

  it("uses --inputs / --targets when given, and says which name is missing", () => {
    const shape = { input: { name: "x", size: 2 }, target: { name: "y", size: 1 } };
    const ds = csv("p,q,r,s\n1,2,3,4\n", shape, { target: "required", inputs: ["s", "p"], targets: ["q"] });
    expect([...ds.X]).toEqual([4, 1]);
    expect([...ds.Y!]).toEqual([2]);
    expect(errorOf(() => csv("p,q\n1,2\n", shape, { target: "required", inputs: ["p", "zz"] }))).toBe(
      "--inputs: d.csv has no column 'zz' (its columns: p, q)",
    );
  });

  it("explains a header it cannot map", () => {
    expect(errorOf(() => csv("a,b,c\n1,2,3\n", IRIS_SHAPE))).toMatch(
      /^d\.csv: cannot tell which columns are the input and the target: the header has 3 columns \(a, b, c\); model input x has 4 values \(columns x0\.\.x3\) and target y 3/,
    );
  });

  it("predict mode reads inputs alone and ignores target columns", () => {
    const shape = { input: { name: "x", size: 2 }, target: { name: "y", size: 1 } };
    expect(csv("a,b\n1,2\n", shape, { target: "none" }).Y).toBeNull();
    const ds = csv("a,b,label\n1,2,oops\n", shape, { target: "none" });
    expect([...ds.X]).toEqual([1, 2]);
  });
});

describe("labels", () => {
  it("one-hot columns y0..y2 are read as they are", () => {
    const ds = csv("x0,x1,x2,x3,y0,y1,y2\n1,2,3,4,0,0.5,0.5\n", IRIS_SHAPE);
    expect(ds.labels).toBe("values");
    expect([...ds.Y!]).toEqual([0, 0.5, 0.5]);
  });

  it("--labels insists on the layout it names", () => {
    expect(errorOf(() => csv("x0,x1,x2,x3,y\n1,2,3,4,1\n", IRIS_SHAPE, { target: "required", labels: "onehot" }))).toBe(
      "--labels onehot: target y needs 3 columns (y0..y2), d.csv has one: 'y'",
    );
    expect(errorOf(() => csv("x0,x1,x2,x3,y0,y1,y2\n1,2,3,4,0,1,0\n", IRIS_SHAPE, { target: "required", labels: "index" }))).toBe(
      "--labels index: expected one class-index column for target y, found 3: 'y0', 'y1', 'y2'",
    );
  });

  it("a class index out of range or not an integer names the row and column", () => {
    expect(errorOf(() => csv("x0,x1,x2,x3,y\n1,2,3,4,1\n1,2,3,4,3\n", IRIS_SHAPE))).toBe("d.csv:3: row 2, column 5 ('y'): '3' is not a class index (0..2)");
    expect(errorOf(() => csv("x0,x1,x2,x3,y\n1,2,3,4,setosa\n", IRIS_SHAPE))).toBe("d.csv:2: row 1, column 5 ('y'): 'setosa' is not a class index (0..2)");
    const sparse = { input: { name: "x", size: 1 }, target: { name: "y", size: 1 }, classes: 10 };
    expect(errorOf(() => csv("x,y\n1,1.5\n", sparse, { target: "required", labels: "index" }))).toBe("d.csv:2: row 1, column 2 ('y'): '1.5' is not a class index (0..9)");
    // A sparse-categorical target is checked as a class index without --labels too.
    expect(errorOf(() => csv("x,y\n1,10\n", sparse))).toBe("d.csv:2: row 1, column 2 ('y'): '10' is not a class index (0..9)");
    expect(csv("x,y\n1,9\n", sparse).labels).toBe("index");
    // A plain one-value target (regression, binary) is read as a number.
    expect([...csv("x,y\n1,0.25\n", { input: { name: "x", size: 1 }, target: { name: "y", size: 1 } }).Y!]).toEqual([0.25]);
  });
});

describe("bad values", () => {
  const shape = { input: { name: "x", size: 2 }, target: { name: "y", size: 1 } };
  it("name file, line, row and column", () => {
    expect(errorOf(() => csv("x0,x1,y\n1,2,0\n\n3,abc,1\n", shape))).toBe("d.csv:4: row 2, column 2 ('x1'): 'abc' is not a number");
    expect(errorOf(() => csv("x0,x1,y\n1,,0\n", shape))).toBe("d.csv:2: row 1, column 2 ('x1'): empty value; expected a number");
    expect(errorOf(() => csv("x0,x1,y\n1,Infinity,0\n", shape))).toBe("d.csv:2: row 1, column 2 ('x1'): 'Infinity' is not a finite number");
    expect(errorOf(() => csv("x0,x1,y\n", shape))).toBe("d.csv: no data rows (only a header)");
  });
});

describe("JSON Lines", () => {
  const shape = { input: { name: "x", size: 2 }, target: { name: "y", size: 1 } };
  it("flattens arrays into name[i] columns and matches them", () => {
    const ds = readDataset(parseJsonl('{"x": [0, 1], "y": 1}\n\n{"y": 0, "x": [2, 3]}\n', "d.jsonl"), shape, train);
    expect(ds.inputColumns).toEqual(["x[0]", "x[1]"]);
    expect([...ds.X]).toEqual([0, 1, 2, 3]);
    expect([...ds.Y!]).toEqual([1, 0]);
  });

  it("names the line of bad JSON, a missing key, a bad value", () => {
    const read = (text: string) => () => readAll(parseJsonl(text, "d.jsonl"));
    expect(errorOf(read('{"x": [0, 1], "y": 1}\n{"x": [0, 1], "y": }\n'))).toMatch(/^d\.jsonl:2: not valid JSON/);
    expect(errorOf(read('{"x": [0, 1], "y": 1}\n{"x": [0, 1]}\n'))).toBe("d.jsonl:2: no value for 'y' (the first line has one)");
    expect(errorOf(read('{"x": [0, 1], "y": 1}\n{"x": [0, "a"], "y": 1}\n'))).toBe("d.jsonl:2: 'x[1]' is 'a'; expected a number");
    expect(errorOf(read('{"x": [0, 1], "y": 1}\n{"x": [0], "y": 1}\n'))).toBe("d.jsonl:2: 'x' has 1 values; the first line has 2");
    expect(errorOf(read('{"x": [0, 1], "y": 1}\n{"x": [0, 1], "y": 1, "z": 2}\n'))).toBe("d.jsonl:2: unexpected key 'z' (the first line does not have it)");
    expect(errorOf(read("[1, 2]\n"))).toMatch(/^d\.jsonl:1: expected a JSON object/);
    expect(errorOf(() => readDataset(parseJsonl('{"x": [0, 1], "y": "one"}\n', "d.jsonl"), shape, train))).toBe("d.jsonl:1: row 1, column 3 ('y'): 'one' is not a number");
  });
});

describe("rows", () => {
  const text = `x,y\n${Array.from({ length: 50 }, (_, i) => `${i},${i % 2}`).join("\n")}\n`;
  const shape = { input: { name: "x", size: 1 }, target: { name: "y", size: 1 } };

  it("--split holds out a seeded, reproducible fraction; the parts partition the rows", () => {
    const ds = csv(text, shape);
    const a = splitDataset(ds, 0.2, 5);
    const b = splitDataset(ds, 0.2, 5);
    const c = splitDataset(ds, 0.2, 6);
    expect(a.held.rows).toBe(10);
    expect(a.train.rows).toBe(40);
    expect([...a.held.X]).toEqual([...b.held.X]);
    expect([...a.held.X]).not.toEqual([...c.held.X]);
    expect([...a.train.X, ...a.held.X].sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    // Not simply the last rows (Keras' validation_split): the draw spreads over the file.
    expect(Math.min(...a.held.X)).toBeLessThan(40);
    expect(errorOf(() => splitDataset(ds, 0.001, 0))).toBe("--split 0.001 of 50 rows leaves no held-out rows");
  });

  it("--limit keeps the first rows and reads no further", () => {
    expect([...csv(text, shape, { target: "required", limit: 3 }).X]).toEqual([0, 1, 2]);
    // Row 4 is bad, but it is never read.
    expect([...csv("x,y\n0,0\n1,1\n2,0\nbad,1\n", shape, { target: "required", limit: 3 }).X]).toEqual([0, 1, 2]);
    expect(errorOf(() => csv("x,y\n0,0\n1,1\n2,0\nbad,1\n", shape, { target: "required", limit: 4 }))).toMatch(/^d\.csv:5: row 4/);
  });
});

describe("built-in data sets", () => {
  it("iris: 150 rows, 4 measurements, species 0..2, by position", () => {
    const ds = readDataset(loadIris(), IRIS_SHAPE, train);
    expect(ds.rows).toBe(150);
    expect([...ds.X.subarray(0, 4)]).toEqual([5.1, 3.5, 1.4, 0.2]);
    expect(ds.labels).toBe("index");
    const counts = [0, 0, 0];
    for (let r = 0; r < 150; r++) counts[ds.Y!.subarray(r * 3, r * 3 + 3).indexOf(1)]!++;
    expect(counts).toEqual([50, 50, 50]);
  });

  it("mnist: 10,000 digits, interleaved 0..9 so a prefix has every digit, the same on every load", () => {
    const t = readAll(loadMnist());
    expect(t.rows.length).toBe(10_000);
    expect(t.header.columns.length).toBe(785);
    expect(t.rows.slice(0, 20).map((r) => r[784])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const ds = readDataset(loadMnist(), { input: { name: "x", size: 784 }, target: { name: "y", size: 10 } }, { target: "required", limit: 100 });
    expect(ds.rows).toBe(100);
    expect(Math.max(...ds.X)).toBeLessThanOrEqual(1);
    expect(Math.min(...ds.X)).toBe(0);
    expect(readAll(loadMnist()).rows[1234]![400]).toBe(t.rows[1234]![400]);
  });
});
