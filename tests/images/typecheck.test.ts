// Generated image-model modules type-check alone under the strictest settings (STRICTEST in
// tests/helpers/typecheck.ts: strict and every extra check): every model of
// tests/images/models.ts batched; per-sample, those whose kernels are unrolled, mixed, split or
// have an image output; two in f32 (Float32Array storage). All checked in one TypeScript program.

import { describe, expect, it } from "vitest";
import { compile, type CompileOptions } from "../../compiler/compile.js";
import { typeErrorsOfEach } from "../helpers/typecheck.js";
import { IMAGE_MODELS } from "./models.js";

const PER_SAMPLE = new Set(["conv_valid", "conv_dilated", "pools_same", "image_out", "cnn"]);
const F32 = new Set(["pools_same", "cnn"]);

describe("generated image-model modules", () => {
  it("type-check under the strictest settings, batched, per-sample and in f32", async () => {
    const variants = IMAGE_MODELS.flatMap((m) => {
      const options: CompileOptions[] = [{ batch: "always" }];
      if (PER_SAMPLE.has(m.name)) options.push({ batch: "never" });
      if (F32.has(m.name)) options.push({ precision: "f32" }, { batch: "never", unroll: "never", precision: "f32" });
      return options.map((o) => ({ m, o }));
    });
    const compiled = await Promise.all(variants.map(async ({ m, o }) => ({ label: `${m.name} ${JSON.stringify(o)}`, code: (await compile(m.source, `${m.name}.nn`, o)).code })));
    const errors = await typeErrorsOfEach(compiled.map((c) => c.code));
    const failing = compiled.map((c, i) => ({ label: c.label, errors: errors[i]!.slice(0, 3) })).filter((c) => c.errors.length > 0);
    expect(failing).toEqual([]);
    expect(compiled.filter((c) => c.code.includes("type Vec = Float32Array")).length).toBe(2 * F32.size);
  }, 120_000);
});
