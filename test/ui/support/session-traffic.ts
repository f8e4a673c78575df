import type { Harness } from "../../support/gateway.js";
import { admin } from "./server.js";

/** A Claude Code session (its own header names it) and a run named by llmux's own header. */
export const S1 = "5f0c7e3a-1b2d-4c8e-9a11-0c0ffee00001";
export const S2 = "nightly-refactor-run-2";
/** Another key's session: never in alice's self view. */
export const S3 = "bob-session-0003";

interface Turn {
  session: string;
  /** The session header: Claude Code's own, or llmux's. */
  via?: "claude-code" | "llmux";
  agent?: string;
  parent?: string;
  tags?: string;
  usage?: { input: number; output: number; cacheRead?: number };
  fail?: boolean;
  /** Refused by llmux before any upstream call: nothing is queued on the mock (it would answer a later turn). */
  refused?: boolean;
}

/** One Anthropic Messages request through the gateway, the mock answering as the turn says; its status. */
async function ask(h: Harness, key: string, t: Turn): Promise<number> {
  if (t.fail) h.mock.enqueue({ httpError: { status: 500, message: "upstream broke" } });
  else if (!t.refused)
    h.mock.enqueue({ blocks: [{ type: "text", text: "done" }], usage: t.usage ?? { input: 40, output: 4 } });
  const headers: Record<string, string> = {
    authorization: `Bearer ${key}`,
    "content-type": "application/json",
    "anthropic-version": "2023-06-01",
  };
  if (t.via === "llmux") headers["llmux-session"] = t.session;
  else headers["x-claude-code-session-id"] = t.session;
  if (t.agent) headers[t.via === "llmux" ? "llmux-agent" : "x-claude-code-agent-id"] = t.agent;
  if (t.parent) headers[t.via === "llmux" ? "llmux-parent-agent" : "x-claude-code-parent-agent-id"] = t.parent;
  if (t.tags) headers["llmux-tags"] = t.tags;
  const res = await fetch(`${h.url}/v1/messages`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      model: "via-anthropic",
      max_tokens: 256,
      messages: [{ role: "user", content: `work on ${t.agent ?? "the main task"}` }],
    }),
  });
  await res.text();
  return res.status;
}

/**
 * Alice's Claude Code session S1: the main agent (3 requests, project=checkout), its sub-agent agent_a1
 * (2, project=checkout) and that one's sub-agent agent_b (1 answered, 1 failed upstream; project=search); her
 * untagged run S2; bob's session S3 (project=search); and a key with a budget too small for one request,
 * refused (the budget_blocked alert).
 */
export async function sessionTraffic(h: Harness) {
  const team = await admin(h, "POST", "/teams", { name: "checkout-team" });
  const alice = (await admin(h, "POST", "/keys", { name: "alice-laptop", user: "alice", team_id: team.body.id })).body;
  const bob = (await admin(h, "POST", "/keys", { name: "bob-desktop", user: "bob" })).body;
  const broke = (await admin(h, "POST", "/keys", { name: "broke", budget: { usd: 0.000001, period: "month" } })).body;
  const turns: Turn[] = [
    { session: S1, tags: "project=checkout", usage: { input: 12_000, output: 800, cacheRead: 9_000 } },
    {
      session: S1,
      agent: "agent_a1",
      tags: "project=checkout",
      usage: { input: 5_000, output: 400, cacheRead: 2_500 },
    },
    {
      session: S1,
      agent: "agent_a1",
      tags: "project=checkout",
      usage: { input: 6_000, output: 300, cacheRead: 4_000 },
    },
    { session: S1, agent: "agent_b", parent: "agent_a1", tags: "project=search", usage: { input: 3_000, output: 200 } },
    { session: S1, agent: "agent_b", parent: "agent_a1", tags: "project=search", fail: true },
    { session: S1, tags: "project=checkout", usage: { input: 14_000, output: 1_200, cacheRead: 12_000 } },
    { session: S1, tags: "project=checkout", usage: { input: 15_000, output: 600, cacheRead: 14_000 } },
  ];
  const statuses: number[] = [];
  for (const t of turns) statuses.push(await ask(h, alice.key, t));
  statuses.push(await ask(h, alice.key, { session: S2, via: "llmux", usage: { input: 900, output: 90 } }));
  statuses.push(await ask(h, bob.key, { session: S3, tags: "project=search", usage: { input: 2_000, output: 100 } }));
  for (let i = 0; i < 2; i++) statuses.push(await ask(h, broke.key, { session: "broke-session", refused: true }));
  return { alice, bob, broke, team: team.body, statuses };
}
