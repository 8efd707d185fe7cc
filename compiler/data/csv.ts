// CSV (RFC 4180) with a header line → Table. Quoted fields ("a, b", "say ""hi""") and CRLF line
// ends work; a .tsv file uses tabs. Every row must have as many fields as the header; errors
// name the file and line. Cells stay strings: only the columns the model uses are parsed as
// numbers (match.ts), so extra text columns (ids, names) do no harm.
//
//   parseCsv("x,y\n0,0\n2,1\n", "parity.csv").cell(1, 0);   // "2"

import { CliError } from "../cli/io.js";
import { tableFromRows, type Table } from "./table.js";

interface Record {
  fields: string[];
  line: number;
}

/** Splits text into records; a quoted field may span lines. Blank lines are skipped. */
function records(text: string, file: string, delimiter: string): Record[] {
  const out: Record[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let start = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let quotedSeen = false;
  const endRecord = () => {
    fields.push(field);
    // A line with nothing on it is not a record (a trailing newline, blank separators).
    if (!(fields.length === 1 && fields[0] === "" && !quotedSeen)) out.push({ fields, line: start });
    fields = [];
    field = "";
    quotedSeen = false;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' && field === "") {
      const openLine = line;
      quotedSeen = true;
      i++;
      for (;;) {
        if (i >= text.length) throw new CliError(`${file}:${openLine}: a quoted field is never closed`);
        const q = text[i]!;
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === "\n") line++;
        field += q;
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== delimiter && next !== "\n" && next !== "\r") {
        throw new CliError(`${file}:${line}: unexpected text after a closing quote`);
      }
      continue;
    }
    if (c === delimiter) {
      fields.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      endRecord();
      if (c === "\r" && text[i + 1] === "\n") i++;
      line++;
      start = line;
    } else {
      field += c;
    }
    i++;
  }
  if (field !== "" || fields.length > 0 || quotedSeen) endRecord();
  return out;
}

export function parseCsv(text: string, file: string): Table {
  const delimiter = file.toLowerCase().endsWith(".tsv") ? "\t" : ",";
  const all = records(text, file, delimiter);
  const header = all[0];
  if (!header) throw new CliError(`${file}: the file is empty; expected a header line with column names`);
  const columns = header.fields.map((name) => name.trim());
  const seen = new Map<string, number>();
  columns.forEach((name, col) => {
    if (name === "") throw new CliError(`${file}:${header.line}: column ${col + 1} of the header has no name`);
    const before = seen.get(name);
    if (before !== undefined) throw new CliError(`${file}:${header.line}: columns ${before + 1} and ${col + 1} are both named '${name}'`);
    seen.set(name, col);
  });
  const rows = all.slice(1);
  rows.forEach((r, i) => {
    if (r.fields.length !== columns.length) {
      throw new CliError(`${file}:${r.line}: row ${i + 1} has ${r.fields.length} values, the header has ${columns.length} columns`);
    }
  });
  return tableFromRows(
    file,
    columns,
    rows.map((r) => r.fields),
    rows.map((r) => r.line),
  );
}
