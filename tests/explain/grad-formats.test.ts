// `nnc grad --format ts|ir` and --wrt: the code shown is the module's own code, sliced to
// what one parameter's gradient needs; unknown parameters get a clear error.

import { describe, expect, it, vi } from "vitest";
import { gradReport } from "../../compiler/cli/grad-command.js";
import { main } from "../../compiler/cli/main.js";
import { analyze, compile, lowerSource } from "../../compiler/compile.js";
import { gradFunctions, sliceComments, sliceGradient } from "../../compiler/explain/code-slice.js";
import { EXAMPLE_MODELS, model } from "./helpers.js";

describe("nnc grad --format ts", () => {
  it("shows exactly the backward statements ∂loss/∂W_h needs, as emitted", async () => {
    const m = model("parity");
    const text = await gradReport(m.source, m.file, { format: "ts", wrt: "W_h" });
    const { code } = await compile(m.source, m.file);
    const statements = text.split("\n").filter((l) => l !== "" && !l.startsWith("//"));
    for (const s of statements) expect(code).toContain(`  ${s}`);
    expect(text).toContain("// ∂loss/∂W_h [2, 1]");
    // δz_out, δh and δz_h feed it; other parameters' blocks and forward statements do not appear.
    expect(text).toMatch(/backward of parity\.nn:12/);
    expect(text).toMatch(/backward of parity\.nn:10/);
    expect(text).toMatch(/backward of parity\.nn:9/);
    expect(text).not.toMatch(/∂loss\/∂(b_h|W_out|b_out)/);
    expect(text).toMatch(/Forward values they read, computed earlier in gradSample: \S/);
  });

  it("slices by data flow: ∂loss/∂W_out does not need δh", () => {
    const m = model("parity");
    const { program } = lowerSource(m.source, m.file);
    const slice = sliceGradient(program, "W_out")!;
    expect(sliceComments(slice)).toEqual(["backward of parity.nn:12  loss binary_crossentropy(out, y)", "∂loss/∂W_out [1, 2]"]);
  });

  it("slices loop-lowered code too", () => {
    const m = model("xor");
    const { program } = lowerSource(m.source, m.file, { unroll: "never" });
    const slice = sliceGradient(program, "W1")!;
    const comments = sliceComments(slice);
    expect(comments[comments.length - 1]).toBe("∂loss/∂W1 [8, 2]");
    expect(comments.filter((c) => c.startsWith("∂loss/∂"))).toHaveLength(1);
    expect(comments.some((c) => c.startsWith("backward of xor.nn:11"))).toBe(true);
  });

  it("slices a kernel split into several functions across its parts", async () => {
    const m = model("mnist");
    const { program } = lowerSource(m.source, m.file, { batch: "never" });
    expect(gradFunctions(program).length).toBeGreaterThan(2);
    const text = await gradReport(m.source, m.file, { format: "ts", wrt: "b_out" });
    for (const p of ["W_h", "b_out"]) {
      const comments = sliceComments(sliceGradient(program, p)!);
      expect(comments[comments.length - 1]).toMatch(new RegExp(`^∂loss/∂${p} `));
      expect(comments.filter((c) => c.startsWith("∂loss/∂"))).toHaveLength(1);
    }
    expect(text).toContain("// ∂loss/∂b_out [10]");
  });

  it("slices batched kernels: row loops and matrix products, only what the parameter needs", async () => {
    const m = model("mnist");
    const { program } = lowerSource(m.source, m.file);
    expect(program.batched).toBe(true);
    const comments = sliceComments(sliceGradient(program, "W_out")!);
    expect(comments).toEqual(["backward of mnist.nn:13  loss categorical_crossentropy(out, y)", "∂loss/∂W_out [10, 128]  (Σ over the batch)"]);
    const text = await gradReport(m.source, m.file, { format: "ts", wrt: "W_h" });
    // δz_h needs δd (from δz_out through W_out) and the dropout mask; no other gradient's sink.
    expect(text).toMatch(/dz_h\[b \* 128 \+ i\d+\] = dd\[b \* 128 \+ i\d+\]! \* mask0\[/);
    expect(text).not.toMatch(/∂loss\/∂(b_h|W_out|b_out)/);
    expect(text).toMatch(/Forward values they read, computed earlier in gradRows: .*mask0/);
    // Every statement as the module has it (lines wrap by their indentation, so compare with whitespace collapsed).
    const flat = (s: string) => s.replace(/\s+/g, " ");
    const code = flat((await compile(m.source, m.file)).code);
    for (const line of text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("//"))) expect(code).toContain(flat(line.trim()));
  });

  it("slices a batched CNN: ∂loss/∂K_c1 through the transposed convolution, the max pooling's routing and the patches' product", async () => {
    const m = model("cnn");
    const { program } = lowerSource(m.source, m.file);
    expect(program.batched).toBe(true);
    const text = await gradReport(m.source, m.file, { format: "ts", wrt: "K_c1" });
    const comments = sliceComments(sliceGradient(program, "K_c1")!);
    // Every layer from the loss down to c1 (conv2d's input gradient is a product then a row loop: line 9 twice), then the sink; no other sink.
    expect(comments.map((c) => /^(backward of cnn\.nn:\d+|∂loss\/∂\S+)/.exec(c)?.[1])).toEqual([
      "backward of cnn.nn:15",
      "backward of cnn.nn:13",
      "backward of cnn.nn:12",
      "backward of cnn.nn:10",
      "backward of cnn.nn:9",
      "backward of cnn.nn:9",
      "backward of cnn.nn:9",
      "backward of cnn.nn:8",
      "backward of cnn.nn:7",
      "∂loss/∂K_c1",
    ]);
    expect(text).toContain("// ∂loss/∂K_c1 [3, 3, 1, 4]  (Σ over the batch)");
    expect(text).toMatch(/Forward values they read, computed earlier in gradRows: .*\bpatches_img\b/);
    // The sink is the product of the image's patches with δz_c1 over every row's positions.
    expect(text).toMatch(/patches_img\[ra\d+ \+ k\d+ \* 9\]!/);
    expect(text).toMatch(/dz_c1\[rb\d+ \+ k\d+ \* 4\]!/);
    // ∂loss/∂K_c2 stops at line 9: it needs neither the pooling's routing nor δz_c1.
    const k2 = sliceComments(sliceGradient(program, "K_c2")!);
    expect(k2.some((c) => /cnn\.nn:[78]\b/.test(c))).toBe(false);
    const flat = (s: string) => s.replace(/\s+/g, " ");
    const code = flat((await compile(m.source, m.file)).code);
    for (const line of text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("//"))) expect(code).toContain(flat(line.trim()));
  });

  it.each([...EXAMPLE_MODELS, model("cnn")])("shows code for every parameter of $file (batched kernels whole)", async (m) => {
    const { model: built } = analyze(m.source, m.file);
    for (const p of built.params) {
      const text = await gradReport(m.source, m.file, { format: "ts", wrt: p.name });
      expect(text).toContain(`// ∂loss/∂${p.name} [${p.shape.join(", ")}]`);
    }
  });

  it("without --wrt prints the whole gradient kernel, as the module has it", async () => {
    const m = model("xor");
    const text = await gradReport(m.source, m.file, { format: "ts" });
    expect(text).toMatch(/^\/\/ xor: the gradient kernel/);
    expect(text).toContain("function gradSample(");
    const { code } = await compile(m.source, m.file);
    expect(code).toContain(text.slice(text.indexOf("function gradSample(")).trimEnd());
  });
});

