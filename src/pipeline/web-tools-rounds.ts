import type { AbortLike } from "../http/abort-flag.js";
import { jsonText } from "../http/json-text.js";
import { readWhole } from "../http/whole-body.js";
import type {
  Dialect,
  ErrorInfo,
  Json,
  JsonObject,
  Message,
  Part,
  StreamEvent,
  ToolCallPart,
  Usage,
} from "../ir/types.js";
import { mergeUsage } from "../ir/usage.js";
import { MAX_WEB_ROUNDS } from "../ir/web-tools.js";
import type { Plan } from "../request/plan.js";
import type { SearchHit } from "../search/types.js";
import { SseParser } from "../sse/parser.js";
import { upstreamCodecs } from "../translate/codecs.js";
import { responseEvents } from "../translate/replay.js";
import { UpstreamFailure, type UpstreamReply } from "../upstream/call.js";
import { encode } from "./encode.js";
import { PING, withSilencePings } from "./silence-pings.js";
import { citationsOf, clientCallId, closing, opening } from "./web-tools-blocks.js";
import { groundingSupportsOf } from "./web-tools-grounding.js";
import type { WebToolSpec } from "./web-tools-plan.js";
import type { WebRunner } from "./web-tools-run.js";

export { MAX_WEB_ROUNDS };

const MAX_ERROR_BODY = 1 << 20;

export interface RoundsInput {
  /** The plan that was served (its `web` holds the request as it went upstream). */
  readonly plan: Plan;
  readonly reply: UpstreamReply;
  readonly runner: WebRunner;
  /** Calls the serving deployment again with the conversation continued. */
  readonly call: (plan: Plan) => Promise<UpstreamReply>;
  readonly signal: AbortLike;
  readonly maxCalls?: number | undefined;
  /** Milliseconds of silence (the upstream's, a search's) after which a PING is yielded (0 or absent: none). */
  readonly pingMs?: number | undefined;
}

/** What the rounds yield: the answer's events, and a PING for each silence of `pingMs`. */
export type RoundItem = StreamEvent | typeof PING;

function isJson(reply: UpstreamReply): boolean {
  return String(reply.headers["content-type"] ?? "").includes("application/json");
}

/** One upstream reply as IR events (a stream decoded as it comes; one JSON body replayed). */
async function* decoded(plan: Plan, reply: UpstreamReply, pingMs: number): AsyncGenerator<RoundItem> {
  const codec = upstreamCodecs[plan.upstream];
  if (reply.status >= 400) {
    let text = "";
    try {
      text = (await readWhole(reply.body, MAX_ERROR_BODY, "keep")).toString("utf8");
    } catch {
      // the status alone will do
    }
    let parsed: Json | string = text;
    try {
      parsed = JSON.parse(text) as Json;
    } catch {
      // not JSON: keep the text
    }
    yield { type: "error", error: codec.decodeError(reply.status, parsed) };
    return;
  }
  if (isJson(reply)) {
    const body = reply.whole?.json ?? (JSON.parse(jsonText(await readWhole(reply.body))) as Json);
    yield* responseEvents(codec.decodeResponse(body, { tools: plan.tools }));
    return;
  }
  const decoder = codec.createDecoder({ tools: plan.tools });
  const parser = new SseParser();
  const out: StreamEvent[] = [];
  const sink = (e: StreamEvent) => out.push(e);
  const body = pingMs > 0 ? withSilencePings(reply.body, pingMs) : reply.body;
  for await (const chunk of body) {
    if (chunk === PING) {
      yield PING;
      continue;
    }
    parser.push(chunk, (ev) => decoder.event(ev, sink));
    yield* out.splice(0);
  }
  parser.end((ev) => decoder.event(ev, sink));
  decoder.end(sink);
  yield* out.splice(0);
}

function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!a || !b) return a ?? b;
  const sum = (x?: number, y?: number) => (x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0));
  const out: Usage = { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens };
  for (const k of ["cacheReadTokens", "cacheWriteTokens", "reasoningTokens"] as const) {
    const v = sum(a[k], b[k]);
    if (v !== undefined) out[k] = v;
  }
  if (a.estimated || b.estimated) out.estimated = true;
  if (b.extras ?? a.extras) out.extras = b.extras ?? a.extras;
  return out;
}

