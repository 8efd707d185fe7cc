// Names of any length make modules that parse, type-check and compute the model: the printer
// may cut a comment to keep lines short, never code. (Once a buffer's declaration line was cut
// at 117 characters with its comment: `const aaaa…aaa...` and a module that did not parse.)

import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.js";
import { STRATEGIES, agreement } from "../helpers/agree.js";
import { importCode } from "../helpers/generated.js";
import { typeErrorsOfEach } from "../helpers/typecheck.js";

const long = (letter: string, length: number) => letter.repeat(length);
const [MODEL, INPUT, TARGET, HIDDEN, SCALED, OUT] = [long("m", 200), long("x", 210), long("y", 220), long("h", 230), long("s", 260), long("o", 300)];

const SOURCE = `model ${MODEL}
input ${INPUT}[6]
target ${TARGET}[2]
${HIDDEN} = dense(${INPUT}, 4, relu)
${SCALED} = ${HIDDEN} * 2 + 1
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

  it("give JavaScript modules that load, in every strategy", async () => {
    for (const [name, options] of STRATEGIES) {
      const { code } = await compile(SOURCE, "long.nn", { ...options, language: "js" });
      const mod = await importCode(code, "js");
      expect(mod.model.name, name).toBe(MODEL);
    }
  });
});
