// An independent token count of printed JavaScript (or TypeScript, whose erased `!` it skips), to check
// what lower/budget.ts estimates from the Program: every name, number, operator run and bracket, no comments.

const TOKEN = /[A-Za-z_$][\w$]*|\d+(?:\.\d+)?(?:e[+-]?\d+)?|[-+*/%=<>!&|?:^~]+|[()[\]{},;.]/g;

export function tokensOfText(lines: readonly string[]): number {
  let n = 0;
  // `a[i]!` is TypeScript's non-null assertion: erased before V8 sees the code, so not counted.
  for (const line of lines) n += line.replace(/\/\/.*$/, "").replace(/\]!/g, "]").match(TOKEN)?.length ?? 0;
  return n;
}
