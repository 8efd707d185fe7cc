// Changes to the middle of the compiler must not change a number: every case of cases.ts is
// compiled by today's compiler and probed (probe.ts), and must match what the compiler computed
// when recorded.json was written (tests/equivalence/record.ts), to 1e-12 relative. The
// JavaScript modules (`nnc -o model.js`) of every model, f64 and f32, must match them too.

import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.js";
import { relError } from "../helpers/fd.js";
import { importCode } from "../helpers/generated.js";
import { CASES, MODELS } from "./cases.js";
import recorded from "./recorded.json" with { type: "json" };
import { probeModule } from "./probe.js";

/** Every number in `actual` against `expected` at the same path; the first differences found. */
function differences(actual: unknown, expected: unknown, path: string, out: string[]): string[] {
  if (out.length >= 5) return out;
  if (typeof expected === "number" || typeof expected === "string") {
    // Non-finite numbers are recorded as strings ("NaN", "Infinity").
    const a = actual as number;
    const same = typeof expected === "string" ? String(a) === expected : typeof a === "number" && relError(a, expected) <= 1e-12;
    if (!same) out.push(`${path}: ${String(a)}, recorded ${String(expected)}`);
    return out;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return [...out, `${path}: length ${String((actual as unknown[] | undefined)?.length)}, recorded ${expected.length}`];
    expected.forEach((e, i) => differences(actual[i], e, `${path}[${i}]`, out));
    return out;
  }
  const a = actual as Record<string, unknown>;
  for (const [k, e] of Object.entries(expected as Record<string, unknown>)) differences(a[k], e, `${path}.${k}`, out);
  return out;
}

describe("generated modules compute what they computed when recorded", () => {
  it.each(CASES.map((c) => [c.key, c] as const))("%s", async (key, c) => {
    const { code } = await compile(MODELS[c.model]!, `${c.model}.nn`, c.options);
    const probe = probeModule(await importCode(code));
    expect(differences(probe, (recorded as Record<string, unknown>)[key], key, [])).toEqual([]);
  });

  const javascript = CASES.filter((c) => c.key.endsWith(" default") || c.key.endsWith(" f32"));
  it.each(javascript.map((c) => [c.key, c] as const))("%s, as JavaScript", async (key, c) => {
    const { code } = await compile(MODELS[c.model]!, `${c.model}.nn`, { ...c.options, language: "js" });
    const probe = probeModule(await importCode(code, "js"));
    expect(differences(probe, (recorded as Record<string, unknown>)[key], key, [])).toEqual([]);
  });

  it("would notice a changed number", () => {
    const key = CASES[0]!.key;
    const copy = structuredClone((recorded as Record<string, unknown>)[key]) as { loss: number[] };
    copy.loss[0] = copy.loss[0]! * (1 + 1e-11);
    expect(differences(copy, (recorded as Record<string, unknown>)[key], key, [])).toHaveLength(1);
  });
});
