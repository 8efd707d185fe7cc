// The part of a generated module's gradient kernel (`gradSample`, or `gradRows` for batched
// models) that computes one parameter's gradient:
// the statements of its `// ∂loss/∂W` block and, transitively, the backward statements they
// read, exactly as emitted. Forward values it reads are listed rather than repeated.
//
//   sliceGradient(code, "W_h")  ->  { statements: ["// backward of parity.nn:12 …", "const dz_out_0 = …;", …],
//                                      forwardReads: ["h_0", "h_1", "z_out_0"] }

export interface Block {
  /** The block's `// …` comment, without the slashes. */
  comment: string;
  /** Whole statements (a multi-line statement is one string). */
  statements: string[];
}

export interface GradientSlice {
  blocks: Block[];
  /** Locals (or scratch buffers) computed by forward blocks that the slice reads. */
  forwardReads: string[];
}

/** The text of `function NAME(…) { … }` in a generated module, if it has one. */
function functionText(code: string, name: string): string | undefined {
  const start = code.indexOf(`\nfunction ${name}(`);
  if (start < 0) return undefined;
  return code.slice(start + 1, code.indexOf("\n}\n", start) + 2);
}

export interface GradKernel {
  /** gradSample (per sample) or gradRows (batched models). */
  name: string;
  /** Functions whose bodies compute the gradient, in order (gradSample_1, gradSample_2, … when split). */
  parts: string[];
  /** Every function of the kernel as emitted (the parts, then the function calling them). */
  text: string;
}

/** The gradient kernel of a generated module: per sample, possibly split into parts, or batched. */
export function gradKernel(code: string): GradKernel {
  for (const name of ["gradSample", "gradRows"]) {
    const main = functionText(code, name);
    if (!main) continue;
    const parts: string[] = [];
    for (let i = 1, part; (part = functionText(code, `${name}_${i}`)) !== undefined; i++) parts.push(part);
    return { name, parts: parts.length > 0 ? parts : [main], text: [...parts, main].join("\n") };
  }
  throw new Error("internal: no gradSample or gradRows in the generated module");
}

/** The gradient kernel's bodies as comment-headed blocks of statements. */
export function gradBlocks(code: string): Block[] {
  const blocks: Block[] = [];
  for (const part of gradKernel(code).parts) blocks.push(...bodyBlocks(part));
  return blocks;
}

function bodyBlocks(fn: string): Block[] {
  const lines = fn.split("\n").slice(1, -1);
  const blocks: Block[] = [];
  let current: Block | undefined;
  let pending: string[] = [];
  let depth = 0;
  for (const raw of lines) {
    const line = raw.replace(/^ {2}/, "");
    if (depth === 0 && pending.length === 0) {
      if (line.trim() === "") continue;
      if (line.startsWith("//")) {
        current = { comment: line.replace(/^\/\/\s*/, ""), statements: [] };
        blocks.push(current);
        continue;
      }
    }
    pending.push(line);
    for (const ch of line) depth += ch === "{" ? 1 : ch === "}" ? -1 : 0;
    const trimmed = line.trimEnd();
    if (depth === 0 && (trimmed.endsWith(";") || trimmed.endsWith("}"))) {
      if (!current) {
        current = { comment: "", statements: [] };
        blocks.push(current);
      }
      current.statements.push(pending.join("\n"));
      pending = [];
    }
  }
  return blocks;
}

const NOT_NAMES = new Set(["const", "let", "for", "if", "else", "return", "Math", "Infinity", "NaN", "true", "false"]);
const NAME = "[A-Za-z_$][\\w$]*";

/**
 * Storage a statement touches, as cells: `h_0` (a local), `s[12]` (one element at a literal
 * index) or `s` (a whole array: an element at a computed index, inside a loop).
 */
function cellOf(name: string, index: string | undefined): string {
  return index !== undefined && /^\d+$/.test(index.trim()) ? `${name}[${index.trim()}]` : name;
}

