/**
 * count_tokens on a 1 MB body, against a running llmux: how long llmux takes to estimate it (the model's
 * upstream cannot count, so llmux tokenizes: in bounded pieces, sampling past 128 K characters, yielding
 * to the event loop) and how long `/health` waits meanwhile, probed back to back from this process. The
 * body is random ACGT, the worst case for a BPE tokenizer (one 1 MB "word"; before the estimate was bounded,
 * 128 KB of it took 20 s and 1 MB froze the process for minutes).
 */
import { writeFileSync } from "node:fs";
import { Pool } from "undici";
import { withServiceKey } from "./service-key.js";
import { summarize } from "./stats.js";

export interface CountTokensCost {
  /** Body size in bytes. */
  bytes: number;
  /** Milliseconds per count, one per round. */
  countMs: number[];
  /** /health latency while the counts ran, in ms. */
  health: { p50: number; p99: number; max: number; n: number };
  /** The count llmux answered (input_tokens), for the record. */
  inputTokens: number;
}

function acgt(n: number): string {
  const letters = "ACGT";
  const out = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = letters.charCodeAt((x >> 16) & 3);
  }
  return out.toString("latin1");
}

/** Measures `rounds` counts of a 1 MB body on `model` at `origin` (an estimated count: no Anthropic upstream). */
export async function measureCountTokens(origin: string, model: string, rounds = 3): Promise<CountTokensCost> {
  const bytes = 1024 * 1024;
  const body = Buffer.from(JSON.stringify({ model, messages: [{ role: "user", content: acgt(bytes) }] }));
  const counter = new Pool(origin, { connections: 1 });
  const prober = new Pool(origin, { connections: 1 });
  const countMs: number[] = [];
  const health: number[] = [];
  let inputTokens = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      let done = false;
      const t0 = performance.now();
      const count = counter
        .request({
          path: "/v1/messages/count_tokens",
          method: "POST",
          headers: withServiceKey({ "content-type": "application/json", "anthropic-version": "2023-06-01" }),
          body,
        })
        .then(async (r) => {
          const json = (await r.body.json()) as { input_tokens?: number };
          if (r.statusCode !== 200 || typeof json.input_tokens !== "number")
            throw new Error(`count_tokens answered ${r.statusCode}: ${JSON.stringify(json).slice(0, 200)}`);
          countMs.push(performance.now() - t0);
          inputTokens = json.input_tokens;
        })
        .finally(() => {
          done = true;
        });
      while (!done) {
        const t = performance.now();
        const r = await prober.request({ path: "/health", method: "GET" });
        await r.body.arrayBuffer();
        if (!done) health.push(performance.now() - t);
      }
      await count;
    }
  } finally {
    await counter.close();
    await prober.close();
  }
  const s = summarize(health);
  return { bytes, countMs, health: { p50: s.p50, p99: s.p99, max: s.max, n: s.n }, inputTokens };
}

/** The figures in one line, for the progress log. */
export function countTokensLine(r: CountTokensCost): string {
  return `count_tokens, 1 MB: ${r.countMs.map((v) => `${v.toFixed(0)} ms`).join(", ")}; /health meanwhile p50 ${r.health.p50.toFixed(2)} ms, p99 ${r.health.p99.toFixed(2)} ms, max ${r.health.max.toFixed(2)} ms (${r.health.n} probes)`;
}

/** The figures as a short Markdown report (for --count-tokens-only). */
export function writeCountTokensReport(file: string, r: CountTokensCost): void {
  writeFileSync(
    file,
    [
      "# count_tokens on a 1 MB body",
      "",
      "Random ACGT (the worst case for a BPE tokenizer), estimated by llmux (the model's upstream cannot count),",
      "with `/health` probed back to back on another connection while each count runs.",
      "",
      "| | |",
      "|---|---|",
      `| count time, per round | ${r.countMs.map((v) => `${v.toFixed(0)} ms`).join(", ")} |`,
      `| /health meanwhile: p50 / p99 / max (${r.health.n} probes) | ${r.health.p50.toFixed(2)} / ${r.health.p99.toFixed(2)} / ${r.health.max.toFixed(2)} ms |`,
      `| input_tokens answered | ${r.inputTokens} |`,
      "",
    ].join("\n"),
  );
}
