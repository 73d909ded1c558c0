import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests that spawn the CLI or servers share build/ and ports; files run in parallel, tests in a file in order.
    pool: "forks",
  },
});
