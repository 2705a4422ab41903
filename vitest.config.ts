import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        // Tests that run inside workerd, against the worker's own modules and bindings.
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ORIGIN_URL: `http://127.0.0.1:${inject<number>("originPort")}`,
                REFUSED_URL: `http://127.0.0.1:${inject<number>("refusedPort")}`,
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
