// Names of any length make modules that parse, type-check and compute the model: the printer
// may cut a comment to keep lines short, never code. (Once a buffer's declaration line was cut
// at 117 characters with its comment: `const aaaa…aaa...` and a module that did not parse.)
// The code's own names stay short and readable whatever the model's are (once a value named with
// 300 letters gave buffers `sub_z_ooo…` of 306 characters, and every use of one a line of its own).

import { describe, expect, it } from "vitest";
import { compile, lowerSource } from "../../compiler/compile.js";
import { namesUsed } from "../../compiler/ir/code.js";
import { MAX_HINT } from "../../compiler/lower/namer.js";
import { STRATEGIES, agreement } from "../helpers/agree.js";
import { importCode } from "../helpers/generated.js";
import { typeErrorsOfEach } from "../helpers/typecheck.js";

const long = (letter: string, length: number) => letter.repeat(length);
const [MODEL, INPUT, TARGET, HIDDEN, SCALED, OUT] = [long("m", 200), long("x", 210), long("y", 220), long("h", 230), long("s", 260), long("o", 300)];
// Differs from HIDDEN only in the middle: shortened, the two names would be one.
const HIDDEN2 = `${long("h", 115)}2${long("h", 114)}`;

const SOURCE = `model ${MODEL}
input ${INPUT}[6]
target ${TARGET}[2]
${HIDDEN} = dense(${INPUT}, 4, relu)
${HIDDEN2} = dense(${INPUT}, 4, tanh)
${SCALED} = ${HIDDEN} * 2 + ${HIDDEN2}
${OUT} = dense(${SCALED}, 2)
loss mse(${OUT}, ${TARGET})
optimizer sgd(lr = 0.1)
`;

describe("names of 200 characters and more", () => {
  it("give modules that type-check and compute the model, in every strategy", async () => {
    const codes: string[] = [];
    for (const [name, options] of STRATEGIES) {
      const { compiled, errors } = await agreement(SOURCE, "long.nn", options);
      expect(Math.max(errors.predict, errors.loss, errors.grad), name).toBeLessThan(1e-12);
      codes.push(compiled.code);
    }
    const diagnostics = await typeErrorsOfEach(codes);
    STRATEGIES.forEach(([name], i) => expect(diagnostics[i], name).toEqual([]));
  });

  it.each(STRATEGIES)("give kernels whose own names are short and keep the value's start and end, lowered %s", (_name, options) => {
    const { program } = lowerSource(SOURCE, "long.nn", options);
    const names = new Set(program.buffers.map((b) => b.name));
    for (const fn of program.functions) for (const n of [...namesUsed(fn.body), ...fn.params.map(([p]) => p)]) names.add(n);
    // MAX_HINT, then a clash's number or an element's index (`_12`).
    const tooLong = [...names].filter((n) => n.length > MAX_HINT + 6);
    expect(tooLong.map((n) => `${n.slice(0, 40)}… (${n.length})`)).toEqual([]);
    // The hidden layer's pre-activation: z_, its name's start, its end.
    expect([...names].some((n) => /^z_h+__h+\d*(_\d+)?$/.test(n))).toBe(true);
  });

  it("give JavaScript modules that load, in every strategy", async () => {
    for (const [name, options] of STRATEGIES) {
      const { code } = await compile(SOURCE, "long.nn", { ...options, language: "js" });
      const mod = await importCode(code, "js");
      expect(mod.model.name, name).toBe(MODEL);
    }
  });
});
