// The generated module's WebAssembly glue (`--kernels wasm`), from the Program's WebAssembly part
// (lower/wasm/offload.ts): before the API, the object holding the memory and the compiled code
// (runtime/wasm.ts) and the staging areas, views of that memory; after the kernels, the type of
// the WebAssembly functions, one wrapper per entry kernel that puts the arrays its products use
// into the memory (unless they are there already) and calls it, and the code itself as base64.
//
//   function gradRows(p: Vec, X: Vec, Y: Vec, n: number, g: Vec, rng: Rng, outputs: Vec): number {
//     if (jsKernels(wasmKernels)) return gradRowsInMemory(p, X, Y, n, g, rng, outputs);
//     const pStaged = inMemory(p, 101770, STAGE_PARAMS);   …

import type { Entry, Stage, WasmPart } from "../lower/wasm/part.js";
import { wrapLine } from "../print/layout.js";
import { encodeModule } from "../print/wasm/encode.js";

export interface WasmGlue {
  /** Declarations before the API (the API's `core` and `init` use them). */
  head: string;
  /** Declarations after the kernels. */
  tail: string;
  /** Statements after the runtime helpers (which they use). */
  end?: string;
  runtimeCalls: string[];
  runtimeTypes: string[];
}

/** Bytes as base64 (the encoding decodeBase64 in runtime/wasm.ts reads). */
export function base64(bytes: Uint8Array): string {
  const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += digits[(n >> 18) & 63]! + digits[(n >> 12) & 63]! + (b === undefined ? "=" : digits[(n >> 6) & 63]!) + (c === undefined ? "=" : digits[n & 63]!);
  }
  return out;
}

function wrapper(entry: Entry, part: WasmPart, typed: boolean): string {
  const params = entry.params.map(([n, t]) => (typed ? `${n}: ${t}` : n)).join(", ");
  const call = (args: string[]) => `${entry.kernel}(${args.join(", ")})`;
  const names = entry.params.map(([n]) => n);
  const staged = entry.staged.map((param) => part.stages.find((s) => s.param === param)!);
  const length = (s: (typeof staged)[number]) => (s.perRow === undefined ? String(s.length) : `n * ${s.perRow}`);
  const lines = [
    `/** ${entry.name} with the arrays its WebAssembly functions use in their memory (copied there unless they are). */`,
    ...wrapLine(`function ${entry.name}(${params})${typed ? `: ${entry.returns}` : ""} {`),
    `  if (jsKernels(${part.object})) return ${call(names)};`,
    ...staged.map((s) => `  const ${s.param}Staged = ${s.arrays === undefined ? `inMemory(${s.param}, ${length(s)}, ${s.view})` : `stateInMemory(${s.param}, ${s.view})`};`),
  ];
  const args = names.map((n) => (entry.staged.includes(n) ? `${n}Staged` : n));
  const copyOut = staged
    .filter((s) => s.copyOut || entry.writes.includes(s.param))
    .map((s) => (s.arrays === undefined ? `  fromMemory(${s.param}, ${length(s)}, ${s.param}Staged);` : `  stateFromMemory(${s.param}, ${s.param}Staged);`));
  if (entry.returns === "void") lines.push(`  ${call(args)};`, ...copyOut);
  else if (copyOut.length === 0) lines.push(`  return ${call(args)};`);
  else lines.push(`  const result = ${call(args)};`, ...copyOut, `  return result;`);
  return [...lines, `}`, ``].join("\n");
}

/** A staging area's view, or an array of views (one per state array, each on 16 bytes). */
function stageViews(s: Stage, object: string, bytes: number): string {
  const view = (offset: number) => `new VecArray(${object}.buffer, ${offset}, ${s.length})`;
  if (s.arrays === undefined) return view(s.offset);
  const stride = Math.ceil((s.length * bytes) / 16) * 16;
  return `[${Array.from({ length: s.arrays }, (_, k) => view(s.offset + k * stride)).join(", ")}]`;
}

export function wasmGlue(part: WasmPart, model: string, typed: boolean): WasmGlue {
  const { module, object, arena } = part;
  const state = part.stages.some((s) => s.arrays !== undefined);
  const type = typed ? `: WasmKernels<WasmExports>` : "";
  const head = [
    `/**`,
    ` * The WebAssembly kernels (--kernels wasm): their memory (${module.pages} pages of 64 KiB: the kernels' buffers, staging`,
    ` * areas and room for ${arena.slots} parameter vectors) and their code (wasmCode(), at the end of the kernels), compiled`,
    ` * when the module loads where the host allows it, else in the background: in a browser, await ready() first.`,
    ` */`,
    `const ${object}${type} = loadWasmKernels(${JSON.stringify(model)}, ${module.pages}, wasmCode(), ${arena.offset}, ${arena.slots}, ${arena.slotBytes});`,
    ``,
    `// Where an entry kernel copies an array that is not in the memory already.`,
    ...part.stages.flatMap((s) => wrapLine(`const ${s.view}${s.arrays !== undefined && typed ? ": Vec[]" : ""} = ${stageViews(s, object, part.precision === "f64" ? 8 : 4)};`)),
  ].join("\n");
  // After the runtime helpers (stateArrays is one of them).
  const end = state
    ? [
        `// The optimizers' state arrays, which the fused step's WebAssembly updates read, go into the memory too.`,
        `stateArrays.allocate = (size${typed ? ": number" : ""}) => arrayInMemory(${object}, size);`,
        ``,
      ].join("\n")
    : undefined;
  const exportsType = typed
    ? [
        `/** The WebAssembly functions (products, row loops, the step's passes): arrays as byte offsets in the memory. */`,
        `interface WasmExports {`,
        ...module.functions.flatMap((f) => wrapLine(`  ${f.name}(${f.params.map(([n]) => `${n}: number`).join(", ")}): ${f.result ? "number" : "void"};`)),
        `}`,
        ``,
      ]
    : [];
  const code = base64(encodeModule(module));
  const chunks = code.match(/.{1,100}/g) ?? [""];
  const tail = [
    `// WebAssembly glue: the entry kernels as the API calls them, and the WebAssembly code.`,
    ``,
    ...exportsType,
    ...part.entries.map((e) => wrapper(e, part, typed)),
    `/** The WebAssembly module, base64 (\`nnc MODEL.nn --kernels wasm --emit wat\` prints it as text). */`,
    `function wasmCode()${typed ? ": string" : ""} {`,
    `  return (`,
    chunks.map((c) => `    "${c}"`).join(" +\n"),
    `  );`,
    `}`,
  ].join("\n");
  return {
    head,
    tail,
    ...(end ? { end } : {}),
    runtimeCalls: ["loadWasmKernels", "jsKernels", "inMemory", "fromMemory", "paramsInMemory", ...(state ? ["stateArrays", "arrayInMemory", "stateInMemory", "stateFromMemory"] : [])],
    runtimeTypes: ["WasmKernels", "KernelsInUse"],
  };
}
