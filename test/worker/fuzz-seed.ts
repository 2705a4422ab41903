import { env } from "cloudflare:test";
import fc from "fast-check";

// Property tests run from a fixed seed so CI is repeatable; explore others with
// `FUZZ_SEED=<n> npm test` (any integer), or `FUZZ_SEED=random`.
const seed = (env as unknown as { FUZZ_SEED?: string }).FUZZ_SEED ?? "20261128";
if (seed !== "random") fc.configureGlobal({ seed: Number(seed) });
