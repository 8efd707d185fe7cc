// `--kernels wasm` in a web page (docs/wasm.md): headless Chromium (see tests/helpers/browser.ts;
// skipped without one) imports the JavaScript module from a page served over HTTP. Chromium 156
// compiles its 6 KB of WebAssembly synchronously on the main thread (browsers that refuse, as
// Chrome long did past 4 KB, get the background compilation and the R12 error before ready():
// simulated in tests/robustness/wasm-errors.test.ts); after `await ready()` ("wasm": Chromium
// has SIMD) the page trains and predicts and gets what Node gets with the same module: iris (its
// products in WebAssembly) and a small CNN (its row loops too: im2col, relu, pooling; lower/wasm/rows.ts).

import { readFileSync } from "node:fs";
import { describe, expect } from "vitest";
import { compile } from "../../compiler/compile.js";
import { ROOT } from "../../scripts/examples.js";
import { itWithBrowser, launchChromium, pageErrors } from "../helpers/browser.js";
import { importCode } from "../helpers/generated.js";

const IRIS = {
  name: "iris",
  source: readFileSync(`${ROOT}dsl-examples/iris.nn`, "utf8"),
  X: [
    [5.1, 3.5, 1.4, 0.2],
    [6.2, 2.9, 4.3, 1.3],
    [6.3, 3.3, 6.0, 2.5],
  ],
  Y: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
};

const CNN = {
  name: "small_cnn",
  source: `model small_cnn
input  img[8, 8, 2]
target y[3]

c1  = conv2d(img, 4, 3, padding = "same", activation = relu)
p1  = max_pool2d(c1, 2)
f   = flatten(p1)
out = dense(f, 3, softmax)

loss categorical_crossentropy(out, y)
optimizer adam(lr = 0.01)
`,
  X: [0, 1, 2].map((r) => Array.from({ length: 128 }, (_, i) => Math.sin(r * 7 + i * 0.37))),
  Y: IRIS.Y,
};

const page = (name: string, X: number[][], Y: number[][]) => `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>${name}</title></head>
  <body>
    <script type="module">
      import { fit, init, predictBatch, ready } from "./${name}.js";
      let early = "no error";
      try {
        predictBatch(init(1), ${JSON.stringify(X)});
      } catch (e) {
        early = e.message;
      }
      const kernels = await ready();
      const params = init(1);
      const history = fit(params, ${JSON.stringify(X)}, ${JSON.stringify(Y)}, { epochs: 5, batchSize: 2, seed: 1 });
      window.result = { early, kernels, loss: history.history.loss, predictions: Array.from(predictBatch(params, ${JSON.stringify(X)})) };
    </script>
  </body>
</html>`;

describe("nnc MODEL.nn -o MODEL.js --kernels wasm in a browser", () => {
  itWithBrowser("loads, resolves ready() with \"wasm\", then trains and predicts as in Node (iris, and a CNN with row loops in WebAssembly)", async () => {
    for (const { name, source, X, Y } of [IRIS, CNN]) await inBrowser(name, source, X, Y);
  });
});

async function inBrowser(name: string, source: string, X: number[][], Y: number[][]): Promise<void> {
  const { code } = await compile(source, `${name}.nn`, { language: "js", kernels: "wasm" });
  if (name === CNN.name) expect(code).toMatch(/exports\.\w+_loop\d+\(/);
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage();
    const errors = pageErrors(tab);
    await tab.route("http://nnc.test/**", (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === "/index.html") return route.fulfill({ contentType: "text/html", body: page(name, X, Y) });
      if (path === `/${name}.js`) return route.fulfill({ contentType: "text/javascript", body: code });
      return route.fulfill({ status: 404, body: "" });
    });
    await tab.goto("http://nnc.test/index.html");
    const result = (await tab.waitForFunction(() => (window as unknown as { result?: unknown }).result, undefined, { timeout: 20_000 }).then((h) => h.jsonValue())) as {
      early: string;
      kernels: string;
      loss: number[];
      predictions: number[];
    };
    expect(errors).toEqual([]);
    // Either a prediction works at once, or it says to await ready(): never a wrong number.
    expect(result.early).toMatch(new RegExp(`^(no error|${name}: its WebAssembly kernels are still compiling: await ready\\(\\) before the first prediction.*)$`));
    expect(result.kernels).toBe("wasm");
    const mod = (await importCode(code, "js")) as Awaited<ReturnType<typeof importCode>> & { ready(): Promise<string> };
    expect(await mod.ready()).toBe("wasm");
    const params = mod.init(1);
    const history = mod.fit(params, X, Y, { epochs: 5, batchSize: 2, seed: 1 });
    result.loss.forEach((l, i) => expect(l).toBeCloseTo(history.history.loss[i]!, 12));
    const expected = Array.from(mod.predictBatch(params, X));
    result.predictions.forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 12));
  } finally {
    await browser.close();
  }
}
