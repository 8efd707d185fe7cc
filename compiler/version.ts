// nnc's version, stamped into generated headers (kept in step with package.json by a test).
export const NNC_VERSION = "0.1.0";
