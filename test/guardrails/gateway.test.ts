/**
 * The guardrails in front of the mock upstream (which records every body it received), in each client dialect
 * (Chat, Responses, Messages, Gemini) and each position (user text, system, tool result, earlier assistant
 * tool-call arguments), with planted secrets of fifteen kinds: blocked, masked or warned as configured. A mask
 * never lets a value reach the upstream, and the answer (which the mock makes of the placeholders it received,
 * one character an event) gets the real values back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockRequest, MockTurn } from "../../src/mock/server.js";
import { reassembled } from "../../src/secrets/stream-text.js";
import { type Body, eventually, type Harness, startHarness } from "../support/gateway.js";
import { Scrape } from "../support/prometheus.js";
import { DIALECT_CALLS, POSITIONS, type Position } from "./bodies.js";
import { planted } from "./planted.js";

const PLANTS = planted("gw");
const TEXT = PLANTS.map((p) => p.text).join("\n\n");
/** The part of each secret that must not reach an upstream: its longest line (a PEM is cut by line breaks). */
const CORE = PLANTS.map((p) => p.secret.split("\n").reduce((a, b) => (b.length > a.length ? b : a)));
const INVENTED = "LLMUX_MASK_0123456789abcdef";

/** The mock's answer: every placeholder it received, in text and in a write_file call, one character an event. */
function echoPlaceholders(_body: unknown, req: MockRequest): MockTurn {
  const seen = [...new Set(req.raw.match(/LLMUX_MASK_[0-9a-f]{16}/g) ?? [])];
  const text = `seen: ${seen.join(" ")} and ${INVENTED}`;
  return {
    chunkChars: 1,
    blocks: [
      { type: "text", text },
      {
        type: "tool_call",
        name: "write_file",
        arguments: JSON.stringify({ path: "config.ts", content: seen.join("\n") }),
        id: "call_w",
      },
    ],
  };
}

async function send(h: Harness, path: string, body: unknown, key = "k-one-planted-0001"): Promise<Response> {
  return fetch(`${h.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${key}`,
      "x-api-key": key,
      "x-goog-api-key": key,
    },
    body: JSON.stringify(body),
  });
}

function locationOf(where: Position): RegExp {
  return {
    user: /^message 1$/,
    system: /system/,
    "tool result": /^tool result of read_file/,
    "tool arguments": /^arguments of tool call write_file/,
  }[where];
}

