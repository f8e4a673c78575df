/**
 * Routing end to end, conversations: recorded client bodies keep to one deployment (affinity), a
 * previous_response_id to its account, reasoning state to the account that made it; declared quotas; an
 * alias over deployments of different dialects.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockBlock } from "../../src/mock/script.js";
import type { MockServer } from "../../src/mock/server.js";
import { hotKeys } from "../../src/state/keys.js";
import type { Body, Harness } from "../support/gateway.js";
import { ENGINES, type Fleet, startFleet, throttled } from "../support/routing-fleet.js";
import type { SwitchUpstream } from "../support/switch-upstream.js";

const FIXTURES = join(import.meta.dirname, "../../../shared/fixtures");

describe.each(ENGINES)("routing conversations on $name state", ({ state }) => {
  let f: Fleet;
  let mock: MockServer;
  let d: SwitchUpstream[] = [];
  let h: Harness;
  beforeAll(async () => {
    f = await startFleet(state);
    ({ mock, d, h } = f);
  }, 30_000);
  afterAll(async () => {
    await f?.close();
  });

  const sdk = () => new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });

  describe("affinity: a conversation stays on one deployment while it is healthy", () => {
    const read = (p: string) => JSON.parse(readFileSync(join(FIXTURES, p), "utf8")) as Body;
    /** One exchange more in the client's own shape: what a later turn of the conversation sends. */
    const chatTurn = (n: number) => [
      { role: "assistant", content: `answer ${n}` },
      { role: "user", content: `question ${n + 1}` },
    ];
    const responsesTurn = (n: number) => [
      { type: "message", role: "assistant", content: [{ type: "output_text", text: `answer ${n}` }] },
      { role: "user", content: `question ${n + 1}` },
    ];
    interface Case {
      name: string;
      path: string;
      body: Body;
      headers: Record<string, string>;
      /** The conversation's own id, as the tool sent it: the affinity key is made from it. */
      session: string;
      grow: (body: Body, n: number) => Body;
    }
    const claude = read("real-clients/claude-07-POST__v1_messages_stream_tools.json");
    const codex = read("real-clients/codex-responses-10-POST__v1_responses_stream_tools.json");
    const opencode = read("real-clients/opencode-chat-21-POST__v1_chat_completions_stream_tools.json");
    const cursor = read("cursor-2026/clyde__agent-gpt54-responses-body-on-chat-completions__request.json");
    const cases: Case[] = [
      {
        // Without its session header: the session inside metadata.user_id is what keeps it together.
        name: "Claude Code (metadata.user_id)",
        path: "/v1/messages",
        body: claude.body,
        headers: {},
        session: claude.headers["x-claude-code-session-id"],
        grow: (b, n) => ({ ...b, messages: [...b.messages, ...chatTurn(n)] }),
      },
      {
        name: "Codex (session-id header)",
        path: "/v1/responses",
        body: codex.body,
        headers: { "session-id": codex.headers["session-id"] },
        session: codex.headers["session-id"],
        grow: (b, n) => ({ ...b, input: [...b.input, ...responsesTurn(n)] }),
      },
      {
        name: "OpenCode (x-session-affinity header)",
        path: "/v1/chat/completions",
        body: opencode.body,
        headers: { "x-session-affinity": opencode.headers["x-session-affinity"] },
        session: opencode.headers["x-session-affinity"],
        grow: (b, n) => ({ ...b, messages: [...b.messages, ...chatTurn(n)] }),
      },
      {
        name: "Cursor (its conversation id)",
        path: "/v1/chat/completions",
        body: cursor.body,
        headers: {},
        session: cursor.body.metadata.cursorConversationId,
        grow: (b, n) => ({ ...b, input: [...b.input, ...responsesTurn(n)] }),
      },
    ];

    async function turn(c: Case, n: number): Promise<string> {
      let body: Body = { ...c.body, model: "sticky", stream: false };
      // Turn n: the conversation grown by n exchanges (its first messages stay the same).
      for (let i = 0; i < n; i++) body = c.grow(body, i);
      const res = await fetch(`${h.url}${c.path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...c.headers },
        body: JSON.stringify(body),
      });
      await res.text();
      expect(res.status, `${c.name} turn ${n}`).toBe(200);
      return (res.headers.get("llmux-route") ?? "").split(";")[0]!;
    }

    const bindingOf = (c: Case) => h.gateway.hot.get(`aff:sticky:s:${c.session}`);

    it.each(cases)("$name: 20 turns on one deployment; moved when it cools down, then stays", async (c) => {
      const served = new Set<string>();
      for (let n = 0; n < 20; n++) served.add(await turn(c, n));
      expect(served.size).toBe(1);
      const [home] = [...served];
      const index = Number(home!.slice(1)) - 1;
      // Bound by the tool's own conversation id (not by a fingerprint of its messages).
      expect(await bindingOf(c)).toBe(`acct${index + 1}/gpt-4.1`);
      d[index]!.mode = throttled(30);
      try {
        const moved = new Set<string>();
        for (let n = 0; n < 6; n++) moved.add(await turn(c, 20 + n));
        expect(moved.size).toBe(1);
        expect(moved.has(home!)).toBe(false);
        const [away] = [...moved];
        expect(await bindingOf(c)).toBe(`acct${Number(away!.slice(1))}/gpt-4.1`);
      } finally {
        d[index]!.mode = { kind: "pass" };
        // Leave no cooldown behind for the next case.
        await h.gateway.hot.del(hotKeys.cooling(`acct${index + 1}/gpt-4.1`));
      }
    });
  });

  describe("a deployment's declared quota", () => {
    it("rpm: the capped deployment gets exactly its quota, the rest go to the other one, none fails", async () => {
      // The bucket refills one request every 20 s: ten requests in a row find three in it.
      for (const s of d) s.hits.length = 0;
      const client = sdk();
      for (let n = 0; n < 10; n++) {
        const c = await client.chat.completions.create({
          model: "capped",
          messages: [{ role: "user", content: `quota ${n}` }],
        });
        expect(c.model).toBe("capped");
      }
      // By weight c1 would take nearly all ten; its rpm of 3 passes the other seven to c2.
      expect(d[0]!.hits).toHaveLength(3);
      expect(d[1]!.hits).toHaveLength(7);
    });
  });

  describe("previous_response_id across two deployments of different accounts", () => {
    it("always goes to the deployment that produced the response, streamed or not, even while it cools down", async () => {
      const client = sdk();
      // The first turn streamed: its id is read from the stream's start, bound before the answer ends.
      const first = await client.responses.stream({ model: "pair", input: "Turn 0", store: true }).finalResponse();
      let prev = first.id;
      const served = new Set<string>();
      for (let n = 1; n <= 10; n++) {
        const res = await fetch(`${h.url}/v1/responses`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "pair", input: `Turn ${n}`, previous_response_id: prev, store: true }),
        });
        const body = (await res.json()) as Body;
        expect(res.status).toBe(200);
        served.add((res.headers.get("llmux-route") ?? "").split(";")[0]!);
        prev = body.id;
      }
      // Ten turns, each a fair coin between two deployments were it not bound: all on one.
      expect(served.size).toBe(1);
      const [home] = [...served];
      const index = home === "account-a" ? 0 : 1;
      // Its account throttled: the next turn still goes there (no other account holds the response), and
      // the client gets that account's 429 and wait rather than another's "previous response not found".
      d[index]!.mode = throttled(30);
      const other = d[1 - index]!.hits.length;
      try {
        for (let n = 0; n < 3; n++) {
          const res = await fetch(`${h.url}/v1/responses`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ model: "pair", input: "Again", previous_response_id: prev, store: true }),
          });
          await res.text();
          expect(res.status).toBe(429);
          expect(res.headers.get("retry-after")).toBe("30");
        }
        expect(d[1 - index]!.hits.length).toBe(other);
      } finally {
        d[index]!.mode = { kind: "pass" };
        await h.gateway.hot.del(hotKeys.cooling(`resp${index + 1}/gpt-5`));
      }
    });
  });

  describe("reasoning state of one account is never sent to another", () => {
    it("a Responses conversation moved off its cooled account loses its encrypted reasoning items, not its turn", async () => {
      const headers = { "content-type": "application/json", "x-session-affinity": `reasoning-${Date.now()}` };
      const post = (input: unknown) =>
        fetch(`${h.url}/v1/responses`, {
          method: "POST",
          headers,
          body: JSON.stringify({ model: "pair", input, store: false }),
        });
      const r0 = await post("Turn 0");
      await r0.text();
      const home = (r0.headers.get("llmux-route") ?? "").split(";")[0]!;
      const index = home === "account-a" ? 0 : 1;
      const other = index === 0 ? "account-b" : "account-a";
      d[index]!.mode = throttled(30);
      const from = mock.requests.length;
      try {
        const input = [
          { role: "user", content: "Turn 0" },
          { type: "reasoning", id: "rs_home", summary: [], encrypted_content: "gAAAA-readable-only-by-home" },
          { role: "assistant", content: "Answer 0" },
          { role: "user", content: "Turn 1" },
        ];
        const r1 = await post(input);
        const body = (await r1.json()) as Body;
        expect(r1.status).toBe(200);
        expect(body.model).toBe("pair");
        expect((r1.headers.get("llmux-route") ?? "").split(";")[0]).toBe(other);
        const sent = mock.requests.slice(from).filter((r) => r.path.endsWith("/responses"));
        expect(sent).toHaveLength(1);
        const items = (sent[0]!.body as Body).input as Body[];
        expect(items.map((i) => i.type ?? i.role)).toEqual(["user", "assistant", "user"]);
        expect(sent[0]!.raw).not.toContain("readable-only-by-home");
      } finally {
        d[index]!.mode = { kind: "pass" };
        await h.gateway.hot.del(hotKeys.cooling(`resp${index + 1}/gpt-5`));
      }
    });
  });

  describe("reasoning state across a move, on every later turn", () => {
    /** The deployment index (in d) of the first word of llmux-route. */
    const routeOf = (res: Response) => (res.headers.get("llmux-route") ?? "").split(";")[0]!;

    it("Responses: each turn carries only the encrypted reasoning its account made, before and after the move", async () => {
      const headers = { "content-type": "application/json", "x-session-affinity": `marks-${Date.now()}` };
      const ids = { "account-a": 0, "account-b": 1 } as Record<string, number>;
      const post = (input: unknown) =>
        fetch(`${h.url}/v1/responses`, {
          method: "POST",
          headers,
          body: JSON.stringify({ model: "pair", input, store: false }),
        });
      const turn = (n: number): MockBlock[] => [
        { type: "reasoning", text: `thinking ${n}`, encrypted: `enc-turn-${n}-${Date.now()}` },
        { type: "text", text: `Answer ${n}` },
      ];
      const history: unknown[] = [{ role: "user", content: "Turn 0" }];
      const sentBy: Record<string, string> = {};
      const ask = async () => {
        const from = mock.requests.length;
        const res = await post(history);
        const body = (await res.json()) as Body;
        expect(res.status).toBe(200);
        const served = routeOf(res);
        const sent = mock.requests.slice(from).filter((r) => r.path.endsWith("/responses"));
        expect(sent).toHaveLength(1);
        const reasoning = body.output.find((o: Body) => o.type === "reasoning");
        sentBy[reasoning.encrypted_content] = served;
        history.push(
          reasoning,
          { role: "assistant", content: `Answer ${history.length}` },
          { role: "user", content: "next" },
        );
        return { served, raw: sent[0]!.raw };
      };
      mock.enqueue({ blocks: turn(0) });
      const t0 = await ask();
      const home = t0.served;
      const other = home === "account-a" ? "account-b" : "account-a";
      // Home cools down: the conversation moves; its reasoning stays home.
      d[ids[home]!]!.mode = throttled(30);
      try {
        mock.enqueue({ blocks: turn(1) });
        const t1 = await ask();
        expect(t1.served).toBe(other);
        mock.enqueue({ blocks: turn(2) });
        // Home is back, but the conversation is bound where it went: home's reasoning is still left out.
        d[ids[home]!]!.mode = { kind: "pass" };
        await h.gateway.hot.del(hotKeys.cooling(`resp${ids[home]! + 1}/gpt-5`));
        const t2 = await ask();
        expect(t2.served).toBe(other);
        for (const [enc, by] of Object.entries(sentBy)) {
          if (by === home) expect(t2.raw, `${enc} (made by ${by})`).not.toContain(enc);
          else if (enc !== Object.keys(sentBy).at(-1)) expect(t2.raw, `${enc} (made by ${by})`).toContain(enc);
        }
      } finally {
        d[ids[home]!]!.mode = { kind: "pass" };
        await h.gateway.hot.del(hotKeys.cooling(`resp${ids[home]! + 1}/gpt-5`));
      }
    });

    it("Anthropic tool loop: another account's thinking is left out, and thinking is off while the loop's last turn has none", async () => {
      const session = `claude-marks-${Date.now()}`;
      const fronts = { "claude-a": 2, "claude-b": 6 } as Record<string, number>;
      const keyOf = { "claude-a": "claude1", "claude-b": "claude2" } as Record<string, string>;
      const tools = [{ name: "run", description: "runs a command", input_schema: { type: "object", properties: {} } }];
      const messages: Body[] = [{ role: "user", content: "Fix the test." }];
      const post = async () => {
        const from = mock.requests.length;
        const res = await fetch(`${h.url}/v1/messages`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-session-affinity": session },
          body: JSON.stringify({
            model: "claudes",
            max_tokens: 20_000,
            thinking: { type: "enabled", budget_tokens: 10_000 },
            tools,
            messages,
          }),
        });
        const body = (await res.json()) as Body;
        expect(res.status, JSON.stringify(body)).toBe(200);
        const sent = mock.requests.slice(from).filter((r) => r.path.endsWith("/messages"));
        return { served: routeOf(res), body, sent: sent.at(-1)! };
      };
      const call = (n: number) => ({ type: "tool_call", name: "run", arguments: "{}", id: `toolu_${n}` }) as const;
      const answered = (body: Body, n: number) =>
        messages.push(
          { role: "assistant", content: body.content },
          { role: "user", content: [{ type: "tool_result", tool_use_id: `toolu_${n}`, content: "ok" }] },
        );
      // Turn 0: thinking (signed by its account), then a tool call.
      const signature = `sig-home-${Date.now()}`;
      mock.enqueue({ blocks: [{ type: "reasoning", text: "Let me run it.", signature }, call(0)] });
      const t0 = await post();
      const home = t0.served;
      const other = home === "claude-a" ? "claude-b" : "claude-a";
      answered(t0.body, 0);
      d[fronts[home]!]!.mode = throttled(30);
      try {
        // Turn 1, on the other account: home's thinking left out; the loop's last turn has none now.
        mock.enqueue({ blocks: [call(1)] });
        const t1 = await post();
        expect(t1.served).toBe(other);
        expect(t1.sent.raw).not.toContain(signature);
        expect((t1.sent.body as Body).thinking).toEqual({ type: "disabled" });
        answered(t1.body, 1);
        // Turn 2, still bound there: the same again (the last turn, answered without thinking, has none).
        d[fronts[home]!]!.mode = { kind: "pass" };
        await h.gateway.hot.del(hotKeys.cooling(`${keyOf[home]}/claude-sonnet-4-5`));
        mock.enqueue({ blocks: [{ type: "text", text: "Fixed." }] });
        const t2 = await post();
        expect(t2.served).toBe(other);
        expect(t2.sent.raw).not.toContain(signature);
        expect((t2.sent.body as Body).thinking).toEqual({ type: "disabled" });
      } finally {
        d[fronts[home]!]!.mode = { kind: "pass" };
        await h.gateway.hot.del(hotKeys.cooling(`${keyOf[home]}/claude-sonnet-4-5`));
      }
    });
  });

  describe("an alias served by deployments of different dialects", () => {
    it("translates per attempt: Anthropic overloaded, the Chat deployment answers the same request", async () => {
      d[2]!.mode = {
        kind: "status",
        status: 529,
        body: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
      };
      const before = d[2]!.hits.length;
      try {
        const client = sdk();
        for (let i = 0; i < 3; i++) {
          const res = await client.chat.completions
            .create({ model: "mixed", messages: [{ role: "user", content: `mixed ${i}` }] })
            .withResponse();
          expect(res.data.model).toBe("mixed");
          expect(res.data.choices[0]!.message.content).toContain(`mixed ${i}`);
          const route = res.response.headers.get("llmux-route") ?? "";
          // Weighted 100:0.001, the Anthropic deployment is tried first (1 in 100,000 it is not), answers 529, and the Chat one serves.
          if (route.startsWith("chat-dep")) expect(route).toMatch(/anthropic-dep: 529 overloaded/);
        }
        // The Anthropic deployment was asked (in Anthropic's shape) and refused; the Chat one answered.
        const asked = d[2]!.hits.slice(before);
        expect(asked.length).toBeGreaterThan(0);
        expect(asked.every((x) => x.status === 529)).toBe(true);
        expect(mock.requests.at(-1)!.path).toBe("/v1/chat/completions");
      } finally {
        d[2]!.mode = { kind: "pass" };
      }
    });
  });
});
