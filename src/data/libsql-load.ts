import { createRequire } from "node:module";
import type DatabaseType from "libsql";

const require = createRequire(import.meta.url);

export type LibcFamily = "glibc" | "musl";

let found: LibcFamily | null | undefined;

/**
 * libsql's loader picks its native build (glibc or musl) by asking Node for a whole diagnostic report
 * (`process.report.getReport()`, @neon-rs/load) and reads one field of it: whether the header names a glibc
 * version. Made in every thread that loads libsql (the main thread and the SQLite writer thread), that report
 * costs ~7 ms and ~0.9 MB of resident memory that stays (the report's module, and the pages of every shared
 * library it reads). detect-libc (the same package libsql itself asks next) answers the same question from
 * the ELF interpreter of the running binary, reading 2 kB.
 *
 * The family (found once per process), or null when detect-libc cannot tell (libsql then asks for its report
 * as before).
 */
export function libcFamily(): LibcFamily | null {
  if (found === undefined) {
    if (process.platform !== "linux") found = null;
    else {
      const { familySync, GLIBC, MUSL } = require("detect-libc") as typeof import("detect-libc");
      const family = familySync();
      found = family === GLIBC ? "glibc" : family === MUSL ? "musl" : null;
    }
  }
  return found;
}

/**
 * Runs `load` with `process.report` answering what libsql's loader reads of it: a header with a glibc
 * version on glibc, none on musl. The real `process.report` is back when `load` returns or throws; with no
 * family known, `load` just runs. The SQLite writer thread runs this function's own source (its program in
 * sqlite-writer.ts), told the family found here: it must name nothing outside itself.
 */
export function withLibcAnswer<T>(family: LibcFamily | null, load: () => T): T {
  const real = Object.getOwnPropertyDescriptor(process, "report");
  if (family === null || real === undefined || !real.configurable) return load();
  // The loaders read only whether the header names a version (a truthy one), not which.
  const header = family === "glibc" ? { glibcVersionRuntime: "unknown" } : {};
  Object.defineProperty(process, "report", { configurable: true, get: () => ({ getReport: () => ({ header }) }) });
  try {
    return load();
  } finally {
    Object.defineProperty(process, "report", real);
  }
}

/** libsql's Database class, loaded without its report (above). */
export function loadLibsql(): typeof DatabaseType {
  return withLibcAnswer(libcFamily(), () => require("libsql") as typeof DatabaseType);
}
