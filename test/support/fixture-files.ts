import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The recorded fixtures shared by every checkout (../shared/fixtures). */
export const FIXTURES = join(import.meta.dirname, "..", "..", "..", "shared", "fixtures");

/** Every file under `dir`, at any depth. */
export function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}
