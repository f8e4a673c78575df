import { type MockServer, startMockServer } from "../mock/server.js";
import { type Args, flagPort, flagString } from "./args.js";

function ms(args: Args, name: string): number | undefined {
  const v = flagString(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number of milliseconds, got '${v}'`);
  return n;
}

/** `llmux mock`: the scripted upstream on a port, echoing by default. */
export async function mock(args: Args): Promise<MockServer> {
  const opts: Parameters<typeof startMockServer>[0] = {
    port: flagPort(args) ?? 4010,
    host: flagString(args, "host") ?? "127.0.0.1",
  };
  const latency = ms(args, "latency");
  if (latency !== undefined) opts.latencyMs = latency;
  const delay = ms(args, "chunk-delay");
  if (delay !== undefined) opts.chunkDelayMs = delay;
  if (args.flags.has("strict")) opts.validate = true;
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
