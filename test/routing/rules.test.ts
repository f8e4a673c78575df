/**
 * Routing rules, field by field (docs/routing.md#routing-rules): each match condition holds for the requests
 * docs/config.md says it does, in every dialect's spelling, and not for the others; the first rule that holds
 * wins, and says why.
 */
import { describe, expect, it } from "vitest";
import { type RoutingRule, RuleSchema } from "../../src/config/schema-rules.js";
import type { Dialect, JsonObject } from "../../src/ir/types.js";
import { BodyFacts } from "../../src/routing/rule-facts.js";
import { RouteRules, type RuleRequest } from "../../src/routing/rules.js";
import { estimateInputTokens } from "../../src/tokens/count.js";
import { codecs } from "../../src/translate/codecs.js";

const rule = (match: Record<string, unknown>, route = "target", name = "r"): RoutingRule =>
  RuleSchema.parse({ name, match, route });

function req(body: JsonObject, more: Partial<RuleRequest> = {}, dialect: Dialect = "anthropic"): RuleRequest {
  return {
    model: typeof body.model === "string" ? body.model : "claude-sonnet-4-5",
    agent: "main",
    tags: [],
    minuteOfDay: () => 12 * 60,
    body: new BodyFacts(dialect, body),
    ...more,
  };
}

async function first(rules: RoutingRule[], r: RuleRequest) {
  return await new RouteRules(rules).first(r);
}

const USER = { role: "user", content: "hello" };
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

