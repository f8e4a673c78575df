/**
 * Claude Code (the pinned version of real-clients.test.ts, installed on demand into the tools cache, test/support/clients.ts) runs
 * headless against llmux, whose mock upstream plays the model: the main agent calls Claude Code's sub-agent
 * tool, the sub-agent (a conversation of its own, with its own system prompt and tools) answers, and the
 * main agent finishes with the sub-agent's answer. llmux must record the session and the agents as the
 * program names them (request-log rows: session_id, agent_id, parent_agent_id), and GET
 * /admin/v1/sessions/{id} must show the sub-agent under the main agent.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockRequest, MockTurn } from "../../src/mock/server.js";
import {
  describeRun,
  ensureClient,
  killAllClients,
  makeWorkspace,
  removeWorkspace,
  runClient,
  type Workspace,
} from "../support/clients.js";
import { freshSqlite, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { ADMIN, admin, MASTER, within } from "../support/team.js";
import { claudeCodeEnv } from "./cells.js";

const UPSTREAM = "claude-sonnet-4-5";
const SUB_ANSWER = `sub-agent report ${randomBytes(4).toString("hex")}`;
const SUB_TASK = `Reply with your report ${randomBytes(4).toString("hex")}.`;
const FINAL = `main agent done ${randomBytes(4).toString("hex")}`;

// biome-ignore lint/suspicious/noExplicitAny: wire bodies, read freely
type Body = Record<string, any>;

const toolNames = (b: Body): string[] => (Array.isArray(b.tools) ? b.tools.map((t: Body) => String(t.name)) : []);
const text = (b: Body) => JSON.stringify(b.messages ?? []);
/** The sub-agent tool of this Claude Code (`Task`, renamed `Agent` in later releases). */
const subagentTool = (b: Body) => toolNames(b).find((n) => n === "Task" || n === "Agent");

/**
 * The model, by rules on what Claude Code sends: the main loop (it offers the sub-agent tool) first calls it,
 * then, once the tool's result (the sub-agent's answer) is back, finishes; the sub-agent (no sub-agent tool of
 * its own, its prompt the main agent's task) answers its report; anything else (a title, a check) a short text.
 */
function model(body: unknown, _req: MockRequest): MockTurn {
  const b = body as Body;
  const tool = subagentTool(b);
  const all = text(b);
  if (all.includes(SUB_ANSWER)) return { model: UPSTREAM, blocks: [{ type: "text", text: FINAL }] };
  if (all.includes(SUB_TASK)) return { model: UPSTREAM, blocks: [{ type: "text", text: SUB_ANSWER }] };
  if (tool)
    return {
      model: UPSTREAM,
      blocks: [
        {
          type: "tool_call",
          name: tool,
          id: `toolu_${randomBytes(8).toString("hex")}`,
          arguments: JSON.stringify({ description: "Report back", prompt: SUB_TASK, subagent_type: "general-purpose" }),
        },
      ],
    };
  return { model: UPSTREAM, blocks: [{ type: "text", text: "ok" }] };
}

describe("Claude Code with a sub-agent, through llmux", () => {
  let bin: Promise<string>;
  let where: TestLocation;
  let h: Harness;
  let ws: Workspace;
  beforeAll(async () => {
    bin = ensureClient("claude-code");
    bin.catch(() => undefined);
    where = await freshSqlite();
    h = await startHarness(
      () => ({
        store: { path: where.path },
        admin: { keys: [ADMIN] },
        secrets: { master_key: MASTER },
        models: {
          "claude-*haiku*": { provider: "anthropic", model: "claude-haiku-4-5" },
          "claude-*": { provider: "anthropic", model: UPSTREAM },
        },
      }),
      { fallback: model },
    );
    ws = await makeWorkspace("claude-code");
  }, 300_000);
  afterAll(async () => {
    killAllClients();
    await removeWorkspace(ws);
    await h?.close();
    await where?.drop();
  });

  it("records the session, the main agent and the sub-agent under it", async () => {
    await bin;
    const minted = await admin(h, "POST", "/keys", { name: `sub-${randomBytes(3).toString("hex")}` });
    const r = await runClient("claude-code", ws, {
      args: ["-p", "Ask a sub-agent for its report, then finish."],
      env: claudeCodeEnv(h.url, minted.body.key),
      timeoutMs: 120_000,
    });
    const run = describeRun("claude-code", r);
    expect(r.code, run).toBe(0);
    expect(r.stdout.trim(), run).toBe(FINAL);

    // What Claude Code sent: the main loop offers the sub-agent tool and names no agent; the sub-agent's
    // requests name their agent (and no parent: theirs is the main loop, which has no id).
    const upstream = h.mock.requests.map((q) => q.body as Body);
    const tool = subagentTool(upstream[0]!);
    expect(tool, "the sub-agent tool in the main loop's tools").toBeDefined();
    const called = upstream.some((b) => text(b).includes(`"name":"${tool}"`) && text(b).includes(SUB_TASK));
    expect(called, "the main loop called the sub-agent tool").toBe(true);

    // The request log: one session; the main loop's rows without an agent, the sub-agent's with its id.
    let logged: Body[] = [];
    const all = await within(10_000, async () => {
      const list = await admin(h, "GET", "/requests?limit=500");
      logged = (list.body.rows as Body[]).filter((x) => x.key_id === minted.body.id);
      return logged.length >= upstream.length;
    });
    expect(all, "every request the tool sent is in the request log").toBe(true);
    const sessions = new Set(logged.map((x) => x.session_id));
    expect(sessions.size).toBe(1);
    const session = [...sessions][0] as string;
    expect(session).toMatch(/^[0-9a-f-]{36}$/);
    expect(logged.every((x) => x.client_tool === "claude-code")).toBe(true);
    const main = logged.filter((x) => x.agent_id === null);
    const sub = logged.filter((x) => x.agent_id !== null);
    expect(main.length, "the main loop's requests (the sub-agent call and the final answer)").toBeGreaterThanOrEqual(2);
    expect(sub.length, "the sub-agent's request").toBeGreaterThanOrEqual(1);
    const subAgents = new Set(sub.map((x) => x.agent_id as string));
    expect(subAgents.size).toBe(1);
    const subAgent = [...subAgents][0]!;
    expect(sub.every((x) => x.parent_agent_id === null)).toBe(true);
    // The sub-agent's request is the one that carried its task, the main loop's are the others.
    const subRequest = h.mock.requests.find((q) => q.headers["x-claude-code-agent-id"] === subAgent);
    expect(subRequest && text(subRequest.body as Body).includes(SUB_TASK)).toBe(true);

    console.log(
      `[sub-agent] claude-code: tool "${tool}", session ${session}: ${main.length} main-loop request(s) without an agent id, ` +
        `${sub.length} from sub-agent ${subAgent}`,
    );

    // The session: the sub-agent under the main agent, its request counted there.
    const detail = await admin(h, "GET", `/sessions/${encodeURIComponent(session)}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: session, tool: "claude-code", requests: logged.length });
    const agents = detail.body.agents as Body[];
    expect(agents.map((a) => [a.id, a.depth])).toEqual([
      [null, 0],
      [subAgent, 1],
    ]);
    expect(agents[0]!.requests).toBe(main.length);
    expect(agents[1]!.requests).toBe(sub.length);
    expect(detail.body.timeline.filter((t: Body) => t.agent_id === subAgent)).toHaveLength(sub.length);
  }, 300_000);
});
