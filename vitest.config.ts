import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    reporters: ["default"],
    // One worker per core (vitest's default is one fewer: a single worker on a 2-core machine, while most
    // test files wait on child processes, sockets and databases rather than on the CPU).
    maxWorkers: availableParallelism(),
  },
});
