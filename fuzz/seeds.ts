/**
 * Known-good inputs the fuzzer mutates: a request body per inbound route, an answer per upstream dialect (the
 * recorded upstream streams when they are found, beside the repository or above it, and small ones of our own),
 * OTLP exports, MCP results.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Json } from "./mutate.js";

export const MODELS = [
  "via-openai-chat",
  "via-openai-responses",
  "via-anthropic",
  "via-gemini",
  "via-mock-chat",
  "via-mock-anthropic",
] as const;

const user = "fz0 hello";

/** The inbound routes that decode a body, and a body each takes. */
export const ROUTE_SEEDS: { path: string; body: Json }[] = [
  { path: "/v1/chat/completions", body: { model: "via-mock-chat", messages: [{ role: "user", content: user }] } },
  {
    path: "/v1/chat/completions",
    body: {
      model: "via-mock-chat",
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: [{ type: "text", text: user }] },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
        },
        { role: "tool", tool_call_id: "c1", content: "ok" },
      ],
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } }],
    },
  },
  { path: "/openai/deployments/via-mock-chat/chat/completions", body: { messages: [{ role: "user", content: user }] } },
  { path: "/v1/responses", body: { model: "via-mock-chat", input: user } },
  {
    path: "/v1/responses",
    body: {
      model: "via-mock-anthropic",
      stream: true,
      instructions: "be brief",
      input: [
        { type: "message", role: "user", content: [{ type: "input_text", text: user }] },
        { type: "function_call", call_id: "c1", name: "f", arguments: "{}" },
        { type: "function_call_output", call_id: "c1", output: "ok" },
      ],
      tools: [{ type: "function", name: "f", parameters: { type: "object", properties: {} } }],
      reasoning: { effort: "low", summary: "auto" },
    },
  },
  { path: "/v1/responses/compact", body: { model: "via-mock-chat", input: [{ role: "user", content: user }] } },
  {
    path: "/v1/messages",
    body: { model: "via-mock-anthropic", max_tokens: 64, messages: [{ role: "user", content: user }] },
  },
  {
    path: "/v1/messages",
    body: {
      model: "via-mock-chat",
      max_tokens: 64,
      stream: true,
      system: [{ type: "text", text: "be brief", cache_control: { type: "ephemeral" } }],
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [
        { role: "user", content: [{ type: "text", text: user }] },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "f", input: { a: [1, { b: 2 }] } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "ok" }] },
      ],
      tools: [{ name: "f", input_schema: { type: "object", properties: {} } }],
    },
  },
  {
    path: "/v1/messages/count_tokens",
    body: { model: "via-mock-anthropic", messages: [{ role: "user", content: user }] },
  },
  {
    path: "/v1beta/models/via-mock-chat:generateContent",
    body: {
      contents: [{ role: "user", parts: [{ text: user }] }],
      generationConfig: { maxOutputTokens: 64 },
      tools: [{ functionDeclarations: [{ name: "f", parameters: { type: "object", properties: {} } }] }],
    },
  },
  {
    path: "/v1beta/models/via-mock-anthropic:streamGenerateContent?alt=sse",
    body: { contents: [{ role: "user", parts: [{ text: user }] }], systemInstruction: { parts: [{ text: "x" }] } },
  },
  { path: "/v1beta/models/via-mock-chat:countTokens", body: { contents: [{ role: "user", parts: [{ text: user }] }] } },
  {
    path: "/model/via-mock-anthropic/invoke",
    body: { anthropic_version: "bedrock-2023-05-31", max_tokens: 64, messages: [{ role: "user", content: user }] },
  },
  {
    path: "/model/via-mock-chat/invoke-with-response-stream",
    body: {
      anthropic_version: "bedrock-2023-05-31",
      anthropic_beta: ["x"],
      max_tokens: 64,
      messages: [{ role: "user", content: user }],
    },
  },
  {
    path: "/model/via-mock-anthropic/count-tokens",
    body: {
      input: {
        invokeModel: {
          body: Buffer.from(
            JSON.stringify({
              anthropic_version: "bedrock-2023-05-31",
              max_tokens: 9,
              messages: [{ role: "user", content: user }],
            }),
          ).toString("base64"),
        },
      },
    },
  },
  {
    path: "/v1/projects/p/locations/l/publishers/anthropic/models/via-mock-chat:streamRawPredict",
    body: { anthropic_version: "vertex-2023-10-16", max_tokens: 64, messages: [{ role: "user", content: user }] },
  },
  // Web tools llmux runs itself (issue 42): an Anthropic client's server tools and the blocks it sends back, a
  // Responses client's web_search and its web_search_call item.
  {
    path: "/v1/messages",
    body: {
      model: "via-mock-chat",
      max_tokens: 64,
      tools: [
        { type: "web_search_20250305", name: "web_search", max_uses: 2, allowed_domains: ["example.org"] },
        { type: "web_fetch_20250910", name: "web_fetch", max_content_tokens: 100 },
      ],
      messages: [
        { role: "user", content: user },
        {
          role: "assistant",
          content: [
            { type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: { query: "q" } },
            {
              type: "web_search_tool_result",
              tool_use_id: "srvtoolu_1",
              content: [
                {
                  type: "web_search_result",
                  url: "https://example.org/",
                  title: "t",
                  encrypted_content: "llmux-ws1.eyJzIjoiYSBzbmlwcGV0In0",
                  page_age: null,
                },
              ],
            },
            {
              type: "text",
              text: "see https://example.org/",
              citations: [
                {
                  type: "web_search_result_location",
                  url: "https://example.org/",
                  title: "t",
                  encrypted_index: "x",
                  cited_text: "a",
                },
              ],
            },
          ],
        },
        { role: "user", content: "thanks" },
      ],
    },
  },
  {
    path: "/v1/responses",
    body: {
      model: "via-mock-chat",
      tools: [{ type: "web_search", search_context_size: "low", filters: { allowed_domains: ["example.org"] } }],
      input: [
        { type: "message", role: "user", content: [{ type: "input_text", text: user }] },
        {
          type: "web_search_call",
          id: "ws_1",
          status: "completed",
          action: { type: "search", query: "q", sources: [{ type: "url", url: "https://example.org/" }] },
        },
        { type: "message", role: "user", content: [{ type: "input_text", text: "thanks" }] },
      ],
    },
  },
];

