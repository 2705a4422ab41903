import { createServer } from "node:net";
import type { TestProject } from "vitest/node";
import { portOf, startEchoOrigin } from "../../scripts/echo-origin";

declare module "vitest" {
  export interface ProvidedContext {
    originPort: number;
    refusedPort: number;
  }
}

/** Starts the echo origin for workerd tests and finds a port that refuses connections. */
export default async function setup(project: TestProject) {
  const origin = await startEchoOrigin();
  // Bind then close a listener: its port is free and refuses connections.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const refusedPort = portOf(probe as never);
  await new Promise<void>((r) => probe.close(() => r()));
  project.provide("originPort", portOf(origin));
  project.provide("refusedPort", refusedPort);
  return async () => {
    origin.closeAllConnections();
    await new Promise<void>((r) => origin.close(() => r()));
  };
}
