import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // One line at the end of the run when the browser tests were skipped (no Chromium found).
    globalSetup: ["tests/setup/browser-notice.ts"],
  },
});
