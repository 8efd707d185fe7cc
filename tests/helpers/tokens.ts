// An independent token count of printed JavaScript, to check what lower/budget.ts estimates
// from the Program: every name, number, operator run and bracket, comments excluded.

const TOKEN = /[A-Za-z_$][\w$]*|\d+(?:\.\d+)?(?:e[+-]?\d+)?|[-+*/%=<>!&|?:^~]+|[()[\]{},;.]/g;

export function tokensOfText(lines: readonly string[]): number {
  let n = 0;
  for (const line of lines) n += line.replace(/\/\/.*$/, "").match(TOKEN)?.length ?? 0;
  return n;
}
