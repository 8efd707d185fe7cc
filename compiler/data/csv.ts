// CSV (RFC 4180) read as a stream of records: text chunks in, `(fields, line)` out, so a file
// of any size passes through a bounded buffer. Quoted fields ("a, b", "say ""hi""", and line
// breaks inside quotes) work; a .tsv file uses tabs. A line without a quote is split at once
// (the fast path); a line with one goes through a small state machine that may continue over
// the following lines. Blank lines are skipped. Errors name the file and line.
//
// The first record is the header, unless every one of its cells is a number: then the file
// has no header, its columns are known by position, and that first record is data. (So a
// header needs at least one name that is not a number: `x0,x1,y` is a header, `0,1,1` is data.)
//
//   const csv = new CsvRecords("d.csv", ",", (fields, line) => console.log(line, fields));
//   csv.push('a,"b\n');  csv.push('c",d\n');  csv.end();   // 1 ["a", "b\nc", "d"]
//   csvTable("d.csv", ",", chunks)((header) => (cells, line) => …);   // the header, then each row

import { DataError, shown } from "./errors.js";
import { LineSplitter, MAX_LINE_CHARS } from "./lines.js";
import { parseDecimal } from "./numbers.js";
import type { RowVisitor, TableHeader, TableReader } from "./table.js";

/** Called for each record with the line it starts on; returning false stops the reading. */
export type RecordVisitor = (fields: string[], line: number) => boolean | void;

/** Where the state machine is in a field. QuoteInQuoted: a quote inside a quoted field, its end or the first half of "". */
const Field = { Start: 0, Unquoted: 1, Quoted: 2, QuoteInQuoted: 3 } as const;

export class CsvRecords {
  private readonly lines: LineSplitter;
  /** The record being assembled by the state machine (null: none; lines take the fast path). */
  private fields: string[] | null = null;
  private field = "";
  private state: number = Field.Start;
  private recordLine = 0;
  private quoteLine = 0;

  constructor(
    private readonly file: string,
    private readonly delimiter: string,
    private readonly onRecord: RecordVisitor,
  ) {
    this.lines = new LineSplitter(file, (text, line) => this.line(text, line));
  }

  push(chunk: string): boolean {
    return this.lines.push(chunk);
  }

  end(): void {
    this.lines.end();
    if (this.fields !== null && !this.lines.stopped) throw new DataError(`${this.file}:${this.quoteLine}: a quoted field is never closed`);
  }

  private line(text: string, line: number): boolean | void {
    if (this.fields === null) {
      if (text.indexOf('"') < 0) return text === "" ? true : this.onRecord(text.split(this.delimiter), line);
      this.fields = [];
      this.field = "";
      this.state = Field.Start;
      this.recordLine = line;
    }
    if (!this.scan(text, line)) return true; // a quoted field goes on over the next line
    const fields = this.fields;
    this.fields = null;
    return this.onRecord(fields, this.recordLine);
  }

  /** Runs the state machine over one line; true when the record ends with it. */
  private scan(text: string, line: number): boolean {
    const fields = this.fields!;
    const d = this.delimiter;
    let i = 0;
    while (i < text.length) {
      if (this.state === Field.Quoted) {
        const q = text.indexOf('"', i);
        if (q < 0) {
          this.field += text.slice(i);
          i = text.length;
          break;
        }
        this.field += text.slice(i, q);
        this.state = Field.QuoteInQuoted;
        i = q + 1;
      } else if (this.state === Field.QuoteInQuoted) {
        const c = text[i];
        if (c === '"') {
          this.field += '"';
          this.state = Field.Quoted;
          i++;
        } else if (c === d) {
          fields.push(this.field);
          this.field = "";
          this.state = Field.Start;
          i++;
        } else {
          throw new DataError(`${this.file}:${line}: unexpected text after a closing quote`);
        }
      } else if (this.state === Field.Start && text[i] === '"') {
        this.state = Field.Quoted;
        this.quoteLine = line;
        i++;
      } else {
        // An unquoted field runs to the next delimiter; a quote inside it is an ordinary character.
        const end = text.indexOf(d, i);
        if (end < 0) {
          this.field += text.slice(i);
          this.state = Field.Unquoted;
          i = text.length;
          break;
        }
        fields.push(this.field + text.slice(i, end));
        this.field = "";
        this.state = Field.Start;
        i = end + 1;
      }
    }
    if (this.state === Field.Quoted) {
      this.field += "\n";
      if (this.field.length > MAX_LINE_CHARS) {
        throw new DataError(`${this.file}:${this.quoteLine}: a quoted field runs on for more than ${MAX_LINE_CHARS} characters; is its closing quote missing?`);
      }
      return false;
    }
    fields.push(this.field);
    this.field = "";
    return true;
  }
}

/** The header a first record makes: its names (checked), or positions when every cell is a number. */
function headerOf(file: string, fields: string[], line: number, rowHint: number | undefined): TableHeader {
  const hint = rowHint !== undefined ? { rowHint } : {};
  if (fields.every((f) => !Number.isNaN(parseDecimal(f)))) {
    return { source: file, columns: fields.map((_, i) => String(i + 1)), named: false, ...hint };
  }
  const columns = fields.map((name) => name.trim());
  const seen = new Map<string, number>();
  columns.forEach((name, col) => {
    if (name === "") {
      // "1,,3": meant as data with a gap, read as a header because one cell is not a number.
      const hint = fields.some((f) => !Number.isNaN(parseDecimal(f))) ? " (the first line is the header unless all its cells are numbers)" : "";
      throw new DataError(`${file}:${line}: column ${col + 1} of the header has no name${hint}`);
    }
    const before = seen.get(name);
    if (before !== undefined) throw new DataError(`${file}:${line}: columns ${before + 1} and ${col + 1} are both named ${shown(name)}`);
    seen.set(name, col);
  });
  return { source: file, columns, named: true, ...hint };
}

/** A reader over CSV text given in chunks; `rowHint` bounds the data rows (the line count). */
export function csvTable(file: string, delimiter: string, chunks: Iterable<string>, rowHint?: number): TableReader {
  return (onHeader) => {
    let header: TableHeader | null = null;
    let visit: RowVisitor | null = null;
    let rows = 0;
    const row = (fields: string[], line: number) => {
      const width = header!.columns.length;
      if (fields.length !== width) {
        throw new DataError(`${file}:${line}: row ${rows + 1} has ${fields.length} values, ${header!.named ? `the header has ${width} columns` : `the first line has ${width}`}`);
      }
      rows++;
      return visit!(fields, line);
    };
    const csv = new CsvRecords(file, delimiter, (fields, line) => {
      if (header !== null) return row(fields, line);
      header = headerOf(file, fields, line, rowHint);
      visit = onHeader(header);
      return header.named ? true : row(fields, line);
    });
    for (const chunk of chunks) if (!csv.push(chunk)) break;
    csv.end();
    if (header === null) throw new DataError(`${file}: the file is empty; expected a header line with column names, or rows of numbers`);
  };
}
