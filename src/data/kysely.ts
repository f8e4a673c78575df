/**
 * Kysely, as llmux's code imports it (values and types): every import of a Kysely value goes through this
 * module. The build (scripts/vendor-bundle.mjs) replaces its compiled form with Kysely bundled into this one
 * file: loaded as its 262 modules, Kysely cost a freshly started llmux about 11 MB more memory than bundled
 * (each ES module costs its records and compiled code whatever its size). Type-only imports may name "kysely".
 */
export * from "kysely";
