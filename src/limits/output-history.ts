/**
 * What each key produces with each model, lately: the output tokens of its last answers, so a budget
 * reservation prices a high percentile of them (capped by the request's `max_tokens`) rather than the most
 * a request may ask for. Kept in the process; an instance that has not seen a key yet starts from the cold
 * estimate of the admit stage.
 */
export class OutputHistory {
  private readonly seen = new Map<string, number[]>();

  constructor(
    /** Answers kept per key and model. */
    private readonly size = 50,
    /** The percentile priced (0.9: nine answers in ten fit their reservation). */
    private readonly share = 0.9,
    /** Keys and models followed at most; past it the history starts again. */
    private readonly maxKeys = 20_000,
  ) {}

  /** Notes one complete answer's output tokens. */
  note(who: string, model: string, outputTokens: number): void {
    if (!Number.isFinite(outputTokens) || outputTokens < 0) return;
    const k = `${who}\u0000${model}`;
    let list = this.seen.get(k);
    if (!list) {
      if (this.seen.size >= this.maxKeys) this.seen.clear();
      list = [];
      this.seen.set(k, list);
    }
    list.push(Math.ceil(outputTokens));
    if (list.length > this.size) list.shift();
  }

  /** The percentile of the recent answers' output tokens; undefined until three answers were seen. */
  estimate(who: string, model: string): number | undefined {
    const list = this.seen.get(`${who}\u0000${model}`);
    if (!list || list.length < 3) return undefined;
    const sorted = [...list].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(this.share * sorted.length) - 1)];
  }
}
