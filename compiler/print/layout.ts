// Line layout for printed code: no line longer than the limit. A long statement breaks at the
// shallowest level of brackets that has break points (after ` + ` in sums, after `, ` in
// argument lists), continuation lines indented; a long comment is cut.
//
//   wrapLine("  const s = a + b + … + z;", 40)  ->  ["  const s = a + b + …", "      + y + z;"]  (each ≤ 40)

/** The longest line generated code may have. */
export const MAX_LINE = 120;

/** Positions after which `line` may break, by bracket depth; never inside a string literal. */
function breakPoints(line: string): Map<number, number[]> {
  const byDepth = new Map<number, number[]>();
  let depth = 0;
  let quote: string | undefined;
  // In a doc comment quotes are prose (an apostrophe opens no string).
  const code = !/^\s*(\/\*|\*)/.test(line);
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== undefined) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (code && (c === '"' || c === "'" || c === "`")) quote = c;
    else if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if ((c === "+" && line[i - 1] === " " && line[i + 1] === " ") || (c === "," && line[i + 1] === " ")) {
      const at = byDepth.get(depth) ?? [];
      at.push(i + 1);
      byDepth.set(depth, at);
    }
  }
  return byDepth;
}

/** `line` as lines of at most `width` characters where it can break; a comment is cut with "...". */
export function wrapLine(line: string, width = MAX_LINE): string[] {
  if (line.length <= width) return [line];
  const lead = /^\s*/.exec(line)![0];
  if (/^\s*\/\//.test(line)) return [`${line.slice(0, width - 3).trimEnd()}...`];
  const points = breakPoints(line);
  const depths = [...points.keys()].sort((a, b) => a - b);
  if (depths.length === 0) return [line];
  const cuts = points.get(depths[0]!)!;
  const pieces: string[] = [];
  let start = 0;
  for (const cut of cuts) {
    pieces.push(line.slice(start, cut));
    start = cut + 1;
  }
  pieces.push(line.slice(start));
  const out: string[] = [];
  const indent = `${lead}    `;
  let current = pieces[0]!;
  for (const piece of pieces.slice(1)) {
    if (current.length + 1 + piece.length > width) {
      out.push(current);
      current = `${indent}${piece}`;
    } else current += ` ${piece}`;
  }
  out.push(current);
  // A piece still too long (one huge argument) breaks at its own next level.
  return out.flatMap((l) => (l.length > width && l !== line ? wrapLine(l, width) : [l]));
}
