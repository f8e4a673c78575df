/**
 * A local upstream for fill-in-the-middle and rerank speaking each vendor's documented shapes:
 * - OpenAI-compatible `POST …/completions` (vLLM, Ollama, DeepSeek beta): `prompt`, `suffix`; streamed
 *   `text_completion` chunks (`choices[].text`), then a usage chunk when `stream_options.include_usage`;
 * - Mistral's `POST …/fim/completions` (Codestral): streamed `chat.completion.chunk`s (`delta.content`), usage
 *   on the last;
 * - OpenAI Chat `POST …/chat/completions`, OpenAI Responses `POST …/responses` and Anthropic `POST …/v1/messages` streams (a chat model asked to
 *   fill in the middle): the answer in a code fence, repeating the suffix's start, as chat models do;
 * - Cohere Rerank on Bedrock `POST /model/{id}/invoke` (`query`, `documents`, `top_n`, `api_version` ≥ 2;
 *   answered as Cohere's v2);
 * - Cohere `POST …/v2/rerank` (`results`, `meta.billed_units.search_units`), Jina `POST …/rerank`
 *   (`results`, `usage.total_tokens`), Voyage `POST …/rerank` (`data`, `usage.total_tokens`).
 * Every call is recorded. `hold` keeps a stream open after its first chunk; the moment its connection closes
 * is recorded (`closedAt`, performance.now()).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Body } from "./gateway.js";

export interface FimCall {
  path: string;
  headers: IncomingMessage["headers"];
  body: Body;
}

export interface FimFake {
  url: string;
  calls: FimCall[];
  /** The text every completion answers (split in chunks of a few characters when streamed). */
  text: string;
  /** What chat models answer (fenced, repeating the suffix's start). */
  chatText: string;
  hold: boolean;
  /** When a held stream's connection closed (performance.now()), and when its first chunk was sent. */
  closedAt?: number | undefined;
  firstChunkAt?: number | undefined;
  onClose?: (() => void) | undefined;
  close(): Promise<void>;
}

const sse = (v: unknown) => `data: ${JSON.stringify(v)}\n\n`;
const pieces = (s: string) => s.match(/[\s\S]{1,4}/g) ?? [];

/**
 * The providers and completion aliases the fill-in-the-middle tests route to the fake: native FIM over an
 * OpenAI-compatible server (`fim-qwen`) and Mistral's API (`fim-codestral`), OpenAI (`fim-gpt`), a chat model
 * asked over chat (`fim-chat-compat`) and Claude (`fim-claude`).
 */
export function fimConfig(fake: FimFake) {
  return {
    providers: {
      vllm: { type: "openai-compatible", base_url: `${fake.url}/v1`, api_key: "vllm-key" },
      mistral: { type: "openai-compatible", base_url: `${fake.url}/v1`, api_key: "mi-key" },
      oa: { type: "openai", base_url: `${fake.url}/v1`, api_key: "oa-key" },
      claude: { type: "anthropic", base_url: fake.url, api_key: "sk-ant-key" },
    },
    models: {
      "fim-qwen": { kind: "completion", provider: "vllm", model: "qwen2.5-coder" },
      "fim-codestral": {
        kind: "completion",
        provider: "mistral",
        model: "codestral-latest",
        completions: { api: "mistral" },
      },
      "fim-gpt": { kind: "completion", provider: "oa", model: "gpt-5-mini" },
      "fim-chat-compat": {
        kind: "completion",
        provider: "vllm",
        model: "qwen2.5-coder",
        completions: { mode: "chat" },
      },
      "fim-claude": { kind: "completion", provider: "claude", model: "claude-haiku-4-5" },
    },
  } as const;
}

