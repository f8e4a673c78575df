/**
 * What translation costs in input tokens: a 20-turn Codex-shaped conversation (the recorded Codex request,
 * then a tool call and its ~2 KB output per turn) sent through llmux's Responses route to an Anthropic-format
 * fake that keeps a prompt cache as Anthropic does (a prefix is written at each cache_control breakpoint and
 * read back at a later breakpoint, or up to 20 blocks before one) and bills it: input $3/M, cache writes
 * $3.75/M, cache reads $0.30/M. Once with llmux's breakpoints (`cache: auto`), once without (`cache: off`),
 * against the ideal a client that knew the upstream reaches (each turn reads everything the turn before
 * sent, and writes only what is new).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pino } from "pino";
import { parseConfig } from "../src/config/load.js";
import { Gateway } from "../src/server/gateway.js";
import { FIXTURES, fixturesDir } from "./lanes.js";
import type { PromptCacheCost } from "./types.js";

// biome-ignore lint/suspicious/noExplicitAny: wire bodies, read freely
type Body = Record<string, any>;

const TURNS = 20;
const PRICE = { input: 3, write: 3.75, read: 0.3 };
const LOOKBACK = 20;
const tokens = (v: unknown) => Math.ceil(JSON.stringify(v).length / 4);

/** The prompt as Anthropic caches it: tools, then system blocks, then each message's blocks, in order. */
function blocksOf(body: Body): { block: unknown; marked: boolean }[] {
  const out: { block: unknown; marked: boolean }[] = [];
  const push = (b: Body) => out.push({ block: b, marked: b?.cache_control != null });
  for (const t of body.tools ?? []) push(t);
  for (const s of Array.isArray(body.system) ? body.system : body.system ? [{ text: body.system }] : []) push(s);
  for (const m of body.messages ?? [])
    for (const b of typeof m.content === "string" ? [{ text: m.content }] : m.content) push({ role: m.role, ...b });
  return out;
}

/** An Anthropic-format fake with a prompt cache; `billed` sums what it charged. */
class CachingFake {
  private readonly cached = new Set<string>();
  readonly billed = { input: 0, write: 0, read: 0 };
  /** Each request's whole prompt, in tokens. */
  readonly totals: number[] = [];
  server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const u = this.bill(JSON.parse(raw) as Body);
      res.writeHead(200, { "content-type": "text/event-stream" });
      const ev = (type: string, data: Body) =>
        res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
      ev("message_start", {
        message: { id: "msg_1", type: "message", role: "assistant", model: "claude-sonnet-4-5", content: [], usage: u },
      });
      ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
      ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "ok" } });
      ev("content_block_stop", { index: 0 });
      ev("message_delta", { delta: { stop_reason: "end_turn" }, usage: { ...u, output_tokens: 1 } });
      ev("message_stop", {});
      res.end();
    });
  });

  private bill(body: Body) {
    const blocks = blocksOf(body);
    const hashes: string[] = [];
    const sizes: number[] = [];
    let h = "";
    for (const b of blocks) {
      const { cache_control: _, ...plain } = b.block as Body;
      h = createHash("sha256").update(h).update(JSON.stringify(plain)).digest("hex");
      hashes.push(h);
      sizes.push(tokens(plain));
    }
    const prefix = (i: number) => sizes.slice(0, i + 1).reduce((a, b) => a + b, 0);
    let hit = -1;
    for (let i = 0; i < blocks.length; i++) {
      if (!blocks[i]!.marked) continue;
      for (let j = i; j >= Math.max(0, i - LOOKBACK); j--) if (this.cached.has(hashes[j]!)) hit = Math.max(hit, j);
    }
    const lastMark = blocks.reduce((a, b, i) => (b.marked ? i : a), -1);
    for (let i = 0; i < blocks.length; i++) if (blocks[i]!.marked) this.cached.add(hashes[i]!);
    const total = prefix(blocks.length - 1);
    this.totals.push(total);
    const read = hit >= 0 ? prefix(hit) : 0;
    const write = lastMark > hit ? prefix(lastMark) - read : 0;
    const input = total - read - write;
    this.billed.input += input;
    this.billed.write += write;
    this.billed.read += read;
    return { input_tokens: input, cache_read_input_tokens: read, cache_creation_input_tokens: write, output_tokens: 0 };
  }
}

/** The conversation's turns as Codex sends them: the recorded request, then a tool call and output per turn. */
function turns(): Body[] {
  const rec = JSON.parse(readFileSync(join(fixturesDir(), FIXTURES.codex), "utf8")) as { body: Body };
  const base = rec.body;
  const out: Body[] = [];
  const input = [...base.input];
  for (let t = 0; t < TURNS; t++) {
    out.push({ ...base, model: "", input: structuredClone(input), stream: true });
    const call = `call_${t}`;
    input.push({
      type: "function_call",
      call_id: call,
      name: "exec_command",
      arguments: `{"cmd":"cat src/file${t}.ts"}`,
    });
    input.push({
      type: "function_call_output",
      call_id: call,
      output: `// file ${t}\n${"export const x = 1;\n".repeat(110)}`,
    });
  }
  return out;
}

const usd = (b: { input: number; write: number; read: number }) =>
  (b.input * PRICE.input + b.write * PRICE.write + b.read * PRICE.read) / 1e6;

async function run(cache: "auto" | "off", bodies: Body[]): Promise<CachingFake> {
  const fake = new CachingFake();
  await new Promise<void>((r) => fake.server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  const config = parseConfig(
    {
      store: { path: ":memory:" },
      providers: { fake: { type: "anthropic", base_url: url, api_key: "k" } },
      models: { m: { provider: "fake", model: "claude-sonnet-4-5", cache } },
      logging: { requests: false },
    },
    {},
  );
  const gateway = new Gateway(config, pino({ level: "silent" }));
  const addr = await gateway.listen(0, "127.0.0.1");
  try {
    for (const b of bodies) {
      const res = await fetch(`http://127.0.0.1:${addr.port}/v1/responses`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...b, model: "m" }),
      });
      await res.text();
      if (res.status !== 200) throw new Error(`turn answered ${res.status}`);
    }
  } finally {
    await gateway.close();
    await new Promise((r) => fake.server.close(r));
  }
  return fake;
}

/** Runs the conversation both ways and prices it. */
export async function measurePromptCache(): Promise<PromptCacheCost> {
  const bodies = turns();
  const on = await run("auto", bodies);
  const off = await run("off", bodies);
  // The ideal: each turn reads the whole prompt of the turn before and writes what is new.
  let ideal = 0;
  off.totals.forEach((total, i) => {
    const prev = i === 0 ? 0 : off.totals[i - 1]!;
    ideal += prev * PRICE.read + (total - prev) * PRICE.write;
  });
  return { turns: TURNS, withBreakpoints: usd(on.billed), without: usd(off.billed), ideal: ideal / 1e6 };
}

export function promptCacheLine(r: PromptCacheCost): string {
  return `prompt cache (${r.turns}-turn Codex conversation → Anthropic): input $${r.withBreakpoints.toFixed(4)} with llmux's breakpoints, $${r.without.toFixed(4)} without (${(r.without / r.withBreakpoints).toFixed(2)}× more); ideal $${r.ideal.toFixed(4)} (with breakpoints: ${((r.withBreakpoints / r.ideal - 1) * 100).toFixed(1)}% over the ideal, target ≤ 10%)`;
}