/**
 * The end of the answer: its summed usage with the searches counted; a Gemini client's grounding metadata (the
 * queries, each result as a chunk, and the sentences of the answer's text parts, `text`, that cite them).
 */
function ending(
  plan: Plan,
  end: Extract<StreamEvent, { type: "end" }>,
  usage: Usage | undefined,
  runner: WebRunner,
  hits: readonly SearchHit[],
  text: readonly string[],
): StreamEvent {
  const out: StreamEvent = { ...end, usage: withServerUse(plan, usage, runner) };
  if (plan.client === "gemini" && runner.queries.length > 0) {
    const fields = end.extras?.dialect === "gemini" ? end.extras.fields : {};
    const groundingChunks = hits.map((h) => ({ web: { uri: h.url, title: h.title } }));
    const groundingSupports = groundingSupportsOf(text, hits);
    const metadata: JsonObject = { webSearchQueries: runner.queries, groundingChunks };
    if (groundingSupports.length > 0) metadata.groundingSupports = groundingSupports;
    out.extras = { dialect: "gemini", fields: { ...fields, groundingMetadata: metadata } };
  }
  return out;
}

/** The answer's usage with the searches and fetches counted as the native tool counts them. */
function withServerUse(plan: Plan, usage: Usage | undefined, runner: WebRunner): Usage | undefined {
  if (plan.client !== "anthropic" || (runner.searches === 0 && runner.fetches === 0)) return usage;
  const u: Usage = usage ?? { inputTokens: 0, outputTokens: 0 };
  const fields = u.extras?.dialect === "anthropic" ? u.extras.fields : {};
  return {
    ...u,
    extras: {
      dialect: "anthropic",
      fields: {
        ...fields,
        server_tool_use: { web_search_requests: runner.searches, web_fetch_requests: runner.fetches },
      },
    },
  };
}

/** A text block's end with its citations to the results it names (streamed first, for Anthropic clients). */
function* cited(e: Extract<StreamEvent, { type: "block_stop" }>, client: Dialect, hits: SearchHit[]) {
  const part = e.part;
  const found = part.type === "text" && hits.length > 0 ? citationsOf(client, part.text, hits) : [];
  if (part.type !== "text" || found.length === 0) {
    yield e;
    return;
  }
  if (client === "anthropic")
    for (const citation of found)
      yield {
        type: "raw_delta",
        index: e.index,
        dialect: client,
        value: { type: "citations_delta", citation },
      } as const;
  const fields = part.extras?.dialect === client ? part.extras.fields : {};
  yield {
    ...e,
    part: { ...part, annotations: [...(part.annotations ?? []), ...found], extras: { dialect: client, fields } },
  };
}

/** A PING for each `ms` a web tool call runs. */
async function* whileRunning(running: Promise<unknown>, ms: number): AsyncGenerator<typeof PING> {
  const done = running.then(
    () => true,
    () => true,
  );
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const tick = new Promise<false>((r) => {
      timer = setTimeout(() => r(false), ms);
    });
    const over = await Promise.race([done, tick]);
    clearTimeout(timer);
    if (over) return;
    yield PING;
  }
}

function specFor(plan: Plan, name: string): WebToolSpec | undefined {
  const web = plan.web;
  if (web?.search?.name === name) return web.search;
  if (web?.fetch?.name === name) return web.fetch;
  return undefined;
}

/**
 * The answer of a request whose web tools llmux runs, as one stream of IR events: each upstream reply decoded;
 * the model's calls of the emulated tools kept from the client, run, shown as the native tool shows them, and
 * their results fed back in another call to the same deployment, continuing the model's turn — until it
 * answers without them, calls a client tool too, or the rounds run out (then it pauses, as Anthropic's
 * server tools do: `pause_turn`). The usage is summed over the rounds.
 */