describe("routing rules: each condition", () => {
  it("input_tokens: > and < against count_tokens's own estimate", async () => {
    const big = { model: "m", max_tokens: 10, messages: [{ role: "user", content: "word ".repeat(5000) }] };
    const small = { model: "m", max_tokens: 10, messages: [USER] };
    const counted = await estimateInputTokens(codecs.anthropic.decodeRequest(big));
    expect(counted).toBeGreaterThan(4000);
    const rules = [rule({ input_tokens: `> ${counted - 1}` }, "long", "long-context")];
    const hit = await first(rules, req(big));
    expect(hit?.route).toBe("long");
    expect(hit?.why).toMatch(/^~[\d.]+k tokens > /);
    expect(await first([rule({ input_tokens: `> ${counted}` })], req(big))).toBeUndefined();
    expect((await first([rule({ input_tokens: "< 2k" })], req(small)))?.route).toBe("target");
    expect(await first([rule({ input_tokens: "< 2k" })], req(big))).toBeUndefined();
  });

  it("reasoning and effort, in every dialect's spelling", async () => {
    const think = [rule({ reasoning: true }, "thinker")];
    const cases: [Dialect, JsonObject, string | undefined][] = [
      ["anthropic", { messages: [USER], thinking: { type: "enabled", budget_tokens: 16000 } }, "high"],
      ["anthropic", { messages: [USER], thinking: { type: "adaptive" }, output_config: { effort: "max" } }, "max"],
      ["openai-chat", { messages: [USER], reasoning_effort: "low" }, "low"],
      ["openai-responses", { input: "hi", reasoning: { effort: "medium" } }, "medium"],
      ["gemini", { contents: [], generationConfig: { thinkingConfig: { thinkingBudget: 2048 } } }, "minimal"],
    ];
    for (const [dialect, body, effort] of cases) {
      expect((await first(think, req(body, {}, dialect)))?.route, JSON.stringify(body)).toBe("thinker");
      expect((await first([rule({ effort })], req(body, {}, dialect)))?.route).toBe("target");
      expect(
        await first([rule({ effort: effort === "low" ? "high" : "low" })], req(body, {}, dialect)),
      ).toBeUndefined();
    }
    const none: [Dialect, JsonObject][] = [
      ["anthropic", { messages: [USER] }],
      ["anthropic", { messages: [USER], thinking: { type: "disabled" } }],
      ["openai-chat", { messages: [USER], reasoning_effort: "none" }],
      ["gemini", { contents: [], generationConfig: { thinkingConfig: { thinkingBudget: 0 } } }],
    ];
    for (const [dialect, body] of none) {
      expect(await first(think, req(body, {}, dialect))).toBeUndefined();
      expect((await first([rule({ reasoning: false })], req(body, {}, dialect)))?.why).toBe("no reasoning");
    }
  });

  it("images and documents anywhere in the conversation, tool results included", async () => {
    const img = [rule({ images: true }, "vision")];
    const docs = [rule({ documents: true }, "reader")];
    const anthropicImage = {
      messages: [
        { role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: PNG } }] },
      ],
    };
    const inToolResult = {
      messages: [
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: "t",
              content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: PNG } }],
            },
          ],
        },
      ],
    };
    const chatImage = {
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] }],
    };
    const responsesFile = { input: [{ role: "user", content: [{ type: "input_file", file_id: "file_1" }] }] };
    const anthropicPdf = {
      messages: [
        {
          role: "user",
          content: [{ type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" } }],
        },
      ],
    };
    const geminiImage = { contents: [{ role: "user", parts: [{ inlineData: { mimeType: "image/png", data: PNG } }] }] };
    expect((await first(img, req(anthropicImage)))?.route).toBe("vision");
    expect((await first(img, req(inToolResult)))?.route).toBe("vision");
    expect((await first(img, req(chatImage, {}, "openai-chat")))?.route).toBe("vision");
    expect((await first(img, req(geminiImage, {}, "gemini")))?.route).toBe("vision");
    expect(await first(img, req({ messages: [USER] }))).toBeUndefined();
    expect(await first(img, req(anthropicPdf))).toBeUndefined();
    expect((await first(docs, req(anthropicPdf)))?.route).toBe("reader");
    expect((await first(docs, req(responsesFile, {}, "openai-responses")))?.route).toBe("reader");
    expect(await first(docs, req(anthropicImage))).toBeUndefined();
  });

  it("tools present, and tools by name (functions, built-in tools by their type)", async () => {
    const withTools: JsonObject = {
      messages: [USER],
      tools: [
        { name: "Bash", input_schema: { type: "object" } },
        { type: "web_search_20250305", name: "web_search" },
      ],
    };
    const responsesSearch = { input: "hi", tools: [{ type: "web_search_preview" }] };
    const chatFn = {
      messages: [USER],
      tools: [{ type: "function", function: { name: "get_weather", parameters: {} } }],
    };
    const geminiSearch = { contents: [], tools: [{ googleSearch: {} }] };
    expect((await first([rule({ tools: true })], req(withTools)))?.route).toBe("target");
    expect(await first([rule({ tools: true })], req({ messages: [USER] }))).toBeUndefined();
    expect((await first([rule({ tools: false })], req({ messages: [USER] })))?.why).toBe("no tools");
    const search = [rule({ tool: ["web_search*", "googleSearch"] }, "searcher")];
    expect((await first(search, req(withTools)))?.why).toBe("tool web_search");
    expect((await first(search, req(responsesSearch, {}, "openai-responses")))?.route).toBe("searcher");
    expect((await first(search, req(geminiSearch, {}, "gemini")))?.route).toBe("searcher");
    expect(await first(search, req(chatFn, {}, "openai-chat"))).toBeUndefined();
    expect((await first([rule({ tool: "get_*" })], req(chatFn, {}, "openai-chat")))?.why).toBe("tool get_weather");
  });

  it("client, agent, model, key, team, tag", async () => {
    const body = { model: "claude-haiku-4-5", messages: [USER] };
    expect((await first([rule({ client: "claude-code" })], req(body, { client: "claude-code" })))?.why).toBe(
      "client claude-code",
    );
    expect(await first([rule({ client: ["codex", "cursor"] })], req(body, { client: "claude-code" }))).toBeUndefined();
    expect(await first([rule({ client: "codex" })], req(body))).toBeUndefined();
    expect((await first([rule({ agent: "sub" })], req(body, { agent: "sub" })))?.why).toBe("sub-agent");
    expect(await first([rule({ agent: "sub" })], req(body))).toBeUndefined();
    expect((await first([rule({ agent: "main" })], req(body)))?.why).toBe("main loop");
    expect((await first([rule({ model: "claude-*haiku*" })], req(body)))?.why).toBe(
      "model claude-haiku-4-5 matches claude-*haiku*",
    );
    expect(await first([rule({ model: "gpt-*" })], req(body))).toBeUndefined();
    expect((await first([rule({ key: "ci-*" })], req(body, { key: "ci-nightly" })))?.route).toBe("target");
    expect(await first([rule({ key: "ci-*" })], req(body, { key: "alice" }))).toBeUndefined();
    expect(await first([rule({ key: "ci-*" })], req(body))).toBeUndefined();
    expect((await first([rule({ team: "team_a" })], req(body, { team: "team_a" })))?.route).toBe("target");
    expect(await first([rule({ team: "team_a" })], req(body, { team: "team_b" }))).toBeUndefined();
    expect((await first([rule({ tag: "job=background" })], req(body, { tags: ["job=background"] })))?.route).toBe(
      "target",
    );
    expect(await first([rule({ tag: "job=background" })], req(body, { tags: ["job=interactive"] }))).toBeUndefined();
  });

  it("time of day, a range within the day and one over midnight", async () => {
    const at = (h: number, m = 0) => ({ minuteOfDay: () => h * 60 + m });
    const day = [rule({ time: "09:00-18:00" })];
    const night = [rule({ time: "22:00-06:00" })];
    const body = { messages: [USER] };
    expect((await first(day, req(body, at(9))))?.why).toBe("time 09:00 in 09:00-18:00");
    expect(await first(day, req(body, at(18)))).toBeUndefined();
    expect(await first(day, req(body, at(8, 59)))).toBeUndefined();
    expect((await first(night, req(body, at(23, 30))))?.route).toBe("target");
    expect((await first(night, req(body, at(5, 59))))?.route).toBe("target");
    expect(await first(night, req(body, at(12)))).toBeUndefined();
  });

  it("budget: the share spent, as a fraction or a percentage; unknown never matches", async () => {
    const body = { messages: [USER] };
    expect((await first([rule({ budget: "> 0.8" })], req(body, { budgetShare: 0.84 })))?.why).toBe(
      "budget 84% spent > 80%",
    );
    expect(await first([rule({ budget: "> 80%" })], req(body, { budgetShare: 0.5 }))).toBeUndefined();
    expect((await first([rule({ budget: "< 50%" })], req(body, { budgetShare: 0.1 })))?.route).toBe("target");
    expect(await first([rule({ budget: "> 0.8" })], req(body))).toBeUndefined();
  });
});

