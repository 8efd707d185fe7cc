// docs/interop.md's tables are the importers' and exporters' own rows: a row added to a table
// in the code and not to the page (or the other way round) fails here.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { interopTables, withTables } from "../../compiler/interop/tables.js";

const doc = readFileSync(new URL("../../docs/interop.md", import.meta.url), "utf8");

describe("docs/interop.md", () => {
  it("has every generated table, each as the code's rows make it (node --import tsx scripts/interop/docs.ts)", () => {
    for (const name of interopTables().keys()) expect(doc).toContain(`<!-- table: ${name} -->`);
    expect(doc).toBe(withTables(doc));
  });

  it("the check sees a stale table", () => {
    const stale = doc.replace("| Dropout | `dropout(x, rate)` |", "| Dropout | something else |");
    expect(stale).not.toBe(doc);
    expect(withTables(stale)).toBe(doc);
  });
});