export async function* webRounds(input: RoundsInput): AsyncGenerator<RoundItem> {
  const { runner } = input;
  let plan = input.plan;
  let reply = input.reply;
  const base = plan.web?.ir;
  const messages: Message[] = base ? [...base.messages] : [];
  const maxCalls = input.maxCalls ?? MAX_WEB_ROUNDS;
  const pingMs = input.pingMs ?? 0;
  let next = 0;
  let started = false;
  let total: Usage | undefined;
  let calls = 1;
  /** Every result found so far: the answer's text is cited to those it names. */
  const hits: SearchHit[] = [];
  /** The answer's text as the client reads it (its text parts one after another): Gemini's grounding supports. */
  const text: string[] = [];
  for (;;) {
    const index = new Map<number, number>();
    const hidden = new Set<number>();
    const parts: Part[] = [];
    const webCalls: ToolCallPart[] = [];
    let clientCalls = 0;
    let usage: Usage | undefined;
    let end: Extract<StreamEvent, { type: "end" }> | undefined;
    for await (const e of decoded(plan, reply, pingMs)) {
      if (e === PING) {
        yield PING;
        continue;
      }
      switch (e.type) {
        case "start":
          if (e.usage) usage = e.usage;
          if (!started) {
            started = true;
            yield e;
          }
          break;
        case "block_start":
          if (e.block.type === "tool_call" && specFor(plan, e.block.name)) hidden.add(e.index);
          else {
            index.set(e.index, next++);
            yield { ...e, index: index.get(e.index)! };
          }
          break;
        case "delta":
        case "raw_delta":
          if (index.has(e.index)) yield { ...e, index: index.get(e.index)! };
          break;
        case "block_stop":
          parts.push(e.part);
          if (hidden.has(e.index) && e.part.type === "tool_call") webCalls.push(e.part);
          else if (index.has(e.index)) {
            if (e.part.type === "tool_call") clientCalls++;
            if (e.part.type === "text" && plan.client === "gemini") text.push(e.part.text);
            yield* cited({ ...e, index: index.get(e.index)! }, plan.client, hits);
          }
          break;
        case "usage":
          usage = mergeUsage(usage, e.usage);
          break;
        case "end":
          end = e;
          break;
        case "error":
          yield e;
          return;
      }
    }
    total = addUsage(total, end?.usage ?? usage);
    if (!end) return;
    if (webCalls.length === 0) {
      yield ending(plan, end, total, runner, hits, text);
      return;
    }
    const results: Part[] = [];
    for (const c of webCalls) {
      const spec = specFor(plan, c.name)!;
      const id = clientCallId(plan.client, c.id, next);
      const at = next++;
      let input: Record<string, unknown> = {};
      try {
        const v = JSON.parse(c.arguments) as unknown;
        if (v && typeof v === "object" && !Array.isArray(v)) input = v as Record<string, unknown>;
      } catch {
        // shown as {}; the runner says the input is invalid
      }
      yield* opening(plan.client, spec, id, input, at);
      const running = runner.run(spec, c.arguments);
      if (pingMs > 0) yield* whileRunning(running, pingMs);
      const outcome = await running;
      if (outcome.hits) hits.push(...outcome.hits);
      const after = plan.client === "openai-responses" ? at : next++;
      yield* closing(plan.client, id, outcome, after);
      results.push({ type: "tool_result", callId: c.id, content: [{ type: "text", text: outcome.text }] });
    }
    if (clientCalls > 0 || calls >= maxCalls || input.signal.aborted) {
      const stopReason = clientCalls > 0 ? end.stopReason : "pause_turn";
      yield ending(plan, { ...end, stopReason }, total, runner, hits, text);
      return;
    }
    messages.push({ role: "assistant", content: parts }, { role: "tool", content: results });
    const again = encode({ ...plan, passthrough: false, ir: { ...base!, messages: [...messages] } }, false);
    calls++;
    try {
      reply = await input.call(again);
    } catch (err) {
      const error: ErrorInfo =
        err instanceof UpstreamFailure
          ? err.info
          : { status: 502, kind: "server", message: err instanceof Error ? err.message : String(err) };
      yield { type: "error", error };
      return;
    }
    plan = again;
  }
}
