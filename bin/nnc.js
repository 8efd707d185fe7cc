#!/usr/bin/env node
// The `nnc` command. nnc is written in TypeScript and runs through tsx's loader, so it works
// straight after `npm install` with no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../compiler/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
