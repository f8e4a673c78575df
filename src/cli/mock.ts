import { type MockServer, startMockServer } from "../mock/server.js";
import type { Command } from "./command.js";
import { optFlag, optMs, optPort, optString } from "./values.js";

export interface MockOptions {
  port?: number | undefined;
  host?: string | undefined;
  latencyMs?: number | undefined;
  chunkDelayMs?: number | undefined;
  strict?: boolean | undefined;
}

/** `llmux mock`: the scripted upstream on a port, echoing by default. */
export async function mock(o: MockOptions): Promise<MockServer> {
  const opts: Parameters<typeof startMockServer>[0] = { port: o.port ?? 4010, host: o.host ?? "127.0.0.1" };
  if (o.latencyMs !== undefined) opts.latencyMs = o.latencyMs;
  if (o.chunkDelayMs !== undefined) opts.chunkDelayMs = o.chunkDelayMs;
  if (o.strict) opts.validate = true;
  const server = await startMockServer(opts);
  console.log(
    `llmux mock upstream on ${server.url}\n` +
      "  Anthropic      POST /v1/messages\n" +
      "  OpenAI         POST /v1/chat/completions, /v1/responses\n" +
      "  Azure          POST /openai/v1/responses, /openai/responses, /openai/deployments/{d}/chat/completions\n" +
      "  compatible     POST /compat/v1/chat/completions (reasoning_content), /openrouter/v1/chat/completions (reasoning)",
  );
  return server;
}

export const mockCommand: Command = {
  name: "mock",
  summary: "Run the scripted mock upstream (Anthropic, OpenAI, Azure and compatible dialects).",
  description: [
    "A stand-in for the providers, for trying llmux and for tests: it serves each provider's API at its",
    "real paths and echoes the last user message, streamed or not.",
  ].join("\n"),
  options: {
    port: {
      type: "string",
      short: "p",
      value: "N",
      description: "Port to listen on (default 4010; 0: any free port).",
    },
    host: { type: "string", value: "ADDRESS", description: "Address to listen on (default 127.0.0.1)." },
    latency: { type: "string", value: "MS", description: "Wait before answering, in milliseconds." },
    "chunk-delay": { type: "string", value: "MS", description: "Wait between streamed chunks, in milliseconds." },
    strict: {
      type: "boolean",
      description: "Enforce the providers' rules on reasoning state and tool pairing (400s worded as they word them).",
    },
  },
  examples: ["llmux mock --port 4010 --latency 200 --chunk-delay 20"],
  run: (input) =>
    mock({
      port: optPort(input),
      host: optString(input, "host"),
      latencyMs: optMs(input, "latency"),
      chunkDelayMs: optMs(input, "chunk-delay"),
      strict: optFlag(input, "strict"),
    }),
};