describe("guardrails through the gateway", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      () => ({
        auth: { keys: ["k-one-planted-0001", "k-two-planted-0002"] },
        metrics: { public: true },
        guardrails: {
          enabled: true,
          actions: { secrets: "mask", entropy: "off" },
          keys: {},
          teams: {},
        },
        models: {
          "block-anthropic": {
            provider: "anthropic",
            model: "claude-sonnet-4-5",
            guardrails: { actions: { secrets: "block" } },
          },
          "warn-anthropic": {
            provider: "anthropic",
            model: "claude-sonnet-4-5",
            guardrails: { actions: { secrets: "warn" } },
          },
          "dry-anthropic": {
            provider: "anthropic",
            model: "claude-sonnet-4-5",
            guardrails: { actions: { secrets: "block" }, dry_run: true },
          },
        },
      }),
      { fallback: echoPlaceholders },
    );
  }, 30_000);
  afterAll(async () => h?.close());

  for (const { dialect, model, build } of DIALECT_CALLS)
    for (const where of POSITIONS)
      for (const stream of [true, false])
        it(`masks every kind in ${dialect}, ${where}, ${stream ? "streamed" : "whole"}: the upstream never sees one, the answer gets them back`, async () => {
          const call = build(model, where, TEXT, stream);
          const before = h.mock.requests.length;
          const res = await send(h, call.path, call.body);
          const answer = await res.text();
          expect(res.status, answer).toBe(200);
          const upstream = h.mock.requests.slice(before);
          expect(upstream).toHaveLength(1);
          for (const core of CORE) expect(upstream[0]!.raw).not.toContain(core);
          // Every kind was found where it was planted, and masked.
          const warnings = res.headers.get("llmux-warnings") ?? "";
          for (const p of PLANTS) expect(warnings).toContain(`${p.rule} in`);
          const seen = [...new Set(upstream[0]!.raw.match(/LLMUX_MASK_[0-9a-f]{16}/g))];
          expect(seen.length).toBeGreaterThanOrEqual(PLANTS.length);
          // The answer: each value back in text and in the tool call's arguments, the invented placeholder left.
          const texts = stream ? reassembled(answer).join("\n") : answer;
          for (const core of CORE) expect(texts).toContain(core);
          for (const s of seen) expect(texts).not.toContain(s);
          expect(texts).toContain(INVENTED);
          if (!stream) {
            const json = JSON.parse(answer) as Body;
            const args = JSON.stringify(json);
            for (const core of CORE) expect(args.split(core).length - 1).toBeGreaterThanOrEqual(2);
          }
        });

  it.each(POSITIONS)("names where in the request log's warnings: %s", async (where) => {
    const { build, model } = DIALECT_CALLS[2];
    const res = await send(h, "/v1/messages", build(model, where, PLANTS[0]!.text, false).body);
    expect(res.status).toBe(200);
    const warnings = res.headers.get("llmux-warnings") ?? "";
    const at = /aws-access-token in (.*?) \(masked\)/.exec(warnings)?.[1];
    expect(at).toMatch(locationOf(where));
  });

  it("blocks as the alias says: a 400 in the client's dialect naming rule and place, nothing sent upstream", async () => {
    const before = h.mock.requests.length;
    for (const { dialect, build } of DIALECT_CALLS) {
      const call = build(dialect === "gemini" ? "block-anthropic" : "block-anthropic", "tool result", TEXT, false);
      const res = await send(h, call.path, call.body);
      const body = (await res.json()) as Body;
      expect(res.status).toBe(400);
      const message = JSON.stringify(body);
      expect(message).toContain("aws-access-token in tool result of read_file");
      for (const core of CORE) expect(message).not.toContain(core);
      if (dialect === "messages") expect(body.type).toBe("error");
      if (dialect === "chat") expect(body.error.code).toBe("guardrail_blocked");
    }
    expect(h.mock.requests.length).toBe(before);
  });

  it("warns as the alias says: the secret passes, llmux-warnings names it", async () => {
    const before = h.mock.requests.length;
    const res = await send(h, "/v1/messages", {
      model: "warn-anthropic",
      max_tokens: 4000,
      messages: [{ role: "user", content: TEXT }],
    });
    await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get("llmux-warnings")).toContain("github-pat in message 1 (warned)");
    expect(h.mock.requests[before]!.raw).toContain(CORE[2]!);
  });

  it("a dry run records what it would have done and does nothing", async () => {
    const before = h.mock.requests.length;
    const res = await send(h, "/v1/messages", {
      model: "dry-anthropic",
      max_tokens: 4000,
      messages: [{ role: "user", content: TEXT }],
    });
    await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get("llmux-warnings")).toContain("npm-access-token in message 1 (dry run: would be blocked)");
    expect(h.mock.requests[before]!.raw).toContain(CORE[13]!);
  });

  it("another key's conversation cannot unmask: its answer keeps the first key's placeholders", async () => {
    const before = h.mock.requests.length;
    const first = await send(h, "/v1/messages", {
      model: "via-anthropic",
      max_tokens: 4000,
      messages: [{ role: "user", content: TEXT }],
    });
    await first.text();
    const theirs = [...new Set(h.mock.requests[before]!.raw.match(/LLMUX_MASK_[0-9a-f]{16}/g))];
    expect(theirs.length).toBeGreaterThan(0);
    // The second key sends the first one's placeholders (copied from somewhere): they stay placeholders.
    const second = await send(
      h,
      "/v1/messages",
      {
        model: "via-anthropic",
        max_tokens: 4000,
        messages: [{ role: "user", content: `${theirs.join(" ")} ${PLANTS[0]!.text}` }],
      },
      "k-two-planted-0002",
    );
    const text = await second.text();
    for (const p of theirs) expect(text).toContain(p);
    expect(text).toContain(CORE[0]!);
  });

  it("counts hits by rule and action on /metrics (read by an independent Prometheus parser)", async () => {
    const scrape = async () => Scrape.parse(await (await fetch(`${h.url}/metrics`)).text());
    const before = await scrape();
    const was = (rule: string, action: string) =>
      before.has("llmux_guardrail_hits_total") ? before.sum("llmux_guardrail_hits_total", { rule, action }) : 0;
    const [mask, block] = [was("github-pat", "mask"), was("npm-access-token", "block")];
    await (
      await send(h, "/v1/messages", {
        model: "via-anthropic",
        max_tokens: 4000,
        messages: [{ role: "user", content: TEXT }],
      })
    ).text();
    await (
      await send(h, "/v1/messages", {
        model: "block-anthropic",
        max_tokens: 4000,
        messages: [{ role: "user", content: TEXT }],
      })
    ).text();
    let after = await scrape();
    for (
      let i = 0;
      i < 50 && after.sum("llmux_guardrail_hits_total", { rule: "npm-access-token", action: "block" }) === block;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 20));
      after = await scrape();
    }
    expect(after.sum("llmux_guardrail_hits_total", { rule: "github-pat", action: "mask", dry_run: "false" })).toBe(
      mask + 1,
    );
    expect(after.sum("llmux_guardrail_hits_total", { rule: "npm-access-token", action: "block" })).toBe(block + 1);
  });

  it("refusals and findings are on the request's log line, never a value", async () => {
    const res = await send(h, "/v1/messages", {
      model: "block-anthropic",
      max_tokens: 4000,
      messages: [{ role: "user", content: TEXT }],
    });
    await res.text();
    const line = await eventually(() =>
      h.logs.find((l) => l.status === 400 && String(l.reason).includes("in message 1;")),
    );
    const words = JSON.stringify(line);
    expect(words).toContain("aws-access-token in message 1");
    for (const core of CORE) expect(words).not.toContain(core);
  });
});