/** Small answers of each upstream dialect, whole (JSON) and streamed (SSE). */
export const ANSWER_SEEDS: Record<
  "openai-chat" | "openai-responses" | "anthropic" | "gemini",
  { json: Json[]; sse: string[] }
> = {
  "openai-chat": {
    json: [
      {
        id: "c",
        object: "chat.completion",
        model: "m",
        choices: [
          {
            index: 0,
            finish_reason: "tool_calls",
            message: {
              role: "assistant",
              content: "hi",
              tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
            },
          },
        ],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      },
    ],
    sse: [
      'data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"hi"}}]}\n\ndata: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"t","type":"function","function":{"name":"f","arguments":"{\\"a\\""}}]}}]}\n\ndata: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}\n\ndata: [DONE]\n\n',
    ],
  },
  "openai-responses": {
    json: [
      {
        id: "resp_1",
        object: "response",
        status: "completed",
        model: "m",
        output: [
          { type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "think" }] },
          {
            type: "message",
            id: "msg_1",
            role: "assistant",
            content: [{ type: "output_text", text: "hi", annotations: [] }],
          },
          { type: "function_call", id: "fc_1", call_id: "c1", name: "f", arguments: "{}" },
        ],
        usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 },
      },
    ],
    sse: [
      'event: response.created\ndata: {"type":"response.created","response":{"id":"resp_1","status":"in_progress","output":[]}}\n\nevent: response.output_item.added\ndata: {"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","content":[]}}\n\nevent: response.output_text.delta\ndata: {"type":"response.output_text.delta","output_index":0,"content_index":0,"item_id":"msg_1","delta":"hi"}\n\nevent: response.output_item.done\ndata: {"type":"response.output_item.done","output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","content":[{"type":"output_text","text":"hi"}]}}\n\nevent: response.completed\ndata: {"type":"response.completed","response":{"id":"resp_1","status":"completed","output":[],"usage":{"input_tokens":3,"output_tokens":2}}}\n\n',
    ],
  },
  anthropic: {
    json: [
      {
        id: "msg_1",
        type: "message",
        role: "assistant",
        model: "m",
        content: [
          { type: "thinking", thinking: "t", signature: "s" },
          { type: "text", text: "hi" },
          { type: "tool_use", id: "tu", name: "f", input: { a: 1 } },
        ],
        stop_reason: "tool_use",
        usage: { input_tokens: 3, output_tokens: 2 },
      },
    ],
    sse: [
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"usage":{"input_tokens":3,"output_tokens":0}}}\n\nevent: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}\n\nevent: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\nevent: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"tu","name":"f","input":{}}}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"a\\":1}"}}\n\nevent: content_block_stop\ndata: {"type":"content_block_stop","index":1}\n\nevent: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":2}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n',
    ],
  },
  gemini: {
    json: [
      {
        candidates: [
          {
            content: {
              role: "model",
              parts: [{ text: "t", thought: true }, { text: "hi" }, { functionCall: { name: "f", args: { a: 1 } } }],
            },
            finishReason: "STOP",
          },
        ],
        usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 },
      },
    ],
    sse: [
      'data: {"candidates":[{"content":{"role":"model","parts":[{"text":"hi"}]}}]}\r\n\r\ndata: {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"f","args":{"a":1}}}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2}}\r\n\r\n',
    ],
  },
};

