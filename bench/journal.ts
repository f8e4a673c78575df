/**
 * The run's journal: every finished part of a run (one lane's cells of one run, one curve size, the RSS
 * samples of a phase, a later phase's figures) appended to a JSON-lines file as soon as it is done. A run that
 * stops half-way (a server that does not start in a late phase, Ctrl-C) is resumed by the next `npm run bench`
 * with the same options on the same build: what the journal holds is loaded, not measured again. A run that
 * completes deletes its journal; `--fresh` ignores one.
 */
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";

/** One line of the journal: a part's key and what it measured. */
interface Entry {
  key: string;
  value: unknown;
}

export class Journal {
  private readonly done = new Map<string, unknown>();
  /** Parts loaded from an earlier, interrupted run. */
  readonly resumed: number;

  /**
   * Opens `file` for a run described by `signature` (options, build): an existing journal of the same
   * signature is resumed, any other is replaced.
   */
  constructor(
    readonly file: string,
    signature: unknown,
    fresh = false,
  ) {
    const sig = createHash("sha256").update(JSON.stringify(signature)).digest("hex");
    let loaded = 0;
    if (!fresh && existsSync(file)) {
      const lines = readFileSync(file, "utf8").split("\n");
      if (lines[0] === JSON.stringify({ signature: sig })) {
        for (const line of lines.slice(1)) {
          if (!line) continue;
          try {
            const e = JSON.parse(line) as Entry;
            this.done.set(e.key, e.value);
            loaded++;
          } catch {
            // A line cut short by the interruption: that part is measured again.
          }
        }
      }
    }
    this.resumed = loaded;
    if (loaded === 0) writeFileSync(file, `${JSON.stringify({ signature: sig })}\n`);
  }

  has(key: string): boolean {
    return this.done.has(key);
  }

  get<T>(key: string): T | undefined {
    return this.done.get(key) as T | undefined;
  }

  /** Records a finished part (one line, appended at once). */
  put(key: string, value: unknown): void {
    this.done.set(key, value);
    appendFileSync(this.file, `${JSON.stringify({ key, value })}\n`);
  }

  /** The part's value from the journal, or `measure`'s, recorded. */
  async once<T>(key: string, measure: () => Promise<T>): Promise<T> {
    if (this.done.has(key)) return this.done.get(key) as T;
    const v = await measure();
    this.put(key, v);
    return v;
  }

  /** The run completed: the next one starts afresh. */
  finish(): void {
    rmSync(this.file, { force: true });
  }
}

/** A measured part with the share of the machine other processes used while it ran (percent). */
interface Disturbable {
  foreignCpuPct?: number | undefined;
}

/** The most other processes used during any of a part's measurements (0 when none was read). */
export function worstForeign(part: readonly Disturbable[]): number {
  let worst = 0;
  for (const p of part) if (p.foreignCpuPct !== undefined && p.foreignCpuPct > worst) worst = p.foreignCpuPct;
  return worst;
}

/**
 * The foreign-load guard across runs: a journaled part is taken back only when it was measured calm (other
 * processes below `noisyPct`); a disturbed one is measured again by the resumed run, and the calmer of the two
 * is kept (and journaled). `measure` returns the part's new measurements.
 */
export async function calmPart<T extends Disturbable>(
  journal: Journal | undefined,
  key: string,
  noisyPct: number,
  measure: () => Promise<T[]>,
): Promise<{ part: T[]; resumed: boolean }> {
  const kept = journal?.get<T[]>(key);
  if (kept && worstForeign(kept) <= noisyPct) return { part: kept, resumed: true };
  const fresh = await measure();
  const part = kept && worstForeign(kept) < worstForeign(fresh) ? kept : fresh;
  if (part === fresh) journal?.put(key, fresh);
  return { part, resumed: part === kept };
}
