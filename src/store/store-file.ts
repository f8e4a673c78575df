import { chmodSync, closeSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import { dirname } from "node:path";

/** The store's path cannot be used: said at start, not as failing requests later. */
export class StoreFileError extends Error {}

const SQLITE_HEADER = "SQLite format 3\u0000";

/**
 * Makes sure the store file can be used, without opening the database: its directory exists (created 0700),
 * the file exists and is writable (created 0600: it holds the envelope secret and conversations), and a
 * file that is already there is an SQLite database. Throws StoreFileError naming the path otherwise.
 */
export function prepareStoreFile(path: string): void {
  if (path === ":memory:") return;
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === "EEXIST" || e.code === "ENOTDIR"
        ? `its directory '${dir}' cannot be made: a part of it is a file, not a directory`
        : `cannot create its directory '${dir}' (${e.code ?? e.message})`;
    throw new StoreFileError(`store.path '${path}': ${why}`);
  }
  let fd: number;
  try {
    fd = openSync(path, "a+", 0o600);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "EISDIR")
      throw new StoreFileError(
        `store.path '${path}' is a directory: it names the database file, e.g. ${path}/llmux.db`,
      );
    throw new StoreFileError(`store.path '${path}' cannot be opened for writing (${e.code ?? e.message})`);
  }
  try {
    if (statSync(path).size > 0) {
      const head = Buffer.alloc(16);
      readSync(fd, head, 0, 16, 0);
      if (head.toString("latin1") !== SQLITE_HEADER)
        throw new StoreFileError(`store.path '${path}' exists and is not an SQLite database`);
    }
  } finally {
    closeSync(fd);
  }
  // Files made by earlier versions kept the process's umask: tighten them too.
  try {
    chmodSync(path, 0o600);
  } catch {
    // not ours to change (another user's file we may still write): leave it
  }
}