/** Cells a statement defines (const/let) or assigns, whole or by element (`buf[…] +=`). */
function writes(statement: string): Set<string> {
  const out = new Set<string>();
  for (const m of statement.matchAll(new RegExp(`\\b(?:const|let)\\s+(${NAME})`, "g"))) out.add(m[1]!);
  const assign = new RegExp(`(?<![.\\w$])(${NAME})(?:\\[([^\\]]*)\\])?\\s*(?:\\+=|-=|\\*=|\\/=|(?<![=!<>])=(?!=))`, "g");
  for (const m of statement.matchAll(assign)) out.add(cellOf(m[1]!, m[2]));
  return out;
}

/** Cells a statement reads (property names after `.` excluded). */
function reads(statement: string): Set<string> {
  const out = new Set<string>();
  for (const m of statement.matchAll(new RegExp(`(?<![.\\w$])(${NAME})(?:\\[([^\\]]*)\\])?`, "g"))) {
    if (!NOT_NAMES.has(m[1]!)) out.add(cellOf(m[1]!, m[2]));
  }
  return out;
}

/** Whether writing `cell` can provide `wanted`: equal, or either is the whole array. */
function provides(cell: string, wanted: Set<string>): boolean {
  if (wanted.has(cell)) return true;
  const bracket = cell.indexOf("[");
  if (bracket >= 0) return wanted.has(cell.slice(0, bracket));
  for (const w of wanted) if (w.startsWith(`${cell}[`)) return true;
  return false;
}

/** Whether a block comment marks backward code (its own gradient block or `backward of …`). */
const isBackward = (comment: string) => comment.startsWith("backward of ") || comment.startsWith("∂loss/∂");

/** The statements computing ∂loss/∂`param`, or undefined if the module has no such block. */
export function sliceGradient(code: string, param: string): GradientSlice | undefined {
  const blocks = gradBlocks(code);
  const target = blocks.find((b) => b.comment.startsWith(`∂loss/∂${param} `));
  if (!target) return undefined;
  // Walk statements backwards from the target, keeping those that write something needed.
  const flat = blocks.flatMap((b, bi) => b.statements.map((s) => ({ bi, s, w: writes(s), r: reads(s) })));
  const keep = new Set<number>();
  const needed = new Set<string>();
  const targetIndex = blocks.indexOf(target);
  flat.forEach((st, i) => {
    if (st.bi !== targetIndex) return;
    keep.add(i);
    for (const r of st.r) needed.add(r);
  });
  const firstTarget = flat.findIndex((st) => st.bi === targetIndex);
  for (let i = firstTarget - 1; i >= 0; i--) {
    const st = flat[i]!;
    // Other parameters' blocks only add into g; they compute nothing this one reads.
    if (blocks[st.bi]!.comment.startsWith("∂loss/∂")) continue;
    if (![...st.w].some((w) => provides(w, needed))) continue;
    keep.add(i);
    // Forward statements are listed by what they define, not followed further.
    if (isBackward(blocks[st.bi]!.comment)) for (const r of st.r) needed.add(r);
  }
  const out: Block[] = [];
  const forwardReads = new Set<string>();
  flat.forEach((st, i) => {
    if (!keep.has(i)) return;
    const block = blocks[st.bi]!;
    if (!isBackward(block.comment)) {
      for (const w of st.w) if (provides(w, needed)) forwardReads.add(w);
      return;
    }
    const last = out[out.length - 1];
    if (last && last.comment === block.comment) last.statements.push(st.s);
    else out.push({ comment: block.comment, statements: [st.s] });
  });
  // A whole buffer read covers its elements: list `s`, not also `s[17]`.
  const listed = [...forwardReads].filter((r) => !(r.includes("[") && forwardReads.has(r.slice(0, r.indexOf("[")))));
  return { blocks: out, forwardReads: listed };
}
