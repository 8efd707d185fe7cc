// Comments in generated code that point back at the DSL. Source text is sanitized so
// that nothing from the model file can end a comment or break a line (no `*/`, no
// U+2028/U+2029, no control characters): the DSL can never inject code.

import type { Origin } from "../ir/node.js";

/** Printable ASCII only; everything else becomes `?`. `#` comments are dropped. */
export function safeText(text: string): string {
  // [\s\S], not `.`: a comment holding U+2028 must still be dropped whole.
  return safeName(text.replace(/#[\s\S]*$/, "").trim());
}

/** A file name (or other text with no `#` comment to drop) made safe the same way as safeText. */
export function safeName(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?").replace(/\*\//g, "* /");
}

/** The model file's name without its folders, as comments and headers show it. */
export function baseName(file: string): string {
  return file.replace(/^.*[\\/]/, "");
}

export function commentText(file: string, origin: Origin, gradient: boolean): string {
  // The file name keeps its `#` (a model may be run#2.nn); only DSL lines have comments to drop.
  const where = `${safeName(file)}:${origin.line}  ${safeText(origin.text)}`;
  return gradient ? `backward of ${where}` : where;
}
