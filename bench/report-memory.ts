/** The report's memory section: RSS of each process over the run, the leak check, and the open-streams probe. */
import { type Emit, mb, table } from "./report-format.js";
import { type BenchResults, targetLabel } from "./types.js";

export function renderMemory(r: BenchResults, p: Emit): void {
  const m = r.meta;
  // --- memory
  p("### Memory (RSS)");
  p();
  const rssTargets = [...new Set(r.rss.map((s) => s.target))];
  const phases = [...new Set(r.rss.map((s) => s.phase))];
  p(
    "RSS of each long-running process: after the checks of every lane at start (which include the 500 kB and 1 MB " +
      "bodies) and 1 s after each run's lanes, before its body-size curve (which only llmux and the proxy serve). " +
      "RSS read this way includes garbage and heap capacity V8 keeps, so the leak " +
      "check runs a fresh llmux with an inspector (`--inspect`) through every lane again and again (c = 16) and reads " +
      "its RSS and V8 heap after a forced full GC after each round: what it really holds. *fresh*: a newly started " +
      "process without inspector, as shipped, at start-up and after 20 small requests (the idle figures).",
  );
  p();
  p(
    table(
      ["process", ...phases],
      rssTargets.map((t) => [
        t === "direct" ? "mock upstream" : targetLabel(t, r.meta),
        ...phases.map((ph) => {
          const x = r.rss.find((s) => s.target === t && s.phase === ph);
          if (!x) return "–";
          return x.heapUsedKb === undefined ? mb(x.rssKb) : `${mb(x.rssKb)} (heap ${mb(x.heapUsedKb)})`;
        }),
      ]),
    ),
  );
  p();
  if (r.streams.length > 0) {
    p(
      `Concurrent open streams: ${m.streamsCount} streaming requests (small Messages body) held open at once, the mock ` +
        "pacing them so that they stay open; RSS read while they are open.",
    );
    p();
    p(
      "Each gateway is freshly started twice. As shipped: RSS at start-up, and idle after 20 small requests. Then " +
        "with an inspector (to force full GCs): idle after 20 requests, with the streams open, and 2 s after they are " +
        "released; and RSS and V8 heap after a full GC, idle and with the streams open. *Per open stream* = " +
        "(open − idle) ÷ open streams (requests sent and not finished, whether or not bytes had arrived). The " +
        "variant with team features on runs on an llmux of its own, started the same way with the team lanes' " +
        "configuration on SQLite (the request log on, the model priced), its requests carrying a key minted with a " +
        "budget and an rpm limit: each open stream holds its budget hold, its rate-limit slot and its journalled " +
        "admission.",
    );
    p();
    const perKb = (a: number, b: number, n: number) => `${((a - b) / n).toFixed(1)} KB`;
    p(
      table(
        [
          "gateway",
          "variant",
          "streams receiving bytes / open",
          "RSS start-up",
          "RSS idle",
          "RSS open",
          "per open stream",
          "after full GC: RSS idle → open",
          "per open stream (GC)",
          "heap per open stream (GC)",
          "RSS after release",
          "note",
        ],
        r.streams.map((s) => [
          targetLabel(s.target, r.meta),
          s.variant,
          `${s.streaming} / ${s.opened}${s.errors ? ` (${s.errors} failed)` : ""}`,
          mb(s.startKb),
          mb(s.idleKb),
          mb(s.openKb),
          perKb(s.openKb, s.idleKb, s.count),
          s.gc ? `${mb(s.gc.idle.rssKb)} → ${mb(s.gc.open.rssKb)}` : "–",
          s.gc ? perKb(s.gc.open.rssKb, s.gc.idle.rssKb, s.count) : "–",
          s.gc ? perKb(s.gc.open.heapUsedKb, s.gc.idle.heapUsedKb, s.count) : "–",
          mb(s.afterKb),
          s.note ?? "",
        ]),
      ),
    );
    p();
  }
}
