/**
 * llmux's own metric series (src/observe/series.ts) against prom-client's Counter and Histogram as the oracle:
 * the same observations into both, each registry rendered and read back by an independent Prometheus text
 * parser, and the workers' aggregation (prom-client's AggregatorRegistry) of two registries of each.
 */
import { describe, expect, it } from "vitest";
import { loadProm } from "../../src/observe/metrics.js";
import { SeriesCounter, SeriesHistogram } from "../../src/observe/series.js";
import { Scrape } from "../support/prometheus.js";

const prom = loadProm();
const BUCKETS = [0.01, 0.1, 1, 10];
const NAMES = ["alias", "provider", "error_type"];

type Obs = [string, string, string | undefined, number];

/** Observations with values on bucket bounds, between them, above all of them, and a label left out. */
const OBSERVATIONS: Obs[] = [
  ["a", "p", undefined, 0.01],
  ["a", "p", undefined, 0.05],
  ["a", "p", "timeout", 1],
  ["b", "p", undefined, 11],
  ["a", "p", undefined, 0],
  ["b", "q", "500", 0.1],
  ["a", "p", undefined, 3],
];

function ours(obs: Obs[]) {
  const registry = new prom.Registry();
  const c = new SeriesCounter("x_total", "A counter.", NAMES, registry);
  const h = new SeriesHistogram("x_seconds", "A histogram.", NAMES, BUCKETS, registry);
  for (const [a, p, e, v] of obs) {
    c.inc([a, p, e], v);
    h.observe([a, p, e], v);
  }
  return registry;
}

function reference(obs: Obs[]) {
  const registry = new prom.Registry();
  const registers = [registry];
  const c = new prom.Counter({ name: "x_total", help: "A counter.", labelNames: NAMES, registers });
  const h = new prom.Histogram({
    name: "x_seconds",
    help: "A histogram.",
    labelNames: NAMES,
    buckets: BUCKETS,
    registers,
  });
  for (const [alias, provider, error_type, v] of obs) {
    const labels = error_type === undefined ? { alias, provider } : { alias, provider, error_type };
    c.inc(labels, v);
    h.observe(labels, v);
  }
  return registry;
}

/** Every sample of both families, as parsed, in a stable order. */
async function samples(text: string) {
  const s = await Scrape.parse(text);
  const key = (x: { labels: Record<string, string> }) => JSON.stringify(Object.entries(x.labels).sort());
  return ["x_total", "x_seconds"].map((n) => s.samples(n).sort((a, b) => key(a).localeCompare(key(b))));
}

describe("llmux's metric series", () => {
  it("render the same samples as prom-client's Counter and Histogram given the same observations", async () => {
    const got = await samples(await ours(OBSERVATIONS).metrics());
    const want = await samples(await reference(OBSERVATIONS).metrics());
    expect(got[0]!.length).toBe(4);
    expect(got[1]!.length).toBe(4);
    expect(got).toEqual(want);
  });

  it("sum across workers as prom-client's aggregation does", async () => {
    const half = Math.floor(OBSERVATIONS.length / 2);
    const split = [OBSERVATIONS.slice(0, half), OBSERVATIONS.slice(half)];
    const aggregate = async (make: (o: Obs[]) => InstanceType<typeof prom.Registry>) =>
      prom.AggregatorRegistry.aggregate(await Promise.all(split.map((o) => make(o).getMetricsAsJSON()))).metrics();
    const got = await samples(await aggregate(ours));
    expect(got).toEqual(await samples(await aggregate(reference)));
    expect(got).toEqual(await samples(await reference(OBSERVATIONS).metrics()));
  });

  it("count no value that is not a finite number, nor a negative count", async () => {
    const registry = new prom.Registry();
    const c = new SeriesCounter("y_total", "A counter.", ["k"], registry);
    const h = new SeriesHistogram("y_seconds", "A histogram.", ["k"], BUCKETS, registry);
    c.inc(["a"], 2);
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, -1]) c.inc(["a"], v);
    h.observe(["a"], 0.5);
    h.observe(["a"], Number.NaN);
    const s = await Scrape.parse(await registry.metrics());
    expect(s.samples("y_total", { k: "a" })[0]!.value).toBe(2);
    expect(s.samples("y_seconds", { k: "a" })[0]!.count).toBe(1);
  });
});
