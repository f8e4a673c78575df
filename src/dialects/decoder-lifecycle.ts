import { nowSeconds } from "../ir/ids.js";
import type { BlockHead, ErrorInfo, Json, StreamEvent, ToolCallPart } from "../ir/types.js";
import { eventJson, notJsonMessage } from "../sse/event-json.js";
import type { SseEvent } from "../sse/parser.js";
import type { DecodeOptions, EventSink, StreamDecoder, ToolIdentity } from "./types.js";

export type EndEvent = Extract<StreamEvent, { type: "end" }>;

/**
 * What every stream decoder shares: one `start` before anything else, one terminal event (`end` or `error`),
 * every open block closed before it, and nothing read after it. A decoder says how it closes its open blocks
 * (`closeAll`), whether the upstream already said how it stopped (`stopped`), and the end event it makes of
 * that (`endEvent`); `end()` then finishes, or fails naming the event the stream ended before (`awaited`).
 */
export abstract class DecoderLifecycle implements StreamDecoder {
  protected started = false;
  protected finished = false;

  constructor(protected readonly opts: DecodeOptions = {}) {}

  /** The upstream event whose absence makes an ended stream a failure (`message_stop`, `finish_reason`…). */
  protected abstract readonly awaited: string;

  /** Reads one upstream event's data (JSON; an event that is not JSON failed the stream before). */
  protected abstract read(data: Json, event: SseEvent, out: EventSink): void;

  /** Closes every open block, in order. */
  protected abstract closeAll(out: EventSink): void;

  /** True once the upstream said how it stopped, so that the end of its body is a clean end. */
  protected abstract stopped(): boolean;

  /** The end event, made after every block is closed. */
  protected abstract endEvent(): EndEvent;

  event(event: SseEvent, out: EventSink): void {
    if (this.finished) return;
    const data = eventJson(event.data);
    if (data === undefined) this.fail(out, notJsonMessage(event.data));
    else this.read(data, event, out);
  }

  end(out: EventSink): void {
    if (this.finished) return;
    if (this.stopped()) this.finish(out);
    else this.fail(out, `upstream stream ended before ${this.awaited}`);
  }

  /** Says `start` once (with what the upstream told of its answer, when it told). */
  protected ensureStarted(out: EventSink, id = "", model = "", created = nowSeconds()): void {
    if (this.started) return;
    this.started = true;
    out({ type: "start", id, model, created });
  }

  /** Ends the stream: the open blocks closed, then the end event. */
  protected finish(out: EventSink): void {
    if (this.finished) return;
    this.ensureStarted(out);
    this.finished = true;
    this.closeAll(out);
    out(this.endEvent());
  }

  /** Ends the stream with an error: the open blocks closed, then the error. */
  protected error(out: EventSink, error: ErrorInfo): void {
    this.finished = true;
    this.closeAll(out);
    out({ type: "error", error });
  }

  /** Ends the stream with a 502: the upstream's stream could not be read to its end. */
  protected fail(out: EventSink, message: string): void {
    this.error(out, { status: 502, kind: "server", message });
  }
}

/** The head of a streamed tool call, named as the client declared it. */
export function toolCallHead(id: string, name: string, identity: ToolIdentity | undefined): BlockHead {
  return {
    type: "tool_call",
    id,
    name: identity?.name ?? name,
    kind: identity?.kind ?? "function",
    ...(identity?.namespace ? { namespace: identity.namespace } : {}),
  };
}

/** A complete tool call, named as the client declared it. */
export function toolCallPart(id: string, name: string, args: string, identity: ToolIdentity | undefined): ToolCallPart {
  const part: ToolCallPart = {
    type: "tool_call",
    id,
    name: identity?.name ?? name,
    arguments: args,
    kind: identity?.kind ?? "function",
  };
  if (identity?.namespace) part.namespace = identity.namespace;
  return part;
}