export async function startFimFake(): Promise<FimFake> {
  const fake: FimFake = {
    url: "",
    calls: [],
    text: "return a + b",
    chatText: "```python\n    return a + b\n\nprint(add(1, 2))\n```",
    hold: false,
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0]!;
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      fake.calls.push({ path, headers: req.headers, body });
      const prompt = Math.ceil(JSON.stringify(body).length / 4);
      const bedrock = /^\/model\/([^/]+)\/invoke$/.exec(path);
      if (bedrock && decodeURIComponent(bedrock[1]!).includes("rerank")) {
        // Cohere Rerank on Bedrock's InvokeModel: Bedrock refuses an api_version below 2.
        res.setHeader("content-type", "application/json");
        if (typeof body.api_version !== "number" || body.api_version < 2) {
          res.statusCode = 400;
          return res.end(
            JSON.stringify({
              message: `Malformed input request: #/api_version: ${body.api_version ?? 1} is not greater or equal to 2, please reformat your input and try again.`,
            }),
          );
        }
        const scores = (body.documents as string[])
          .map((d, index) => ({ index, relevance_score: d.includes(body.query) ? 0.9 : 0.1 + index / 1000 }))
          .sort((a, b) => b.relevance_score - a.relevance_score)
          .slice(0, body.top_n ?? body.documents.length);
        return res.end(JSON.stringify({ id: "rr-br-1", results: scores, meta: { billed_units: { search_units: 1 } } }));
      }
      if (path.endsWith("/rerank")) {
        const scores = (body.documents as string[]).map((d, index) => ({
          index,
          relevance_score: d.includes(body.query) ? 0.9 : 0.1 + index / 1000,
        }));
        scores.sort((a, b) => b.relevance_score - a.relevance_score);
        const top = body.top_n ?? body.top_k ?? scores.length;
        const list = scores.slice(0, top);
        res.setHeader("content-type", "application/json");
        if (path.includes("/v2/"))
          return res.end(JSON.stringify({ id: "rr-1", results: list, meta: { billed_units: { search_units: 1 } } }));
        if (path.includes("/voyage/"))
          return res.end(
            JSON.stringify({ object: "list", data: list, model: body.model, usage: { total_tokens: prompt } }),
          );
        return res.end(JSON.stringify({ model: body.model, results: list, usage: { total_tokens: prompt } }));
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      const writes: string[] = [];
      if (path.endsWith("/fim/completions")) {
        for (const p of pieces(fake.text))
          writes.push(
            sse({
              id: "f1",
              object: "chat.completion.chunk",
              created: 1,
              model: body.model,
              choices: [{ index: 0, delta: { content: p }, finish_reason: null }],
            }),
          );
        writes.push(
          sse({
            id: "f1",
            object: "chat.completion.chunk",
            created: 1,
            model: body.model,
            choices: [{ index: 0, delta: { content: "" }, finish_reason: "stop" }],
            usage: { prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 },
          }),
          "data: [DONE]\n\n",
        );
      } else if (path.endsWith("/chat/completions")) {
        for (const p of pieces(fake.chatText))
          writes.push(
            sse({
              id: "c1",
              object: "chat.completion.chunk",
              created: 1,
              model: body.model,
              choices: [{ index: 0, delta: { content: p }, finish_reason: null }],
            }),
          );
        writes.push(
          sse({
            id: "c1",
            object: "chat.completion.chunk",
            created: 1,
            model: body.model,
            choices: [{ index: 0, delta: {}, finish_reason: "stop" }],
          }),
          sse({
            id: "c1",
            object: "chat.completion.chunk",
            created: 1,
            model: body.model,
            choices: [],
            usage: { prompt_tokens: 40, completion_tokens: 9, total_tokens: 49 },
          }),
          "data: [DONE]\n\n",
        );
      } else if (path.endsWith("/responses")) {
        const ev = (v: { type: string }) => `event: ${v.type}\ndata: ${JSON.stringify(v)}\n\n`;
        const text = fake.chatText;
        const msg = {
          id: "msg_1",
          type: "message",
          status: "completed",
          role: "assistant",
          content: [{ type: "output_text", text, annotations: [] }],
        };
        const base = { id: "resp_1", object: "response", created_at: 1, model: body.model, output: [] as unknown[] };
        writes.push(
          ev({ type: "response.created", response: { ...base, status: "in_progress" } } as never),
          ev({
            type: "response.output_item.added",
            output_index: 0,
            item: { ...msg, status: "in_progress", content: [] },
          } as never),
          ev({
            type: "response.content_part.added",
            item_id: "msg_1",
            output_index: 0,
            content_index: 0,
            part: { type: "output_text", text: "", annotations: [] },
          } as never),
          ...pieces(text).map((delta) =>
            ev({
              type: "response.output_text.delta",
              item_id: "msg_1",
              output_index: 0,
              content_index: 0,
              delta,
            } as never),
          ),
          ev({ type: "response.output_text.done", item_id: "msg_1", output_index: 0, content_index: 0, text } as never),
          ev({
            type: "response.content_part.done",
            item_id: "msg_1",
            output_index: 0,
            content_index: 0,
            part: { type: "output_text", text, annotations: [] },
          } as never),
          ev({ type: "response.output_item.done", output_index: 0, item: msg } as never),
          ev({
            type: "response.completed",
            response: {
              ...base,
              status: "completed",
              output: [msg],
              usage: { input_tokens: 40, output_tokens: 9, total_tokens: 49 },
            },
          } as never),
        );
      } else if (path.endsWith("/messages")) {
        const ev = (name: string, v: unknown) => `event: ${name}\ndata: ${JSON.stringify(v)}\n\n`;
        writes.push(
          ev("message_start", {
            type: "message_start",
            message: {
              id: "m1",
              type: "message",
              role: "assistant",
              model: body.model,
              content: [],
              stop_reason: null,
              stop_sequence: null,
              usage: { input_tokens: 42, output_tokens: 1 },
            },
          }),
          ev("content_block_start", {
            type: "content_block_start",
            index: 0,
            content_block: { type: "text", text: "" },
          }),
          ...pieces(fake.chatText).map((p) =>
            ev("content_block_delta", {
              type: "content_block_delta",
              index: 0,
              delta: { type: "text_delta", text: p },
            }),
          ),
          ev("content_block_stop", { type: "content_block_stop", index: 0 }),
          ev("message_delta", {
            type: "message_delta",
            delta: { stop_reason: "end_turn", stop_sequence: null },
            usage: { output_tokens: 10 },
          }),
          ev("message_stop", { type: "message_stop" }),
        );
      } else {
        for (const p of pieces(fake.text))
          writes.push(
            sse({
              id: "cmpl-1",
              object: "text_completion",
              created: 1,
              model: body.model,
              choices: [{ text: p, index: 0, logprobs: null, finish_reason: null }],
            }),
          );
        writes.push(
          sse({
            id: "cmpl-1",
            object: "text_completion",
            created: 1,
            model: body.model,
            choices: [{ text: "", index: 0, logprobs: null, finish_reason: "length" }],
          }),
        );
        if (body.stream_options?.include_usage)
          writes.push(
            sse({
              id: "cmpl-1",
              object: "text_completion",
              created: 1,
              model: body.model,
              choices: [],
              usage: { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 },
            }),
          );
        writes.push("data: [DONE]\n\n");
      }
      if (fake.hold) {
        res.write(writes[0]);
        fake.firstChunkAt = performance.now();
        res.on("close", () => {
          fake.closedAt = performance.now();
          fake.onClose?.();
        });
        return;
      }
      res.end(writes.join(""));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