describe("nnc grad --format ir and errors", () => {
  it("prints the simplified gradient graph of one parameter", async () => {
    const m = model("parity");
    const text = await gradReport(m.source, m.file, { format: "ir", wrt: "W_out" });
    expect(text).toContain("dz_out:[1] = sub out y");
    expect(text).toContain("dW_out:[1, 2] = outer dz_out h");
    expect(text).toMatch(/outputs: dW_out=dW_out\n$/);
  });

  it("names the parameters when --wrt is unknown, and rejects unknown formats", async () => {
    const m = model("parity");
    await expect(gradReport(m.source, m.file, { wrt: "Wh" })).rejects.toThrow(
      "--wrt: 'Wh' is not a parameter of parity; did you mean 'W_h'? (parameters: W_h, b_h, W_out, b_out)",
    );
    await expect(gradReport(m.source, m.file, { format: "latex" })).rejects.toThrow("--format must be one of math, ts, ir, got 'latex'");
  });

  it("reports errors in the model file with file:line:column through the CLI", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await main(["grad", "tests/explain/models/does-not-exist.nn"])).toBe(1);
      expect(String(err.mock.calls[0]![0])).toMatch(/cannot read .*no such file/);
    } finally {
      err.mockRestore();
    }
    await expect(gradReport("model m\ninput x[2]\ntarget y[1]\nout = dense(x, 1, sigmoidd)\nloss mse(out, y)\n", "m.nn")).rejects.toThrow(/m\.nn:4:19/);
  });
});
