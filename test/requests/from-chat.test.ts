/**
 * Chat Completions client → every upstream: the conversation (messages, tools, media, reasoning, ids, empty
 * text), as a fixture table (see table.ts); the request parameters are in from-chat-params.test.ts. Client
 * bodies in fixtures/from-chat/, upstream bodies in __snapshots__/from-chat/. The expected bodies were first
 * written by hand from /work/shared/reference/wire-protocols.md (§1.1–1.3 for the client side, §2.1–2.3 /
 * §3.2–3.5 for the upstreams, §5 for the mappings and §6 for the pitfalls).
 */
import { expect } from "vitest";
import type { Translated } from "./helpers.js";
import { ANTHROPIC_TOOL_ID, obj, objs } from "./helpers.js";
import { type Case, keeps, requestTable } from "./table.js";

const OPUS47 = "claude-opus-4-7";

/** The tool_use ids of messages[1] and the tool_result ids of messages[2] of an Anthropic body. */
function anthropicIds(out: Translated): { uses: string[]; results: string[] } {
  const msgs = objs(out.body.messages);
  return {
    uses: objs(msgs[1]!.content).map((u) => u.id as string),
    results: objs(msgs[2]!.content).map((r) => r.tool_use_id as string),
  };
}

const cases: Case[] = [
  // 1. Plain text turn; the Anthropic max_tokens default is model-aware. A Chat upstream always gets include_usage.
  {
    name: "plain-text",
    input: "plain-text",
    to: { "openai-chat": { warnings: [], same: true }, "openai-responses": [], anthropic: [] },
  },
  {
    name: "plain-text-stream",
    input: "plain-text",
    with: { stream: true },
    to: { "openai-chat": [], "openai-responses": [], anthropic: [] },
  },

  // 2 + 3. system/developer may appear anywhere in Chat (§1.2): instructions for Responses; Anthropic's top-level
  // system takes them all, in order, and the moved one is reported
  {
    name: "system-developer",
    input: "system-developer",
    to: {
      "openai-chat": { warnings: [], same: true },
      "openai-responses": [],
      anthropic: ["system_moved@messages[4]"],
    },
  },
  { name: "system-single", input: "system-single", to: { anthropic: [] } },
  { name: "consecutive-users", input: "consecutive-users", to: { anthropic: [] } },

  // 4. Tool definitions, single call + result
  {
    name: "tool-single",
    input: "tool-single",
    to: { "openai-chat": { warnings: [], same: true }, "openai-responses": [], anthropic: [] },
  },
  // a tool without parameters still gets an object schema
  { name: "tool-no-params", input: "tool-no-params", to: { anthropic: [], "openai-responses": [] } },
  // a tool the client marked strict:true stays strict
  { name: "tool-strict", input: "tool-strict", to: { "openai-responses": [] } },
  // arguments that are not a JSON object are kept under "_raw" (§5.2); empty arguments become {}
  {
    name: "bad-arguments",
    input: "bad-arguments",
    to: { anthropic: ["invalid_tool_arguments@messages[1].content[0]"] },
  },
  { name: "empty-arguments", input: "empty-arguments", to: { anthropic: [] } },

  // 5. Parallel calls: Anthropic gets ONE user message with both tool_results first, then the text (§3.3, §6.2)
  {
    name: "parallel-tools",
    input: "parallel-tools",
    to: { "openai-chat": { warnings: [], same: true }, "openai-responses": [], anthropic: [] },
  },

  // 7. Images (URL, base64 data URL) and a PDF; a media type Anthropic does not take (§5.3); image detail
  {
    name: "user-media",
    input: "user-media",
    to: { "openai-chat": { warnings: [], same: true }, "openai-responses": [], anthropic: [] },
  },
  { name: "image-bmp", input: "image-bmp", to: { anthropic: ["unsupported_media@messages[0].content[1]"] } },
  {
    name: "image-detail",
    input: "image-detail",
    to: {
      "openai-chat": { warnings: [], same: true },
      "openai-responses": [],
      // Anthropic has no detail field: dropping it is reported (§5.3: LOSSY)
      anthropic: ["image_detail_dropped@messages[0].content[0]"],
    },
  },

  // 8. Reasoning history: echoed to Chat upstreams that take it (§1.7, §6.24), else dropped and reported
  {
    name: "reasoning-history-reasoning-content",
    input: "reasoning-history",
    opts: { reasoningField: "reasoning_content" },
    to: { "openai-chat": [] },
  },
  {
    name: "reasoning-history-reasoning",
    input: "reasoning-history",
    opts: { reasoningField: "reasoning" },
    to: { "openai-chat": [] },
  },
  {
    name: "reasoning-history",
    input: "reasoning-history",
    to: { "openai-responses": ["reasoning_dropped"], anthropic: ["reasoning_dropped"] },
  },
  // OpenRouter reasoning_details with an Anthropic signature become a thinking block: the open tool loop starts
  // with thinking, so thinking stays on
  {
    name: "reasoning-details-signed",
    input: "reasoning-details-signed",
    to: { anthropic: { warnings: [], check: (out) => expect(obj(out.body.thinking).type).toBe("enabled") } },
  },
  // reasoning_details are echoed back verbatim (§1.7)
  {
    name: "reasoning-details-echo",
    input: "reasoning-details-echo",
    to: { "openai-chat": { warnings: [], check: keeps("messages.1") } },
  },
  // thinking on + an open tool loop without a replayable thinking block turns thinking off (§3.5)
  {
    name: "reasoning-history-thinking-on",
    input: "reasoning-history",
    with: { reasoning_effort: "high" },
    to: { anthropic: ["reasoning_dropped", "thinking_disabled@thinking"] },
  },

  // 11. Kimi-style tool ids routed to Anthropic (§3.3, §6.5): rewritten identically on tool_use and tool_result
  {
    name: "kimi-ids",
    input: "kimi-ids",
    to: {
      anthropic: {
        warnings: [],
        check: (out) => {
          const { uses, results } = anthropicIds(out);
          for (const id of uses) expect(id).toMatch(ANTHROPIC_TOOL_ID);
          expect(new Set(uses).size).toBe(2);
          expect(results).toEqual(uses);
        },
      },
      // Chat and Responses take these ids as they are.
      "openai-chat": { warnings: [], same: true },
      "openai-responses": [],
    },
  },
  // ids that differ only in illegal characters stay distinct
  {
    name: "ids-illegal-chars",
    input: "ids-illegal-chars",
    to: {
      anthropic: {
        warnings: [],
        check: (out) => {
          const { uses, results } = anthropicIds(out);
          expect(uses[0]).not.toEqual(uses[1]);
          expect(results).toEqual(uses);
        },
      },
    },
  },

  // 13. Empty and whitespace text for Anthropic (§3.3, §6.3); prefill is rejected by opus-4-7 (§6.4)
  { name: "empty-text", input: "empty-text", to: { anthropic: [] } },
  { name: "empty-content-tool-calls", input: "empty-content-tool-calls", to: { "openai-chat": [] } },
  { name: "prefill", input: "prefill", to: { anthropic: [] } },
  {
    name: "prefill-opus",
    input: "prefill",
    with: { model: OPUS47 },
    to: { anthropic: ["prefill_dropped@messages[1]"] },
  },
];

requestTable("from-chat", "openai-chat", cases);
