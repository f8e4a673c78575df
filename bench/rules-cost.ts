/**
 * The routing rules' own cost per request (`routing.rules`, src/pipeline/route-rules.ts), in the bench process:
 * what the plan stage runs before it plans, for a Claude Code-shaped turn (a system prompt, 40 messages with
 * tool calls and results, 20 tools), measured before (no rules) and after (20 rules) in one run, the two
 * interleaved so that both see the same machine:
 *
 * - none: no rules configured (the stage's one check);
 * - 20 rules, none holds: every rule walked (model globs, client, agent, key, tags, time, budget, reasoning,
 *   tools, images, documents; the token-count rules' other conditions fail first, so nothing is counted);
 * - 20 rules, the last holds: the same walk, then the rule's alias resolved and checked against the key.
 */
import { RuleSchema } from "../src/config/schema-rules.js";
import type { Principal } from "../src/identity/principal.js";
import type { Json } from "../src/ir/types.js";
import { RoutingDeps, ruledRoute } from "../src/pipeline/route-rules.js";
import { createProviders } from "../src/providers/index.js";
import { ModelTable } from "../src/routing/model-table.js";
import { summarize } from "./stats.js";

export interface RulesCost {
  /** Microseconds per request. */
  none: { p50: number; p99: number };
  walked: { p50: number; p99: number };
  last: { p50: number; p99: number };
  rules: number;
}

function turn(): Json {
  const messages: Json[] = [];
  for (let i = 0; i < 20; i++) {
    messages.push({
      role: "user",
      content: [{ type: "text", text: `step ${i}: ${"please look at the code ".repeat(20)}` }],
    });
    messages.push({
      role: "assistant",
      content: [
        { type: "text", text: "Reading the file." },
        { type: "tool_use", id: `t${i}`, name: "Read", input: { file_path: `/src/file${i}.ts` } },
      ],
    });
  }
  messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: "t19", content: "x".repeat(2000) }] });
  const tools = Array.from({ length: 20 }, (_, i) => ({
    name: i === 0 ? "Bash" : `Tool${i}`,
    description: "A tool.",
    input_schema: { type: "object", properties: { a: { type: "string" } } },
  }));
  return {
    model: "claude-sonnet-4-5",
    max_tokens: 32000,
    system: [{ type: "text", text: "You are Claude Code. ".repeat(100) }],
    messages,
    tools,
    stream: true,
  };
}

/** Twenty rules that a main-loop Claude Code turn does not match, then (optionally) one that it does. */
function twenty(lastHolds: boolean) {
  const m: Record<string, unknown>[] = [
    { model: "claude-*haiku*" },
    { client: "codex" },
    { agent: "sub" },
    { key: "ci-*" },
    { team: "team_batch" },
    { tag: "job=batch" },
    { budget: "> 0.9" },
    { images: true },
    { documents: true },
    { tool: "web_search*" },
    { reasoning: true, effort: ["high", "max"] },
    { client: "cursor", input_tokens: "> 100k" },
    { model: "gpt-*", input_tokens: "> 60k" },
    { client: ["gemini-cli", "opencode"] },
    { model: "*-mini" },
    { tools: false },
    { time: "03:00-03:01", client: "codex" },
    { key: "nightly-*", tools: true },
    { tag: "project=search", model: "claude-*" },
    lastHolds ? { model: "claude-sonnet-*", tools: true } : { model: "claude-opus-*" },
  ];
  return m.map((match, i) => RuleSchema.parse({ name: `rule-${i + 1}`, match, route: "cheap" }));
}

function stats(samples: number[]): { p50: number; p99: number } {
  const s = summarize(samples);
  return { p50: s.p50, p99: s.p99 };
}

export async function measureRulesCost(n = 20_000): Promise<RulesCost> {
  const config = {
    providers: { claude: { type: "anthropic", api_key: "k", base_url: "http://127.0.0.1:9" } },
  } as never;
  const models = new ModelTable(
    {
      "claude-*": { provider: "claude", model: "claude-sonnet-4-5" },
      cheap: { provider: "claude", model: "claude-haiku-4-5" },
    } as never,
    createProviders(config),
  );
  const principal: Principal = { owner: "key_bench", kind: "minted", name: "alice", keyId: "key_bench" };
  const none = new RoutingDeps([], "UTC");
  const walked = new RoutingDeps(twenty(false), "UTC");
  const last = new RoutingDeps(twenty(true), "UTC");
  const body = turn();
  const headers = { client: "claude-code", agent: undefined, tags: [] as string[] };
  const samples = { none: [] as number[], walked: [] as number[], last: [] as number[] };
  const one = async (deps: RoutingDeps): Promise<number> => {
    // A request's body is read afresh each time (the facts are read once per request, not once per run).
    const t = process.hrtime.bigint();
    const r = await ruledRoute(
      { requested: "claude-sonnet-4-5", dialect: "anthropic", body, principal, ...headers },
      deps,
      models,
    );
    const us = Number(process.hrtime.bigint() - t) / 1000;
    if (deps === last && (!r || !("route" in r))) throw new Error("the last rule should hold");
    if (deps !== last && r) throw new Error("no rule should hold");
    return us;
  };
  for (let i = 0; i < n + 2000; i++) {
    const a = await one(none);
    const b = await one(walked);
    const c = await one(last);
    if (i < 2000) continue;
    samples.none.push(a);
    samples.walked.push(b);
    samples.last.push(c);
  }
  return { none: stats(samples.none), walked: stats(samples.walked), last: stats(samples.last), rules: 20 };
}

export function rulesCostLine(r: RulesCost): string {
  const ms = (us: number) => (us / 1000).toFixed(5);
  return `routing rules (in process, one run): none p50 ${ms(r.none.p50)} ms; ${r.rules} rules, none holds p50 ${ms(r.walked.p50)} ms (p99 ${ms(r.walked.p99)}); ${r.rules} rules, the last holds p50 ${ms(r.last.p50)} ms (p99 ${ms(r.last.p99)}) (target ≤ 0.02 ms)`;
}
