// TensorFlow.js on its pure-JavaScript cpu backend, for the tests that compare against it, and
// quiet: on first use the cpu backend prints a "looks like you are running TensorFlow.js in
// Node.js … install tfjs-node" banner (once per test file, so 9 times a run). Production mode
// silences tfjs' warnings and changes nothing else (the PROD flag only gates its console output).
// Every test imports tfjs through here (tests/oracle/quiet.test.ts checks).

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";

tf.enableProdMode();

export { tf };
