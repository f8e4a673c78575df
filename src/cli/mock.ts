import { loadRecordings, Replayer, type ReplayMatch } from "../mock/replay.js";
import { type MockServer, startMockServer } from "../mock/server.js";
import { type Command, stringOption, UsageError } from "./command.js";
import { optFlag, optMs, optPort, optString } from "./values.js";

export interface MockOptions {
  port?: number | undefined;
  host?: string | undefined;
  latencyMs?: number | undefined;
  chunkDelayMs?: number | undefined;
  strict?: boolean | undefined;
  /** Serve the upstream answers recorded in this directory (`logging.record`). */
  replay?: string | undefined;
  match?: ReplayMatch | undefined;
}

/** `llmux mock`: the scripted upstream on a port, echoing by default. */
export async function mock(o: MockOptions): Promise<MockServer> {
  // Its echo reports input tokens estimated from the prompt, so a budget tried against it is spent as a real
  // prompt would spend it (the tests' mock keeps its fixed figure).
  const opts: Parameters<typeof startMockServer>[0] = {
    port: o.port ?? 4010,
    host: o.host ?? "127.0.0.1",
    promptTokens: true,
    // Nothing reads what a mock on a port received: keeping it would hold every body it was ever sent.
    keepRequests: 0,
  };
  if (o.latencyMs !== undefined) opts.latencyMs = o.latencyMs;
  if (o.chunkDelayMs !== undefined) opts.chunkDelayMs = o.chunkDelayMs;
  if (o.strict) opts.validate = true;
  let replayer: Replayer | undefined;
  if (o.replay !== undefined) {
    let recordings: ReturnType<typeof loadRecordings>;
    try {
      recordings = loadRecordings(o.replay);
    } catch (err) {
      throw new UsageError((err as Error).message, "mock");
    }
    const r = new Replayer(recordings, o.match);
    replayer = r;
    opts.answer = (req) => r.answer(req);
  }
  const server = await startMockServer(opts);
  console.log(
    `llmux mock upstream on ${server.url}\n` +
      "  Anthropic      POST /v1/messages\n" +
      "  OpenAI         POST /v1/chat/completions, /v1/responses\n" +
      "  Azure          POST /openai/v1/responses, /openai/responses, /openai/deployments/{d}/chat/completions\n" +
      "  compatible     POST /compat/v1/chat/completions (reasoning_content), /openrouter/v1/chat/completions (reasoning)" +
      (replayer
        ? `\n  replaying ${replayer.recordings.length} recorded exchange(s) from ${o.replay} (match: ${o.match ?? "auto"})`
        : ""),
  );
  return server;
}

export const mockCommand: Command = {
  name: "mock",
  summary: "Run the scripted mock upstream (Anthropic, OpenAI, Azure and compatible dialects).",
  description: [
    "A stand-in for the providers, for trying llmux and for tests: it serves each provider's API at its",
    "real paths and echoes the last user message, streamed or not, with input tokens estimated from the",
    "request (a token per four bytes of its body).",
    "",
    "With --replay DIR it answers with the upstream streams recorded by logging.record (or llmux start",
    "--record DIR): each request gets the recorded answer whose upstream request has the same content,",
    "else the next one recorded for its path, in recording order (--match hash or order for one rule only).",
  ].join("\n"),
  options: {
    port: {
      type: "string",
      short: "p",
      value: "N",
      description: "Port to listen on (default 4010; 0: any free port).",
    },
    host: stringOption("ADDRESS", "Address to listen on (default 127.0.0.1)."),
    latency: stringOption("MS", "Wait before answering, in milliseconds."),
    "chunk-delay": stringOption("MS", "Wait between streamed chunks, in milliseconds."),
    strict: {
      type: "boolean",
      description: "Enforce the providers' rules on reasoning state and tool pairing (400s worded as they word them).",
    },
    replay: stringOption("DIR", "Serve the upstream answers recorded in DIR (logging.record) instead of echoing."),
    match: stringOption(
      "auto|hash|order",
      "How --replay picks a recording: by the upstream request's content, by order, or both (auto).",
    ),
  },
  examples: ["llmux mock --port 4010 --latency 200 --chunk-delay 20", "llmux mock --replay ./recordings --port 4010"],
  run: (input) =>
    mock({
      port: optPort(input),
      host: optString(input, "host"),
      latencyMs: optMs(input, "latency"),
      chunkDelayMs: optMs(input, "chunk-delay"),
      strict: optFlag(input, "strict"),
      replay: optString(input, "replay"),
      match: matchOf(optString(input, "match")),
    }),
};

function matchOf(value: string | undefined): ReplayMatch | undefined {
  if (value === undefined) return undefined;
  if (value === "auto" || value === "hash" || value === "order") return value;
  throw new UsageError(`--match must be auto, hash or order, got '${value}'`, "mock");
}
