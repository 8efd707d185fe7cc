// The JavaScript module (`nnc model.nn -o model.js`) loads in a web page as it is, with
// `<script type="module">` and no build step: headless Chromium or Chrome (found by
// scripts/find-browser.ts; skipped without one, see tests/helpers/browser.ts) imports it from a
// page served over HTTP, trains and predicts, and gets Node's numbers.

import { describe, expect } from "vitest";
import { compile } from "../../compiler/compile.js";
import { readFileSync } from "node:fs";
import { ROOT } from "../../scripts/examples.js";
import { itWithBrowser, launchChromium, pageErrors } from "../helpers/browser.js";
import { importCode } from "../helpers/generated.js";

const PAGE = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>parity</title></head>
  <body>
    <script type="module">
      import { fit, init, model, predictBatch } from "./parity.js";
      const params = init(1);
      const history = fit(params, [[0], [2], [4], [6], [8]], [[0], [1], [1], [1], [0]], { epochs: 5, batchSize: 5 });
      window.result = { name: model.name, loss: history.history.loss, predictions: Array.from(predictBatch(params, [[1], [3]])) };
    </script>
  </body>
</html>`;

describe("nnc MODEL.nn -o MODEL.js in a browser", () => {
  itWithBrowser("imports with <script type=module>, trains and predicts as in Node", async () => {
    const { code } = await compile(readFileSync(`${ROOT}dsl-examples/parity.nn`, "utf8"), "parity.nn", { language: "js" });
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      const errors = pageErrors(tab);
      // A page and the module as a web server would serve them (module scripts need HTTP, not file://).
      await tab.route("http://nnc.test/**", (route) => {
        const path = new URL(route.request().url()).pathname;
        if (path === "/index.html") return route.fulfill({ contentType: "text/html", body: PAGE });
        if (path === "/parity.js") return route.fulfill({ contentType: "text/javascript", body: code });
        return route.fulfill({ status: 404, body: "" });
      });
      await tab.goto("http://nnc.test/index.html");
      const result = (await tab.waitForFunction(() => (window as unknown as { result?: unknown }).result, undefined, { timeout: 20_000 }).then((h) => h.jsonValue())) as {
        name: string;
        loss: number[];
        predictions: number[];
      };
      expect(errors).toEqual([]);
      const mod = await importCode(code, "js");
      const params = mod.init(1);
      const history = mod.fit(params, [[0], [2], [4], [6], [8]], [[0], [1], [1], [1], [0]], { epochs: 5, batchSize: 5 });
      expect(result.name).toBe("parity");
      expect(result.loss).toHaveLength(5);
      // Math.exp and Math.log are the same fdlibm code in every V8, but allow for another engine's last bit.
      result.loss.forEach((l, i) => expect(l).toBeCloseTo(history.history.loss[i]!, 12));
      const expected = Array.from(mod.predictBatch(params, [[1], [3]]));
      result.predictions.forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 12));
    } finally {
      await browser.close();
    }
  });
});
