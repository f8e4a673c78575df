import type { ProviderConfig } from "../config/schema.js";
import type { Json } from "../ir/types.js";
import {
  anthropicBody,
  anthropicStream,
  chatBody,
  chatStream,
  geminiStream,
  type MockScript,
  responsesBody,
  responsesStream,
} from "../mock/index.js";
import { codecs } from "../translate/codecs.js";
import type { LocalReply, Provider } from "./types.js";

type MockConfig = Extract<ProviderConfig, { type: "mock" }>;

/** The last user message's text, read with the mock's own dialect. */
function lastUserText(dialect: MockConfig["dialect"], body: Json): string {
  try {
    const req = codecs[dialect].decodeRequest(body);
    for (let i = req.messages.length - 1; i >= 0; i--) {
      const m = req.messages[i]!;
      if (m.role !== "user") continue;
      const text = m.content.map((p) => (p.type === "text" ? p.text : "")).join("");
      if (text) return text;
    }
  } catch {
    // fall through
  }
  return "";
}

async function* toBytes(events: string[]): AsyncIterable<Uint8Array> {
  for (const e of events) yield Buffer.from(e, "utf8");
}

/**
 * The built-in mock model: answers in process, without network or account, so a newcomer can try llmux at
 * once. It streams `reply` (default: an echo of the last user message) in its configured dialect, which
 * exercises the same translation path as a real upstream.
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
      const said = lastUserText(cfg.dialect, body as Json);
      const text = cfg.reply ?? (said ? `llmux mock: you said "${said.slice(0, 2000)}"` : "llmux mock: hello!");
      const script: MockScript = { blocks: [{ type: "text", text }], model: "llmux-mock", chunkChars: 12 };
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
