/**
 * A conversation of thousands of turns, or an answer of thousands of parts, costs the data layer a few
 * batched statements, not one per turn or part: the reasoning cache reads what a Chat client's history needs
 * in one batched read, and a stored Response keeps its items in a few multi-row writes. The statements are
 * counted by a Kysely plugin on the real engines, SQLite and PostgreSQL.
 */
import type { Kysely, KyselyPlugin, RootOperationNode } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import type { Database } from "../../src/data/schema.js";
import { DataStore } from "../../src/data/store.js";
import type { AssistantPart, JsonObject, Message, Request } from "../../src/ir/types.js";
import { Warnings } from "../../src/ir/warnings.js";
import { ReasoningCache } from "../../src/reasoning/cache.js";
import { ENGINES, type TestLocation } from "../support/engines.js";

const ORIGIN = { provider: "anthropic", model: "claude-sonnet-4-5" };

/** A data layer that counts the statements it runs, by kind (SelectQueryNode, InsertQueryNode…). */
class CountingData extends Data {
  readonly statements: string[] = [];
  override async db(): Promise<Kysely<Database>> {
    const plugin: KyselyPlugin = {
      transformQuery: (a) => {
        this.statements.push(a.node.kind);
        return a.node as RootOperationNode;
      },
      transformResult: async (a) => a.result,
    };
    return (await super.db()).withPlugin(plugin);
  }
  count(kind?: string): number {
    return kind ? this.statements.filter((k) => k === kind).length : this.statements.length;
  }
}

const answerOf = (i: number): AssistantPart[] => [
  { type: "reasoning", text: `thinking about turn ${i}`, signature: `sig-${i}` },
  { type: "text", text: `answer number ${i}` },
];

describe.each(ENGINES)("many turns and many parts on $engine", ({ fresh }) => {
  let loc: TestLocation;
  let data: CountingData;
  let store: DataStore;
  beforeAll(async () => {
    loc = await fresh();
    data = new CountingData({ path: loc.path, url: loc.url });
    store = new DataStore(data, { reasoningMaxEntries: 100_000, reasoningTtlSeconds: 3600 });
  });
  afterAll(async () => {
    await store.close();
    await loc.drop();
  });

  it("restoring the reasoning of 600 turns reads the store in one batched query, not one per turn", async () => {
    const N = 600;
    const writer = new ReasoningCache(() => store.reasoning);
    for (let i = 0; i < N; i++) await writer.capture(answerOf(i), ORIGIN, "scope");
    const messages: Message[] = [];
    for (let i = 0; i < N; i++) {
      messages.push({ role: "user", content: [{ type: "text", text: `question ${i}` }] });
      messages.push({ role: "assistant", content: [{ type: "text", text: `answer number ${i}` }] });
    }
    const req: Request = { source: "openai-chat", model: "m", stream: false, messages };
    // A fresh cache (nothing in its memory): everything comes from the store.
    const reader = new ReasoningCache(() => store.reasoning);
    data.statements.length = 0;
    expect(await reader.restore(req, ORIGIN, "scope", new Warnings())).toBe(N);
    expect(data.count("SelectQueryNode")).toBe(1);
    // The read marks what it read as recently used: one more statement, whatever the number of turns.
    expect(data.count()).toBeLessThanOrEqual(2);
    const last = req.messages[2 * N - 1]!.content;
    expect(last.map((p) => (p.type === "reasoning" ? p.signature : p.type))).toEqual([`sig-${N - 1}`, "text"]);
  });

  it("an answer of 3,000 tool calls with reasoning is kept in a few writes, not one per call", async () => {
    const parts: AssistantPart[] = [{ type: "reasoning", text: "plan", signature: "S" }];
    for (let i = 0; i < 3000; i++)
      parts.push({ type: "tool_call", id: `call_${i}`, name: "f", arguments: "{}", kind: "function" });
    data.statements.length = 0;
    await new ReasoningCache(() => store.reasoning).capture(parts, ORIGIN, "calls");
    expect(data.count("InsertQueryNode")).toBeLessThanOrEqual(6);
    // Kept once: the other calls point to the first one's entry (linear in the answer, not quadratic).
    const back = await store.reasoning.getMany(["calls:call:call_0", "calls:call:call_2999", "calls:call:nope"]);
    expect([...back.keys()].sort()).toEqual(["calls:call:call_0", "calls:call:call_2999"]);
    expect(back.get("calls:call:call_2999")!.length).toBeLessThan(100);
    // A later turn that echoes only the last call finds the reasoning through it.
    const req: Request = {
      source: "openai-chat",
      model: "m",
      stream: false,
      messages: [
        {
          role: "assistant",
          content: [{ type: "tool_call", id: "call_2999", name: "f", arguments: "{}", kind: "function" }],
        },
      ],
    };
    expect(await new ReasoningCache(() => store.reasoning).restore(req, ORIGIN, "calls", new Warnings())).toBe(1);
    expect(req.messages[0]!.content[0]).toMatchObject({ type: "reasoning", signature: "S" });
  });

  it("a stored Response of 3,000 reasoning items is written in a few statements, and reads back whole", async () => {
    const output: JsonObject[] = [];
    for (let i = 0; i < 3000; i++)
      output.push({ type: "reasoning", id: `rs_${i}`, summary: [{ type: "summary_text", text: `step ${i}` }] });
    output.push({ type: "message", id: "msg_1", role: "assistant", content: [{ type: "output_text", text: "done" }] });
    data.statements.length = 0;
    await store.responses.put("owner", {
      id: "resp_many",
      createdAt: 1,
      input: [{ type: "message", id: "in_1", role: "user", content: "hi" }],
      response: { id: "resp_many", output },
    });
    expect(data.count("InsertQueryNode")).toBeLessThanOrEqual(1 + Math.ceil(3002 / 500));
    expect(await store.responses.item("owner", "rs_2999")).toEqual(output[2999]);
    expect(await store.responses.item("owner", "in_1")).toEqual({
      type: "message",
      id: "in_1",
      role: "user",
      content: "hi",
    });
    // Written again (the same id): the items are replaced, not duplicated or refused.
    output[0] = { ...output[0], summary: [{ type: "summary_text", text: "changed" }] };
    await store.responses.put("owner", {
      id: "resp_many",
      createdAt: 1,
      input: [],
      response: { id: "resp_many", output },
    });
    expect(await store.responses.item("owner", "rs_0")).toEqual(output[0]);
  });
});
