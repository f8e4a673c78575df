import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The test files that take longest, longest first (seconds in a fresh clone's CI run on a 2-core machine:
 * 124, 103, 78, 45). Started before all others: a long file that starts late ends the run alone while the other
 * worker idles (a checkout has no duration cache, so vitest orders files by size, and the 1.4 kB
 * budget-pg-hang.test.ts, 78 s, came among the last).
 */
export const SLOW_FILES = [
  "test/clients/real-clients.test.ts",
  "test/project/readme-commands.test.ts",
  "test/many/budget-pg-hang.test.ts",
  "test/many/three-instances.test.ts",
];

/** Vitest's order (project, failed, longer or larger first), the slow files moved to the front. */
export class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOW_FILES.findIndex((s) => f.moduleId.endsWith(s));
      return i < 0 ? SLOW_FILES.length : i;
    };
    // Array#sort is stable: the other files keep vitest's order.
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}
