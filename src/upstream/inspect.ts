import type { Dialect, Json, UpstreamDialect } from "../ir/types.js";
import { type SseEvent, SseParser } from "../sse/parser.js";
import {
  judgePreamble,
  MAX_BYTES,
  MAX_EVENTS,
  MAX_FAILURE_TEXT,
  type PreambleVerdict,
  statusOf,
} from "./judge-preamble.js";
import { judgeScreen, MAX_PEEKED_EVENTS, noEvents, type ScreenState, type StartVerdict } from "./judge-screen.js";
import { replayBody } from "./replay-body.js";
import { UsageTap } from "./usage-tap.js";

export type { StartVerdict } from "./judge-screen.js";

/** What to watch for besides the preamble (which is always read). */
export interface InspectOptions {
  /** The client takes the bytes as they come (a passthrough stream): judge the stream's wire format too. */
  screen?: boolean;
  /** Watch the whole stream for usage, ids and reasoning marks (a passthrough stream). */
  tap?: boolean;
}

/** What the start of an upstream event stream says. */
export type Inspected =
  | {
      kind: "answer";
      /** The stream whole again: what was read to judge it first, then the rest (watched, with `tap`). */
      body: AsyncIterable<Uint8Array>;
      /** A Responses stream's id, from its `response.created` event. */
      responseId?: string | undefined;
      /** With `screen`: whether the stream is one of the dialect as its wire format has it. */
      screen?: StartVerdict | undefined;
      /** Lets go of the upstream when the body will not be read. */
      release(): Promise<void>;
    }
  | {
      kind: "failure";
      /** The HTTP status an in-stream failure before any output stands for (429, 529, 500 or 400). */
      status: number;
      /** The whole stream as it came (answered as it was when nothing else serves). */
      text: string;
      /** With `screen`: the failure as the wire format's judge saw it (an error event, its status). */
      screen?: StartVerdict | undefined;
    };

/** Parses an event's JSON once for every judge; undefined when it is not JSON. */
function parsed(data: string): Json | undefined {
  const c = data.charCodeAt(0);
  if (c !== 123 && c !== 91 && c !== 32) return undefined;
  try {
    return JSON.parse(data) as Json;
  } catch {
    return undefined;
  }
}

/**
 * The one inspector of an upstream event stream, on one SSE parser (src/sse/parser.ts), in one pass:
 * - the retry preamble: the events before any output (Responses' `response.created`, Anthropic's
 *   `message_start`…) are held back until the first event with output, the end, or a failure there (an
 *   in-stream error before any output, which the attempt loop can still act on);
 * - the screen (passthrough streams): the first deciding event says whether the stream is one of its dialect
 *   as the wire format has it (else a 502, or decoding and re-encoding when it deviates);
 * - the usage tap (passthrough streams): usage, the Response id and items, reasoning marks, the text's
 *   length and whether the stream reached its end, read as the bytes go by, untouched.
 * Failures of the upstream connection while it reads are thrown as they come.
 */
export class StreamInspector {
  private readonly parser = new SseParser();
  /** The usage tap's findings (with `tap`). */
  readonly tap: UsageTap | undefined;
  private preamble: PreambleVerdict = "preamble";
  private screen: StartVerdict | undefined;
  private events = 0;
  private readonly seen: { responseId?: string | undefined } = {};
  private readonly screenState: ScreenState = {};
  private readonly onEvent = (ev: SseEvent) => this.event(ev);
  private starting = true;

  constructor(
    private readonly dialect: UpstreamDialect | Dialect,
    private readonly opts: InspectOptions = {},
  ) {
    this.tap = opts.tap ? new UsageTap(dialect as Dialect) : undefined;
  }

  private event(ev: SseEvent): void {
    this.tap?.event(ev);
    if (!this.starting) return;
    this.events++;
    const needScreen = this.opts.screen && !this.screen && this.events <= MAX_PEEKED_EVENTS;
    const needPreamble = this.preamble === "preamble";
    if (!needScreen && !needPreamble) return;
    const v = parsed(ev.data);
    if (needScreen) this.screen = judgeScreen(this.dialect as Dialect, ev, v, this.screenState);
    if (needPreamble) {
      const obj =
        v !== null && typeof v === "object" && !Array.isArray(v) && ev.data.length <= MAX_BYTES ? v : undefined;
      this.preamble = judgePreamble(this.dialect as UpstreamDialect, ev.event, ev.data, this.seen, obj);
    }
  }

