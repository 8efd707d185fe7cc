// Type-checks many generated modules in one TypeScript program under the strictest settings a
// user may have (STRICTEST: strict plus every extra check TypeScript offers, and
// erasableSyntaxOnly, so runtimes that only strip types run the module), with no DOM and no Node:
// loading the compiler and its libs once makes checking 20 modules cost little more than one.
//
//   await typeErrorsOfEach([codeA, codeB])   // [[], ["12: Cannot find name 'x'."]]

/** The strictest tsconfig: generated modules must type-check under it (and under anything laxer). */
export const STRICTEST = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noPropertyAccessFromIndexSignature: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitReturns: true,
  noImplicitOverride: true,
  noFallthroughCasesInSwitch: true,
  erasableSyntaxOnly: true,
} as const;

export async function typeErrorsOfEach(codes: readonly string[]): Promise<string[][]> {
  const { Project, ts } = await import("ts-morph");
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: {
      ...STRICTEST,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      lib: ["lib.es2022.d.ts"],
      noEmit: true,
      types: [],
    },
  });
  // console is the one host API a generated module may use (fit's verbose mode).
  project.createSourceFile("host.d.ts", "declare const console: { log(...args: unknown[]): void };");
  const files = codes.map((code, i) => project.createSourceFile(`m${i}.ts`, code));
  const diagnostics = project.getPreEmitDiagnostics();
  return files.map((sf) =>
    diagnostics
      .filter((d) => d.getSourceFile() === sf)
      .map((d) => `${d.getLineNumber() ?? "?"}: ${ts.flattenDiagnosticMessageText(d.getMessageText() as string, "\n")}`),
  );
}