describe("guardrails on a Responses conversation llmux keeps (previous_response_id)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      () => ({ auth: { keys: ["k-one-planted-0001"] }, guardrails: { enabled: true, actions: { entropy: "off" } } }),
      { fallback: echoPlaceholders },
    );
  }, 30_000);
  afterAll(async () => h?.close());

  it("masks the history llmux resends, and puts back placeholders of earlier turns", async () => {
    const first = await send(h, "/v1/responses", { model: "via-anthropic", input: TEXT });
    const one = (await first.json()) as Body;
    expect(first.status).toBe(200);
    expect(JSON.stringify(one.output)).toContain(CORE[0]!);
    // The next turn names only the previous answer: its history (with the values the answer got back) is llmux's.
    const before = h.mock.requests.length;
    const second = await send(h, "/v1/responses", {
      model: "via-anthropic",
      previous_response_id: one.id,
      input: "now write config.ts with those keys",
    });
    const two = (await second.json()) as Body;
    expect(second.status).toBe(200);
    const upstream = h.mock.requests[before]!.raw;
    for (const core of CORE) expect(upstream).not.toContain(core);
    const answer = JSON.stringify(two.output);
    for (const core of CORE) expect(answer).toContain(core);
    expect(answer).not.toMatch(/LLMUX_MASK_(?!0123456789abcdef)[0-9a-f]{16}/);
  });
});

describe("guardrails on count_tokens", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(() => ({
      guardrails: { enabled: true, actions: { entropy: "off" } },
      models: {
        "block-anthropic": {
          provider: "anthropic",
          model: "claude-sonnet-4-5",
          guardrails: { actions: { secrets: "block" } },
        },
      },
    }));
  }, 30_000);
  afterAll(async () => h?.close());

  it("counts the placeholders, not the values, and refuses what a block says", async () => {
    const before = h.mock.requests.length;
    const masked = await send(h, "/v1/messages/count_tokens", {
      model: "via-anthropic",
      messages: [{ role: "user", content: TEXT }],
    });
    expect(masked.status).toBe(200);
    const sent = h.mock.requests.slice(before).find((r) => r.path.includes("count_tokens"))!;
    for (const core of CORE) expect(sent.raw).not.toContain(core);
    expect(sent.raw).toMatch(/LLMUX_MASK_[0-9a-f]{16}/);
    const blocked = await send(h, "/v1/messages/count_tokens", {
      model: "block-anthropic",
      messages: [{ role: "user", content: TEXT }],
    });
    expect(blocked.status).toBe(400);
    expect(await blocked.text()).toContain("guardrail");
  });
});

describe("a value masked before, found again out of its rule's context", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      () => ({ auth: { keys: ["k-one-planted-0001", "k-two-planted-0002"] }, guardrails: { enabled: true } }),
      { fallback: echoPlaceholders },
    );
  }, 30_000);
  afterAll(async () => h?.close());

  it("is masked again: a database password the agent wrote into config.ts never reaches the upstream", async () => {
    const db = PLANTS.find((p) => p.rule === "database-url-password")!;
    const first = await send(h, "/v1/messages", {
      model: "via-anthropic",
      max_tokens: 4000,
      messages: [{ role: "user", content: `my .env:\n${db.text}\nwrite config.ts` }],
    });
    const one = (await first.json()) as Body;
    const call = one.content.find((c: Body) => c.type === "tool_use");
    // The agent writes the real password (put back into the tool call's input).
    expect(call.input.content).toBe(db.secret);
    // A later request holds the password alone (the .env no longer in it): still masked.
    const before = h.mock.requests.length;
    const later = { role: "user", content: `config.ts now reads: const password = "${db.secret}";` };
    const second = await send(h, "/v1/messages", { model: "via-anthropic", max_tokens: 4000, messages: [later] });
    const answer = await second.text();
    expect(second.status).toBe(200);
    expect(h.mock.requests[before]!.raw).not.toContain(db.secret);
    expect(answer).toContain(db.secret);
    // Another key's request with the same text is that key's business: nothing of the first key's applies.
    const third = await send(
      h,
      "/v1/messages",
      { model: "via-anthropic", max_tokens: 4000, messages: [later] },
      "k-two-planted-0002",
    );
    await third.text();
    expect(h.mock.requests.at(-1)!.raw).toContain(db.secret);
  });
});