  /** Feeds a chunk read past the start (the tap watches it). */
  push(chunk: Uint8Array): void {
    this.parser.push(chunk, this.onEvent);
  }

  /** The stream ended. */
  end(): void {
    this.parser.end(this.onEvent);
  }

  private decided(): boolean {
    const screenDone = !this.opts.screen || this.screen !== undefined || this.events >= MAX_PEEKED_EVENTS;
    return this.preamble !== "preamble" && screenDone;
  }

  /** Reads the start of `body` until it is judged, and gives it back whole. */
  async start(body: AsyncIterable<Uint8Array>): Promise<Inspected> {
    const it = body[Symbol.asyncIterator]();
    const held: Uint8Array[] = [];
    let bytes = 0;
    let ended = false;
    try {
      while (!this.decided() && this.preamble !== "failure") {
        const next = await it.next();
        if (next.done) {
          ended = true;
          this.end();
          break;
        }
        held.push(next.value);
        bytes += next.value.length;
        this.push(next.value);
        // Past a few events or 64 KiB without output, the stream counts as an answer.
        if (this.preamble === "preamble" && (this.events >= MAX_EVENTS || bytes > MAX_BYTES)) this.preamble = "answer";
      }
    } catch (err) {
      await it.return?.();
      throw err;
    }
    this.starting = false;
    if (this.preamble === "failure") return this.failure(held, it, ended);
    if (this.opts.screen && !this.screen)
      this.screen =
        this.events === 0 && ended
          ? { kind: "bad", message: noEvents(this.dialect as Dialect, held) }
          : ended && this.dialect === "openai-chat"
            ? { kind: "bad", message: "answered an event stream that ended before any Chat chunk" }
            : { kind: "ok" };
    const rest = this.tap && !ended ? this.watched(it) : it;
    return {
      kind: "answer",
      body: replayBody(held, rest, ended),
      responseId: this.seen.responseId,
      screen: this.opts.screen ? this.screen : undefined,
      release: async () => {
        if (!ended) await it.return?.();
      },
    };
  }

  /** The rest of the stream, each chunk seen by the tap as it passes. */
  private watched(it: AsyncIterator<Uint8Array>): AsyncIterator<Uint8Array> {
    return {
      next: async () => {
        const n = await it.next();
        if (n.done) this.end();
        else this.push(n.value);
        return n;
      },
      return: async () => (await it.return?.()) ?? { done: true, value: undefined },
    };
  }

  /** A failure before any output: the whole stream as text (bounded), for the attempt loop to classify. */
  private async failure(held: Uint8Array[], it: AsyncIterator<Uint8Array>, ended: boolean): Promise<Inspected> {
    const decoder = new TextDecoder();
    let text = "";
    for (const c of held) text += decoder.decode(c, { stream: true });
    if (!ended)
      for (;;) {
        const more = await it.next();
        if (more.done) {
          if (this.tap) this.end();
          break;
        }
        if (text.length > MAX_FAILURE_TEXT) break;
        text += decoder.decode(more.value, { stream: true });
        if (this.tap) this.push(more.value);
      }
    if (text.length > MAX_FAILURE_TEXT) await it.return?.();
    return { kind: "failure", status: statusOf(text), text, screen: this.opts.screen ? this.screen : undefined };
  }
}

/** Reads the start of a stream in `dialect` for the attempt loop: its answer, or the failure before its output. */
export function peek(dialect: UpstreamDialect, body: AsyncIterable<Uint8Array>): Promise<Inspected> {
  return new StreamInspector(dialect).start(body);
}

/** How far a body may be blank before its first byte decides what it is. */
const SNIFF_BYTES = 64 * 1024;

/**
 * Sniffs a body that came without a content type: whether it starts (after blanks) with `{` or `[` (JSON) or
 * not (an event stream); the body is returned whole again.
 */
export async function sniffJson(
  body: AsyncIterable<Uint8Array>,
): Promise<{ json: boolean; body: AsyncIterable<Uint8Array> }> {
  const chunks = body[Symbol.asyncIterator]();
  const held: Uint8Array[] = [];
  let read = 0;
  let first: number | undefined;
  let ended = false;
  while (first === undefined && read < SNIFF_BYTES) {
    const next = await chunks.next();
    if (next.done) {
      ended = true;
      break;
    }
    held.push(next.value);
    for (const byte of next.value) {
      if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) {
        first = byte;
        break;
      }
    }
    read += next.value.length;
  }
  return { json: first === 0x7b || first === 0x5b, body: replayBody(held, chunks, ended) };
}
