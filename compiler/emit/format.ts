// prettier over generated code, where it pays: it takes ~0.3 s per 1,000 statements, so
// very large outputs (loop-lowered big models are small anyway) are left as emitted,
// which is already laid out line by line.

const FORMAT_LIMIT_CHARS = 400_000;

export async function formatCode(code: string): Promise<string> {
  if (code.length > FORMAT_LIMIT_CHARS) return code;
  const prettier = await import("prettier");
  return prettier.format(code, { parser: "typescript", printWidth: 110, trailingComma: "all" });
}
