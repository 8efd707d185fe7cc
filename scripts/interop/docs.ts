// Rewrites the generated tables of docs/interop.md from the importers' and exporters' rows.
//
//   node --import tsx scripts/interop/docs.ts

import { readFileSync, writeFileSync } from "node:fs";
import { withTables } from "../../compiler/interop/tables.js";

const file = new URL("../../docs/interop.md", import.meta.url);
writeFileSync(file, withTables(readFileSync(file, "utf8")));
