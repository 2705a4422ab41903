import type { TestProject } from "vitest/node";
import { portOf, startEchoOrigin } from "../../scripts/echo-origin";

declare module "vitest" {
  export interface ProvidedContext {
    originPort: number;
  }
}

/** Starts the echo origin for workerd tests (refused connections are tested in test/node/safety-faults.test.ts). */
export default async function setup(project: TestProject) {
  const origin = await startEchoOrigin();
  project.provide("originPort", portOf(origin));
  return async () => {
    origin.closeAllConnections();
    await new Promise<void>((r) => origin.close(() => r()));
  };
}
