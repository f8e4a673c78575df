import type { LocalReply } from "../http/local-reply.js";
import { ResponseCollector } from "../ir/collect.js";
import { InputError } from "../ir/input-error.js";
import type { ErrorInfo, Json, Request, StreamEvent } from "../ir/types.js";
import { codecs } from "../translate/codecs.js";
import type { ConversationTable } from "./conversations.js";
import { CursorEventMapper, errorInfoOf } from "./events.js";
import type { CursorHelper } from "./helper-process.js";
import type { HelperEvent } from "./protocol.js";
import { planTurn, type Turn } from "./turn.js";

type RequestEvent = Extract<HelperEvent, { id: string }>;

export interface ReplyOptions {
  systemPrompt: "prepend" | "replace";
  /** Silence from a run after which it is abandoned. */
  idleTimeoutMs: number;
}

export interface Caller {
  /** The Cursor API key. */
  key: string;
  /** The conversation's scope (caller and session). */
  scope: string;
  signal: AbortSignal;
  /** The message id for the client. */
  id: string;
}

interface Started {
  requestId: string;
  generation: number;
  first: RequestEvent | undefined;
  rest: AsyncIterator<RequestEvent>;
}

const A = codecs.anthropic;

function errorReply(error: ErrorInfo): LocalReply {
  const { status, body } = A.encodeError(error);
  // An Anthropic 529 (overloaded) is a 503 everywhere else; the helper's own 503s keep their status.
  return {
    status: error.status === 503 ? 503 : status,
    headers: { "content-type": "application/json" },
    body: once(JSON.stringify(body)),
  };
}

async function* once(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text, "utf8");
}

/** The next event, or a timeout error when the run stays silent for `ms`. */
async function next(it: AsyncIterator<RequestEvent>, ms: number): Promise<RequestEvent | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const silence = new Promise<"silent">((r) => {
    timer = setTimeout(() => r("silent"), ms);
  });
  try {
    const r = await Promise.race([it.next(), silence]);
    if (r === "silent")
      return { id: "", ev: "error", error: { status: 504, kind: "server", message: "Cursor did not answer in time" } };
    return r.done ? undefined : r.value;
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the helper could not continue as asked, and llmux should start a new conversation instead. */
const startOver = (e: RequestEvent | undefined) =>
  e?.ev === "error" && (e.error.code === "unknown_call" || e.error.code === "gone");

/**
 * Answers one request through the helper: resumes the run that waits for the tool results the request
 * brings, or continues the conversation whose history the request extends, or starts a new one with the whole
 * history; then streams the run's events in the Anthropic dialect (or collects them for a non-streaming call).
 */
export class CursorReplies {
  constructor(
    private readonly helper: CursorHelper,
    private readonly table: ConversationTable,
    private readonly opts: ReplyOptions,
  ) {}

  async answer(body: unknown, caller: Caller): Promise<LocalReply> {
    if (!caller.key)
      return errorReply({
        status: 401,
        kind: "authentication",
        message:
          "no Cursor API key: send your own (pass-through), use a key that holds one, or set the provider's api_key",
      });
    let req: Request;
    let turn: Turn;
    try {
      req = A.decodeRequest(body as Json);
      turn = planTurn(req, caller.scope, this.opts.systemPrompt);
    } catch (err) {
      if (err instanceof InputError) return errorReply(err.toErrorInfo());
      throw err;
    }
    let started: Started;
    try {
      started = await this.start(req, turn, caller);
    } catch (err) {
      return errorReply({
        status: 503,
        kind: "server",
        message: `the Cursor helper is unavailable: ${(err as Error).message}`,
      });
    }
    const { first } = started;
    if (first?.ev === "error") return errorReply(errorInfoOf(first.error));
    if (first === undefined)
      return errorReply({
        status: 503,
        kind: "server",
        message: "the Cursor helper ended the request without an answer",
      });
    const events = this.events(started, turn, caller);
    return req.stream ? this.stream(events, req.model) : this.collect(events, req.model);
  }

  private async start(req: Request, turn: Turn, caller: Caller): Promise<Started> {
    const base = { key: caller.key, model: req.model, tools: turn.tools };
    if (turn.results) {
      const s = await this.send({ op: "resume", key: caller.key, results: turn.results }, caller);
      if (!startOver(s.first)) return s;
    } else if (turn.followUp) {
      const conversation = this.table.find(turn.followUp.prefix, this.helper.generation);
      if (conversation) {
        const { text, images } = turn.followUp;
        const s = await this.send({ op: "run", ...base, conversation, text, images }, caller);
        if (!startOver(s.first)) return s;
      }
    }
    return this.send({ op: "run", ...base, ...turn.fresh }, caller);
  }

  private async send(cmd: Parameters<CursorHelper["request"]>[0], caller: Caller): Promise<Started> {
    const r = await this.helper.request(cmd);
    const rest = r.events[Symbol.asyncIterator]();
    const cancel = () => this.helper.cancel(r.id);
    caller.signal.addEventListener("abort", cancel, { once: true });
    const first = await next(rest, this.opts.idleTimeoutMs);
    if (first?.ev === "error" || first === undefined) caller.signal.removeEventListener("abort", cancel);
    if (first?.ev === "error" && first.error.status === 504) this.helper.cancel(r.id);
    return { requestId: r.id, generation: r.generation, first, rest };
  }

  /** The run's events as IR stream events; the conversation is remembered once it answered. */
  private async *events(s: Started, turn: Turn, caller: Caller): AsyncGenerator<StreamEvent> {
    const out: StreamEvent[] = [];
    const mapper = new CursorEventMapper(caller.id, "", (e) => out.push(e));
    let e: RequestEvent | undefined = s.first;
    try {
      while (e) {
        const over = mapper.write(e);
        if (e.ev === "end" && e.stop === "end_turn") this.table.remember(turn.whole, e.conversation, s.generation);
        yield* out.splice(0);
        if (over) return;
        if (e.ev === "error" && e.error.status === 504) this.helper.cancel(s.requestId);
        e = await next(s.rest, this.opts.idleTimeoutMs);
      }
      mapper.abort({ status: 503, kind: "server", message: "the Cursor helper stopped answering" });
      yield* out.splice(0);
    } finally {
      if (!e || (e.ev !== "end" && e.ev !== "error")) this.helper.cancel(s.requestId);
    }
  }

  private stream(events: AsyncGenerator<StreamEvent>, model: string): LocalReply {
    const encoder = A.createEncoder({ model });
    async function* body(): AsyncGenerator<Uint8Array> {
      for await (const e of events) {
        encoder.write(e);
        const text = encoder.take();
        if (text) yield Buffer.from(text, "utf8");
      }
    }
    return { status: 200, headers: { "content-type": "text/event-stream" }, body: body() };
  }

  private async collect(events: AsyncGenerator<StreamEvent>, model: string): Promise<LocalReply> {
    const collector = new ResponseCollector();
    for await (const e of events) collector.handle(e);
    const result = collector.result();
    if ("kind" in result) return errorReply(result);
    const { value } = A.encodeResponse({ ...result, model }, { model });
    return { status: 200, headers: { "content-type": "application/json" }, body: once(JSON.stringify(value)) };
  }
}
