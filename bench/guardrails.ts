/**
 * The guardrails' bench lane (`npm run bench:guardrails`): the CPU the guardrails add, in one process, with the
 * default rules on, against the targets of docs/guardrails.md:
 * - Claude Code's own request (the recorded 75 kB body) after its first turn (its texts' verdicts cached, 15
 *   values masked in earlier turns looked for again):
 *   ≤ 0.3 ms added per request (decoding a passthrough body to scan it included);
 * - a cold 1 MB conversation (nothing cached): scanned in ≤ 10 ms;
 * - the restore on a stream (an Anthropic stream through the translator, with and without putting 15 masked
 *   values back): ≤ 1.2× the CPU per streamed event.
 * Each figure is the median of 7 rounds; "before" is the same work without the guardrails.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GuardrailsSchema } from "../src/config/schema-guardrails.js";
import { requestBlocks } from "../src/guardrails/blocks.js";
import { Guardrails } from "../src/guardrails/guard.js";
import { placeholderOf } from "../src/guardrails/placeholder.js";
import { EventUnmask } from "../src/guardrails/restore-events.js";
import type { JsonObject } from "../src/ir/types.js";
import { anthropicStream } from "../src/mock/emit-anthropic.js";
import { codecs } from "../src/translate/codecs.js";
import { StreamTranslator } from "../src/translate/stream-translator.js";
import { FIXTURES, fixturesDir } from "./lanes.js";

const ROUNDS = 7;

function cpuMs(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function cpuMsAsync(fn: () => Promise<void>): Promise<number> {
  const start = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const config = GuardrailsSchema.parse({ enabled: true });
/** Values masked for the caller in earlier turns: looked for again in every request. */
const EARLIER = Array.from({ length: 15 }, (_, i) => `earlier-masked-value-${i}-0123456789abcdef`);

async function claudeCodeTurn(): Promise<{ before: number; after: number; bytes: number }> {
  const raw = readFileSync(join(fixturesDir(), FIXTURES.claudeCode), "utf8");
  const body = (JSON.parse(raw) as { body: JsonObject }).body;
  const text = JSON.stringify(body);
  const guard = new Guardrails(config, () => []);
  const policy = guard.policy({});
  const turn = async () => {
    const ir = codecs.anthropic.decodeRequest(JSON.parse(text));
    await guard.inspect(requestBlocks(ir), policy, ["caller-key-0123456789"], EARLIER);
  };
  await turn(); // the first turn: every text scanned once
  const N = 200;
  const before: number[] = [];
  const after: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    before.push(
      cpuMs(() => {
        for (let i = 0; i < N; i++) JSON.parse(text);
      }) / N,
    );
    after.push(
      (await cpuMsAsync(async () => {
        for (let i = 0; i < N; i++) await turn();
      })) / N,
    );
  }
  return { before: median(before), after: median(after), bytes: text.length };
}

async function coldMegabyte(): Promise<{ ms: number; bytes: number }> {
  const raw = readFileSync(join(fixturesDir(), FIXTURES.claudeCode), "utf8");
  const body = (JSON.parse(raw) as { body: JsonObject }).body;
  const messages: unknown[] = [];
  let n = 0;
  // Real texts, each made new (a turn number in it), until the conversation is 1 MB.
  while (JSON.stringify(messages).length < 1_000_000) {
    for (const m of body.messages as JsonObject[])
      messages.push(JSON.parse(JSON.stringify(m).replaceAll("the", `the${n++ % 97}`)));
  }
  const big = { ...body, messages };
  const text = JSON.stringify(big);
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const guard = new Guardrails(config, () => []);
    const ir = codecs.anthropic.decodeRequest(JSON.parse(text));
    times.push(
      await cpuMsAsync(async () => {
        await guard.inspect(requestBlocks(ir), guard.policy({}), []);
      }),
    );
  }
  return { ms: median(times), bytes: text.length };
}

function restore(): { before: number; after: number; events: number } {
  const mapping = new Map<string, string>();
  for (let i = 0; i < 15; i++) {
    const v = `secret-value-${i}-${"x".repeat(30)}`;
    mapping.set(placeholderOf(v, "bench"), v);
  }
  const placeholders = [...mapping.keys()];
  const stream = anthropicStream({
    chunkChars: 8,
    blocks: [
      {
        type: "text",
        text: `Here is the file. ${"The configuration reads the key from the environment. ".repeat(20)}${placeholders.slice(0, 5).join(" ")}`,
      },
      {
        type: "tool_call",
        name: "write_file",
        arguments: JSON.stringify({
          path: "config.ts",
          content: `${"export const x = 1;\n".repeat(20)}${placeholders.join("\n")}`,
        }),
      },
    ],
  }).join("");
  const events = stream.split("\n\n").length - 1;
  const N = 300;
  const run = (unmask: boolean) => () => {
    for (let i = 0; i < N; i++) {
      const u = unmask ? new EventUnmask(mapping) : undefined;
      const t = new StreamTranslator("anthropic", "anthropic", {
        rewrite: u ? (e, out) => u.rewrite(e, out) : undefined,
      });
      t.push(stream);
      t.end();
    }
  };
  const before: number[] = [];
  const after: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    before.push(cpuMs(run(false)) / N / events);
    after.push(cpuMs(run(true)) / N / events);
  }
  return { before: median(before), after: median(after), events };
}

const cc = await claudeCodeTurn();
const cold = await coldMegabyte();
const rs = restore();
const lines = [
  "| figure | before | after | target |",
  "| --- | --- | --- | --- |",
  `| Claude Code's body (${Math.round(cc.bytes / 1000)} kB) after its first turn: CPU per request (ms) | ${cc.before.toFixed(3)} (its JSON parse) | ${cc.after.toFixed(3)} added | ≤ 0.3 ms added |`,
  `| a cold ${(cold.bytes / 1e6).toFixed(2)} MB conversation: scan (ms) | — | ${cold.ms.toFixed(2)} | ≤ 10 ms |`,
  `| restore on a stream: CPU per event (µs, ${rs.events} events) | ${(rs.before * 1000).toFixed(1)} | ${(rs.after * 1000).toFixed(1)} (${(rs.after / rs.before).toFixed(2)}×) | ≤ 1.2× |`,
];
process.stdout.write(`${lines.join("\n")}\n`);
