/**
 * How a test says it needs what only the e2e project provides: the build (dist/, the `llmux` command, the web
 * UI in dist/ui), a browser, or the real coding tools. The helpers that wrap those call `e2e(…)` when they are
 * loaded (test/support/built.ts, test/support/clients.ts, test/ui/support/browser.ts); a test that needs one
 * otherwise calls it itself. vitest.config.ts puts every test file that reaches this module, directly or
 * through its helpers, in the e2e project (test/projects.ts), and the others in the unit project, which builds
 * nothing: there the call throws, so a test that needs the build fails loudly instead of running an old one.
 */
export function e2e(what: string): void {
  if (process.env.LLMUX_TEST_PROJECT === "unit")
    throw new Error(
      `this test needs ${what}, which only the e2e project provides (the unit project builds nothing): ` +
        "reach test/support/e2e.ts from its file so that test/projects.ts puts it there",
    );
}
