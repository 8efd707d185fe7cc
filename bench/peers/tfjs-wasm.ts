// TensorFlow.js' WebAssembly backend (@tensorflow/tfjs-backend-wasm: XNNPACK, SIMD) for the
// bench's "TensorFlow.js wasm (SIMD, f32)" peer: the same tfjs-layers network as peers/tfjs.ts,
// on this backend instead of the cpu one. In Node the backend cannot find its .wasm binaries by
// itself: setWasmPaths points it at the package's dist/ folder (they ship inside the package,
// nothing is downloaded). One thread: the threaded binary needs SharedArrayBuffer workers.
//
//   await useWasm();   // then tfjsNet(...) as with the cpu backend; useCpu() switches back

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

let pathsSet = false;

/** Switches tfjs to its wasm backend; throws unless it loaded the SIMD binary (the peer the bench names). */
export async function useWasm(): Promise<void> {
  if (!pathsSet) {
    const pkg = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/package.json");
    setWasmPaths(`${join(dirname(pkg), "dist")}/`);
    pathsSet = true;
  }
  if (!(await tf.setBackend("wasm"))) throw new Error("TensorFlow.js: the wasm backend failed to load");
  await tf.ready();
  if ((await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) !== true) throw new Error("TensorFlow.js wasm: no SIMD support in this host (the bench's peer is the SIMD binary)");
}