/** The recorded upstream streams' folder, looked for above the working directory (`shared/fixtures/…`). */
function recordedDir(): string | undefined {
  let dir = resolve(process.cwd());
  for (;;) {
    const here = join(dir, "shared", "fixtures", "upstream-streams");
    if (existsSync(join(here, "README.txt"))) return here;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

type AnswerDialect = keyof typeof ANSWER_SEEDS;

function dialectOf(text: string): AnswerDialect {
  if (/"type"\s*:\s*"response\.|^event: response\./m.test(text)) return "openai-responses";
  if (/"type"\s*:\s*"message_start"/.test(text)) return "anthropic";
  if (/^data: \{"candidates"/m.test(text)) return "gemini";
  return "openai-chat";
}

/** A recording as the SSE body it was sent as (the README names each file's format). */
function asSse(format: string, raw: string): string {
  if (format.startsWith("SSE")) return raw;
  const lines = raw.split("\n").filter((l) => l.trim().length > 0);
  if (format.startsWith("JSONL-CHAT")) return `${lines.map((l) => `data: ${l}\n\n`).join("")}data: [DONE]\n\n`;
  if (format.startsWith("JSONL-GEMINI")) return lines.map((l) => `data: ${l}\r\n\r\n`).join("");
  return lines
    .map((l) => {
      try {
        return `event: ${(JSON.parse(l) as { type: string }).type}\ndata: ${l}\n\n`;
      } catch {
        return `data: ${l}\n\n`;
      }
    })
    .join("");
}

let loaded: typeof ANSWER_SEEDS | undefined;

/** The answer seeds with the recorded streams added (when found), per dialect. */
export function answerSeeds(): typeof ANSWER_SEEDS {
  if (loaded) return loaded;
  const out = structuredClone(ANSWER_SEEDS);
  const dir = recordedDir();
  if (dir) {
    const formats = new Map<string, string>();
    let current: string | undefined;
    for (const line of readFileSync(join(dir, "README.txt"), "utf8").split("\n")) {
      const m = /^([a-z-]+\/[^\s]+\.(?:sse|txt|json))$/.exec(line);
      if (m) current = m[1];
      const f = /^\s+format\s+:\s+(.*)$/.exec(line);
      if (f && current) formats.set(current, f[1]!.trim());
    }
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (!d.isDirectory()) continue;
      for (const name of readdirSync(join(dir, d.name)).sort()) {
        const format = formats.get(`${d.name}/${name}`);
        if (!format || format.startsWith("JSON-BODY")) continue;
        const sse = asSse(format, readFileSync(join(dir, d.name, name), "utf8"));
        // The long ones are left out: a mutant of a 500 KB stream costs a hundred small ones.
        if (sse.length < 64 * 1024) out[dialectOf(sse)].sse.push(sse);
      }
    }
  }
  loaded = out;
  return out;
}
