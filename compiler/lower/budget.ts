// V8's optimization budget for generated functions. TurboFan never optimizes a function whose
// bytecode exceeds --max-optimized-bytecode-size (61,440 bytes in Node 20); such a function
// stays in the baseline tier and ran 25–30× slower here. We cannot ask V8 for bytecode sizes
// at compile time, so we count tokens: measured with --print-bytecode on nnc's own unrolled
// kernels (dense layers, softmax, penalties), bytecode was 2.0–3.8 bytes per token, growing
// with function size (register operands get wider past 128 locals). 13,000 tokens is at most
// ~49 KB of bytecode: optimizable, with a 20% margin. tests/perf checks the real status.
//
//   estimateTokens("const h_0 = p[0] * x[xo];")  // 12

/** Most tokens one generated function may have. */
export const FUNCTION_TOKEN_BUDGET = 13_000;

/** An unrolled block bigger than this is lowered as loops instead (large ops gain little from unrolling). */
export const UNROLLED_BLOCK_TOKENS = 4_000;

/** At most this many functions of unrolled code per kernel; past it, the largest blocks become loops. */
export const MAX_CHUNKS = 6;

const TOKEN = /[A-Za-z_$][\w$]*|\d+(?:\.\d+)?(?:e[+-]?\d+)?|[-+*/%=<>!&|?:^~]+|[()[\]{},;.]/g;

/** Tokens of JavaScript code, comments excluded. */
export function estimateTokens(lines: readonly string[]): number {
  let n = 0;
  for (const line of lines) {
    const code = line.replace(/\/\/.*$/, "");
    n += code.match(TOKEN)?.length ?? 0;
  }
  return n;
}
