// prettier over generated code, on request (`nnc --prettier`, compile({ format: true })): the
// emitter already lays its code out line by line, and loading prettier and formatting costs
// 1–2 s per compile (~0.3 s per 1,000 statements), twice nnc's whole compile time. Very large
// outputs are left as emitted even then.

const FORMAT_LIMIT_CHARS = 400_000;

export async function formatCode(code: string): Promise<string> {
  if (code.length > FORMAT_LIMIT_CHARS) return code;
  const prettier = await import("prettier");
  return prettier.format(code, { parser: "typescript", printWidth: 110, trailingComma: "all" });
}
