// Type-checks many generated modules in one TypeScript program (strict, no DOM, no Node):
// loading the compiler and its libs once makes checking 20 modules cost little more than one.
//
//   await typeErrorsOfEach([codeA, codeB])   // [[], ["12: Cannot find name 'x'."]]

export async function typeErrorsOfEach(codes: readonly string[]): Promise<string[][]> {
  const { Project, ts } = await import("ts-morph");
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: {
      strict: true,
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
