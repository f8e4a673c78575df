import type * as Prom from "prom-client";

/**
 * Label values in the order of the metric's label names; `undefined` leaves that label out of the series
 * (as a label prom-client is not given).
 */
export type LabelValues = readonly (string | undefined)[];

type Labels = Record<string, string>;

/** What prom-client's registry reads of a metric (`registry.metrics()`, and the cluster aggregation's JSON). */
interface MetricData {
  name: string;
  help: string;
  type: "counter" | "histogram";
  values: { labels: Labels; value: number; metricName?: string }[];
  aggregator: "sum";
}

/** The key of a label left out (no label value is this string: they are bounded names and numbers). */
const ABSENT = "\u0000";

/** Series by their label values, one level per label name. */
type Tree<S> = Map<string, Tree<S> | S>;

function labelsOf(names: readonly string[], values: LabelValues): Labels {
  const labels: Labels = {};
  for (let i = 0; i < names.length; i++) if (values[i] !== undefined) labels[names[i]!] = values[i]!;
  return labels;
}

/**
 * A metric of llmux's own series: counted into maps keyed by each label value in turn (the values are the
 * same few strings every time, whose hashes the engine keeps: a key joined from them would be hashed anew at
 * every lookup), so that the settle stage pays a few map lookups per observation. prom-client's own Counter and Histogram
 * validate every label and hash a sorted copy of the label object on every call (about 3.5% of a small
 * request's CPU). The registry reads it as it reads prom-client's metrics (`get()`), so the exposition, the
 * process metrics beside it and the workers' aggregation stay prom-client's.
 *
 * The label values are bounded by the caller (observe/labels.ts); a value that is not a finite number (or a
 * negative count) is not counted, where prom-client would throw in the settle stage.
 */
abstract class Series<S> {
  readonly aggregator = "sum";
  protected readonly tree: Tree<S> = new Map();
  protected readonly series: S[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    protected readonly labelNames: readonly string[],
    registry: Prom.Registry,
  ) {
    registry.registerMetric(this as unknown as Prom.Metric);
  }

  protected entry(values: LabelValues, make: (labels: Labels) => S): S {
    let node = this.tree;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      const k = values[i] ?? ABSENT;
      let next = node.get(k) as Tree<S> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(k, next);
      }
      node = next;
    }
    const k = values[last] ?? ABSENT;
    let s = node.get(k) as S | undefined;
    if (s === undefined) {
      s = make(labelsOf(this.labelNames, values));
      node.set(k, s);
      this.series.push(s);
    }
    return s;
  }

  reset(): void {
    this.tree.clear();
    this.series.length = 0;
  }

  abstract get(): Promise<MetricData>;
}

interface CounterSeries {
  labels: Labels;
  value: number;
}

export class SeriesCounter extends Series<CounterSeries> {
  readonly type = "counter";

  /** Adds `by` (default 1) to the series of these label values. */
  inc(values: LabelValues, by = 1): void {
    if (!(by >= 0 && by < Number.POSITIVE_INFINITY)) return;
    this.entry(values, (labels) => ({ labels, value: 0 })).value += by;
  }

  get(): Promise<MetricData> {
    const values = this.series.map((s) => ({ labels: s.labels, value: s.value }));
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }
}

interface HistogramSeries {
  labels: Labels;
  /** Observations per bucket (not cumulative); the last one is above every bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}

export class SeriesHistogram extends Series<HistogramSeries> {
  readonly type = "histogram";

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly buckets: readonly number[],
    registry: Prom.Registry,
  ) {
    super(name, help, labelNames, registry);
  }

  observe(values: LabelValues, v: number): void {
    if (!Number.isFinite(v)) return;
    const s = this.entry(values, (labels) => ({
      labels,
      counts: new Float64Array(this.buckets.length + 1),
      sum: 0,
      count: 0,
    }));
    let i = 0;
    while (i < this.buckets.length && v > this.buckets[i]!) i++;
    s.counts[i]!++;
    s.sum += v;
    s.count++;
  }

  /** As prom-client's Histogram: cumulative `_bucket` series with `le`, `+Inf`, then `_sum` and `_count`. */
  get(): Promise<MetricData> {
    const values: MetricData["values"] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.series) {
      let acc = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        acc += s.counts[i]!;
        values.push({ labels: { ...s.labels, le: String(this.buckets[i]) }, value: acc, metricName: bucket });
      }
      values.push({ labels: { ...s.labels, le: "+Inf" }, value: s.count, metricName: bucket });
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }
}
