import { getMetricsFromIterator, type PromMetric, type PromMetrics } from "prom2javascript";

/** One sample of a parsed metric: a value (counter, gauge) or buckets, count and sum (histogram). */
export interface Sample {
  labels: Record<string, string>;
  value?: number;
  buckets?: Record<string, number>;
  count?: number;
  sum?: number;
}

/** A scrape of /metrics, parsed by prom2javascript (an independent parser of the Prometheus text format). */
export class Scrape {
  private constructor(
    readonly text: string,
    readonly families: PromMetrics,
  ) {}

  static async parse(text: string): Promise<Scrape> {
    // prom-client writes a gauge with no sample yet (event-loop lag right after a reset) as `Nan`, which
    // Prometheus reads as NaN; prom2javascript reads no NaN at all, so those lines are left out.
    const lines = text.split("\n").filter((l) => !/ Nan$/i.test(l));
    return new Scrape(text, await getMetricsFromIterator(lines[Symbol.iterator]()));
  }

  family(name: string): PromMetric {
    const f = this.families[name];
    if (!f) throw new Error(`no metric ${name} in the scrape`);
    return f;
  }

  has(name: string): boolean {
    return this.families[name] !== undefined;
  }

  /** The samples of a metric whose labels include `match`. */
  samples(name: string, match: Record<string, string> = {}): Sample[] {
    return (this.family(name).data as Sample[]).filter((m) =>
      Object.entries(match).every(([k, v]) => m.labels[k] === v),
    );
  }

  /** The sum of a counter's or gauge's values over the samples that match. */
  sum(name: string, match: Record<string, string> = {}): number {
    return this.samples(name, match).reduce((n, m) => n + (m.value ?? 0), 0);
  }

  /** The sum of a histogram's observation counts over the samples that match. */
  count(name: string, match: Record<string, string> = {}): number {
    return this.samples(name, match).reduce((n, m) => n + (m.count ?? 0), 0);
  }
}