describe("routing rules: order and words", () => {
  it("the first rule that holds wins; every condition of a rule must hold; none: every request", async () => {
    const rules = [
      rule({ client: "codex", reasoning: true }, "a", "codex-think"),
      rule({ reasoning: true }, "b", "think"),
      rule({}, "c", "rest"),
    ];
    const think = { messages: [USER], thinking: { type: "enabled", budget_tokens: 4000 } };
    expect(await first(rules, req(think, { client: "codex" }))).toEqual({
      rule: "codex-think",
      route: "a",
      why: "client codex, reasoning (low)",
    });
    expect((await first(rules, req(think, { client: "claude-code" })))?.rule).toBe("think");
    expect(await first(rules, req({ messages: [USER] }))).toEqual({ rule: "rest", route: "c", why: "every request" });
  });

  it("the token count is asked only when the rule's other conditions held, and once", async () => {
    let counted = 0;
    const facts = new BodyFacts("anthropic", { messages: [USER] });
    const original = facts.inputTokens.bind(facts);
    facts.inputTokens = () => {
      counted++;
      return original();
    };
    const rules = new RouteRules([
      rule({ client: "codex", input_tokens: "> 1" }, "a", "one"),
      rule({ input_tokens: "> 100000" }, "b", "two"),
      rule({ input_tokens: "< 100000" }, "c", "three"),
    ]);
    const r = { ...req({}), body: facts };
    const sync = rules.first({ ...r, client: "claude-code", body: new BodyFacts("anthropic", {}) });
    expect(sync).toBeInstanceOf(Promise);
    expect((await rules.first(r))?.rule).toBe("three");
    expect(counted).toBe(1);
    // Without a token condition, the answer is not a promise: no count at all.
    expect(new RouteRules([rule({ model: "*" })]).first(req({}))).toEqual({
      rule: "r",
      route: "target",
      why: "model claude-sonnet-4-5 matches *",
    });
  });
});
