import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPACTION_PROMPT } from "../../src/pipeline/compaction.js";
import { type Body, type Harness, startHarness } from "../support/gateway.js";
import { codexTurn, ResponsesSocket, userText } from "../support/ws-client.js";

const K1 = "svc-compact-one-0123456789";
const K2 = "svc-compact-two-0123456789";
const SUMMARY = "SUMMARY: the user wants a parser; step 1 done, step 2 next.";

const history = [
  userText("old question about parsers"),
  { type: "message", role: "assistant", content: [{ type: "output_text", text: "old answer about parsers" }] },
];

async function post(h: Harness, key: string, body: Body, path = "/v1/responses") {
  const res = await fetch(`${h.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

/** The events of a Responses stream. */
const eventsOf = (text: string): Body[] =>
  text
    .split("\n")
    .filter((l) => l.startsWith("data: "))
    .map((l) => JSON.parse(l.slice(6)) as Body);

describe("compaction on upstreams that do not compact themselves", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(() => ({ auth: { keys: [K1, K2] } }));
  });
  afterAll(() => h.close());

  it.each(["via-anthropic", "via-compat"])(
    "%s: one compaction item, sealed; the next turn carries the summary and not the old items",
    async (model) => {
      h.mock.reset();
      h.mock.enqueue({ blocks: [{ type: "text", text: SUMMARY }] });
      const r = await post(
        h,
        K1,
        codexTurn(model, [...history, { type: "compaction_trigger" }], {
          tools: [{ type: "function", name: "shell", parameters: { type: "object" } }],
        }),
      );
      expect(r.status).toBe(200);
      const completed = eventsOf(r.text).find((e) => e.type === "response.completed")!;
      const output = completed.response.output as Body[];
      expect(output).toHaveLength(1);
      expect(output[0]!.type).toBe("compaction");
      const sealed = output[0]!.encrypted_content as string;
      expect(sealed.startsWith("llmuxc1.")).toBe(true);
      expect(r.text).not.toContain("step 2 next");
      // The upstream was asked for a summary with Codex's prompt, without tools.
      const asked = h.mock.requests[0]!.raw;
      expect(asked).toContain(JSON.stringify(COMPACTION_PROMPT).slice(1, 60));
      expect(asked).not.toContain('"shell"');
      expect(asked).toContain("old question about parsers");

      const next = await post(
        h,
        K1,
        codexTurn(model, [output[0]!, userText("continue with step 2")], { stream: false }),
      );
      expect(next.status).toBe(200);
      const upstream = h.mock.requests[1]!.raw;
      expect(upstream).toContain("step 2 next");
      expect(upstream).toContain("continue with step 2");
      expect(upstream).not.toContain("old question about parsers");
      expect(upstream).not.toContain("llmuxc1.");
    },
  );

  it("another key's, an altered or a forged compaction item is refused and reaches no upstream", async () => {
    h.mock.reset();
    h.mock.enqueue({ blocks: [{ type: "text", text: SUMMARY }] });
    const r = await post(
      h,
      K1,
      codexTurn("via-anthropic", [...history, { type: "compaction_trigger" }], { stream: false }),
    );
    const item = (JSON.parse(r.text) as Body).output[0] as Body;
    expect(item.type).toBe("compaction");
    const sealed = item.encrypted_content as string;
    const tries = [
      { key: K2, content: sealed },
      { key: K1, content: `${sealed.slice(0, -4)}AAAA` },
      { key: K1, content: `llmuxc1.${Buffer.from("x".repeat(64)).toString("base64url")}` },
    ];
    for (const t of tries) {
      const bad = await post(
        h,
        t.key,
        codexTurn("via-anthropic", [{ ...item, encrypted_content: t.content }, userText("go on")]),
      );
      expect(bad.status).toBe(400);
      expect(bad.text).toContain("encrypted_content");
    }
    expect(h.mock.requests).toHaveLength(1);
  });

  it("the legacy POST /v1/responses/compact answers {output: [one compaction item]}", async () => {
    h.mock.reset();
    h.mock.enqueue({ blocks: [{ type: "text", text: SUMMARY }] });
    const r = await post(
      h,
      K1,
      { model: "via-compat", input: history, instructions: "You are Codex." },
      "/v1/responses/compact",
    );
    expect(r.status).toBe(200);
    const output = (JSON.parse(r.text) as Body).output as Body[];
    expect(output.map((o) => o.type)).toEqual(["compaction"]);
    expect(h.mock.requests[0]!.raw).toContain("CONTEXT CHECKPOINT COMPACTION");
  });

  it("the compaction call is billed to the key (its request-log line has usage and cost)", async () => {
    h.mock.reset();
    h.mock.enqueue({ blocks: [{ type: "text", text: SUMMARY }], usage: { input: 1200, output: 300 } });
    const before = h.logs.length;
    await post(h, K2, codexTurn("via-anthropic", [...history, { type: "compaction_trigger" }]));
    const line = h.logs.slice(before).find((l) => l.msg === "request")!;
    expect(line.tokens).toMatchObject({ output: 300 });
    expect(line.cost_usd).toBeGreaterThan(0);
  });

  it("over a WebSocket too", async () => {
    h.mock.reset();
    h.mock.enqueue({ blocks: [{ type: "text", text: SUMMARY }] });
    const s = await ResponsesSocket.open(h.url, K1);
    const got = await s.turn(codexTurn("via-anthropic", [...history, { type: "compaction_trigger" }]));
    const done = got.filter((f) => f.type === "response.output_item.done");
    expect(done.map((f) => f.item.type)).toEqual(["compaction"]);
    expect(got.at(-1)!.response.output).toHaveLength(1);
    await s.close();
  });

  it("a Responses upstream gets the trigger passed through (it compacts itself)", async () => {
    h.mock.reset();
    await post(h, K1, codexTurn("via-azure-responses", [...history, { type: "compaction_trigger" }]));
    expect(h.mock.requests[0]!.raw).toContain('"compaction_trigger"');
    expect(h.mock.requests[0]!.raw).not.toContain("CONTEXT CHECKPOINT COMPACTION");
  });
});
