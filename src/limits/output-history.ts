import type { Data } from "../data/data.js";
import { recentOutputTokens } from "../data/output-history.js";

/** How long a key's history read from the ledger is trusted before it is read again. */
const FRESH_MS = 60_000;

/**
 * What each key produces with each model, lately: the output tokens of its last complete answers, read from
 * the ledger (so every instance, and a process just started, knows them) and kept up here between reads as
 * answers settle. A request's realistic estimate prices a high percentile of them (capped by its
 * `max_tokens`); with fewer than three answers known, the admit stage's cold estimate stands.
 */
export class OutputHistory {
  private readonly seen = new Map<string, { list: number[]; readAt: number; reading?: boolean }>();

  constructor(
    private readonly data: Data | undefined,
    /** Answers kept per key and model. */
    private readonly size = 50,
    /** The percentile priced (0.9: nine answers in ten fit it). */
    private readonly share = 0.9,
    /** Keys and models followed at most; past it the history starts again. */
    private readonly maxKeys = 20_000,
  ) {}

  private entry(who: string, model: string) {
    const k = `${who}\u0000${model}`;
    let e = this.seen.get(k);
    if (!e) {
      if (this.seen.size >= this.maxKeys) this.seen.clear();
      e = { list: [], readAt: 0 };
      this.seen.set(k, e);
    }
    return e;
  }

  /** Notes one complete answer's output tokens. */
  note(who: string, model: string, outputTokens: number): void {
    if (!Number.isFinite(outputTokens) || outputTokens < 0) return;
    const e = this.entry(who, model);
    e.list.push(Math.ceil(outputTokens));
    if (e.list.length > this.size) e.list.shift();
  }

  /**
   * The percentile of the recent answers' output tokens; undefined until three answers are known. A key's
   * ledger history is read in the background when not read lately (never waited for).
   */
  estimate(who: string, model: string, keyId?: string): number | undefined {
    const e = this.entry(who, model);
    const t = Date.now();
    if (this.data && keyId !== undefined && !e.reading && t - e.readAt > FRESH_MS) {
      e.reading = true;
      recentOutputTokens(this.data, keyId, model, this.size).then(
        (rows) => {
          // The ledger's, oldest first (what settled here since is read at the next refresh).
          e.list = rows.reverse();
          e.readAt = Date.now();
          e.reading = false;
        },
        () => {
          e.readAt = Date.now();
          e.reading = false;
        },
      );
    }
    const list = e.list;
    if (list.length < 3) return undefined;
    const sorted = [...list].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(this.share * sorted.length) - 1)];
  }

  /** Reads a key's history from the ledger now (a test, or a caller that may wait). */
  async load(who: string, model: string, keyId: string): Promise<void> {
    if (!this.data) return;
    const e = this.entry(who, model);
    e.list = (await recentOutputTokens(this.data, keyId, model, this.size)).reverse();
    e.readAt = Date.now();
  }
}
