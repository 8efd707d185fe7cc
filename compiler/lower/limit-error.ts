// A user error found while lowering: an option asks for kernels this model is too large for
// (`--unroll always` on a convolutional network, `--kernels wasm` past one WebAssembly memory).
// The message names the option and what to use instead; the CLI prints it as a user error (exit
// code 1, docs/errors.md C10 and C13), never as an internal one.

export class LimitError extends Error {}
