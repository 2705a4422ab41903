import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Quiet when passing: one line per file; a test is listed on its own only when it fails or takes
    // over a minute (the load and rotation tests print their own figures).
    slowTestThreshold: 60_000,
    projects: [
      {
        // Tests that run inside workerd, against the worker's own modules and bindings.
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ORIGIN_URL: `http://127.0.0.1:${inject<number>("originPort")}`,
                FUZZ_SEED: process.env.FUZZ_SEED ?? "20261128",
              },
            },
          })),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          globalSetup: ["test/support/origin-setup.ts"],
          setupFiles: ["test/worker/fuzz-seed.ts"],
          testTimeout: 30_000,
        },
      },
      {
        // Tests that run in Node: the build step, and independent JOSE verifiers.
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
