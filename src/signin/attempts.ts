/**
 * Wrong user codes per client address (RFC 8628 §5.1: the verification page limits guessing): at most `max`
 * in a window of `windowMs`; kept by this instance, in memory, for that window only.
 */
export class CodeAttempts {
  private readonly seen = new Map<string, number[]>();

  constructor(
    private readonly max = 10,
    private readonly windowMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(address: string): number[] {
    const since = this.now() - this.windowMs;
    const list = (this.seen.get(address) ?? []).filter((t) => t > since);
    if (list.length === 0) this.seen.delete(address);
    else this.seen.set(address, list);
    return list;
  }

  /** Whether this address may try a code now. */
  allowed(address: string): boolean {
    return this.recent(address).length < this.max;
  }

  /** Forgets every address (an operator's reset; tests). */
  forget(): void {
    this.seen.clear();
  }

  /** Notes a wrong code from this address. */
  wrong(address: string): void {
    if (this.seen.size > 50_000) this.seen.clear();
    this.seen.set(address, [...this.recent(address), this.now()]);
  }
}
