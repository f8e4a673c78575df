import { defineConfig } from "vite";

/**
 * The web UI: built into dist/ui and served by llmux at /ui (src/admin/ui-static.ts). JSX is compiled by
 * Vite's own transformer (React's automatic runtime); everything is bundled, nothing is fetched at run time.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: "/ui/",
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic" } },
  build: {
    outDir: "../dist/ui",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
    rolldownOptions: {
      // Libraries marked "use client" (for React server components) are bundled for the browser as they are.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
});
