import { availableParallelism } from "node:os";
import { configDefaults, defineConfig } from "vitest/config";
import { e2eFiles } from "./test/projects.js";
import { SlowFirst } from "./test/slow-first.js";

const e2e = e2eFiles();

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Test files share each worker's modules: imported once per worker, not once per file (31 s of imports in
    // a full run instead of ~310 s; 1,056 s → 823 s). Each file cleans up after itself (timers, servers, env,
    // module state); one that leaves state behind breaks another, in whatever order they run (test/README.md).
    isolate: false,
    reporters: ["default"],
    // One worker per core (vitest's default is one fewer: a single worker on a 2-core machine, while most
    // test files wait on child processes, sockets and databases rather than on the CPU). One more than cores
    // was tried: vitest took 965 and 973 s against 1,085 and 1,107 s with one per core, but the only red of those
    // runs came with it (a bound test; most likely its clock window, not the load), and more contention is a risk
    // to the tests that bound time. Left at one per core.
    maxWorkers: availableParallelism(),
    // The longest files first (test/slow-first.ts), so that none of them ends the run alone.
    sequence: { sequencer: SlowFirst },
    // Two projects (test/projects.ts, test/README.md): `unit` imports src/ and builds nothing; `e2e` runs the
    // built llmux command, a browser and the real coding tools, and builds first.
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...e2e],
          // A test that needs the build fails loudly here (test/support/e2e.ts).
          env: { LLMUX_TEST_PROJECT: "unit" },
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: e2e.length > 0 ? e2e : ["test/support/e2e.ts"],
          globalSetup: ["test/global-setup.ts"],
          env: { LLMUX_TEST_PROJECT: "e2e" },
        },
      },
    ],
  },
});
