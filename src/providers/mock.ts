import type { ProviderConfig } from "../config/schema.js";
import type { Json, Part } from "../ir/types.js";
import {
  anthropicBody,
  anthropicStream,
  chatBody,
  chatStream,
  geminiErrorBody,
  geminiStream,
  type MockScript,
  providerErrorBody,
  responsesBody,
  responsesStream,
} from "../mock/index.js";
import { type CapApi, capScript, outputCapOf } from "../mock/max-tokens.js";
import { codecs } from "../translate/codecs.js";
import type { LocalReply, Provider } from "./types.js";

type MockConfig = Extract<ProviderConfig, { type: "mock" }>;

/** The text a part of the prompt carries (its words, a tool call's arguments, a tool result's text). */
function partText(p: Part): string {
  if (p.type === "text" || p.type === "refusal") return p.text;
  if (p.type === "reasoning") return p.text;
  if (p.type === "tool_call") return p.name + p.arguments;
  if (p.type === "tool_result") return p.content.map(partText).join("");
  return "";
}

/**
 * What the mock reads of a request: the last user message's text, and the prompt's size in tokens, estimated
 * as the mock estimates its own answer (a token per four characters of the instructions, messages and tool
 * definitions), so a budget tried against the mock is spent as a real prompt would spend it.
 */
export function readPrompt(dialect: MockConfig["dialect"], body: Json): { said: string; inputTokens: number } {
  try {
    const req = codecs[dialect].decodeRequest(body);
    let said = "";
    for (let i = req.messages.length - 1; i >= 0 && !said; i--) {
      const m = req.messages[i]!;
      if (m.role === "user") said = m.content.map((p) => (p.type === "text" ? p.text : "")).join("");
    }
    let chars = (req.instructions ?? []).reduce((n, p) => n + p.text.length, 0);
    for (const m of req.messages) for (const p of m.content) chars += partText(p).length;
    for (const t of req.tools ?? []) chars += JSON.stringify(t).length;
    return { said, inputTokens: Math.max(1, Math.ceil(chars / 4)) };
  } catch {
    return { said: "", inputTokens: 1 };
  }
}

async function* toBytes(events: string[]): AsyncIterable<Uint8Array> {
  for (const e of events) yield Buffer.from(e, "utf8");
}

const CAP_API: Record<MockConfig["dialect"], CapApi> = {
  anthropic: "anthropic",
  "openai-chat": "chat",
  "openai-responses": "responses",
  gemini: "gemini",
};

/** A 400 in the mock's dialect, as the provider it stands for words it. */
function refusal(dialect: MockConfig["dialect"], message: string): LocalReply {
  const body =
    dialect === "gemini"
      ? geminiErrorBody(400, message)
      : providerErrorBody(dialect === "anthropic" ? "anthropic" : "openai", 400, message);
  return { status: 400, headers: { "content-type": "application/json" }, body: toBytes([JSON.stringify(body)]) };
}

/**
 * The built-in mock model: answers in process, without network or account, so a newcomer can try llmux at
 * once. It streams `reply` (default: an echo of the last user message) in its configured dialect, which
 * exercises the same translation path as a real upstream. It stops at the request's output cap (`max_tokens`
 * and its equivalents) with the dialect's length stop reason, as a real model does, and bills that many
 * output tokens (its price: `price` in its configuration, src/billing/wire.ts).
 */
export function mockProvider(name: string, cfg: MockConfig): Provider {
  return {
    name,
    type: "mock",
    dialect: cfg.dialect,
    timeoutMs: 60_000,
    requestOptions: () => ({}),
    target: () => ({ url: "mock://local", headers: {} }),
    async local(body: unknown): Promise<LocalReply> {
      const { said, inputTokens } = readPrompt(cfg.dialect, body as Json);
      const text = cfg.reply ?? (said ? `llmux mock: you said "${said.slice(0, 2000)}"` : "llmux mock: hello!");
      const cap = outputCapOf(CAP_API[cfg.dialect], body);
      if ("invalid" in cap) return refusal(cfg.dialect, `${cap.invalid}: must be a positive integer`);
      const answer: MockScript = { blocks: [{ type: "text", text }], model: "llmux-mock", chunkChars: 12, inputTokens };
      const script = "max" in cap ? capScript(answer, cap.max) : answer;
      // Asked without streaming (a passthrough of a non-streaming client), it answers one JSON body, as
      // the provider it stands for would.
      if (cfg.dialect !== "gemini" && (body as { stream?: unknown } | null)?.stream !== true) {
        const json =
          cfg.dialect === "anthropic"
            ? anthropicBody(script)
            : cfg.dialect === "openai-chat"
              ? chatBody(script)
              : responsesBody(script);
        return { status: 200, headers: { "content-type": "application/json" }, body: toBytes([JSON.stringify(json)]) };
      }
      const events =
        cfg.dialect === "anthropic"
          ? anthropicStream(script)
          : cfg.dialect === "openai-chat"
            ? chatStream(script)
            : cfg.dialect === "gemini"
              ? geminiStream(script)
              : responsesStream(script);
      return { status: 200, headers: { "content-type": "text/event-stream" }, body: toBytes(events) };
    },
  };
}
