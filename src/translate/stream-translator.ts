import type { DecodeOptions, ResponseOptions, StreamDecoder, StreamEncoder } from "../dialects/types.js";
import { checkToolInput, TOOL_INPUT_DEPTH_LIMIT, textDeeperThan, tooDeepToolInput } from "../ir/json-depth.js";
import type { Dialect, StreamEvent, UpstreamDialect } from "../ir/types.js";
import { SseParser } from "../sse/parser.js";
import { codecs, upstreamCodecs } from "./codecs.js";

export interface StreamTranslatorOptions {
  decode?: DecodeOptions;
  encode?: ResponseOptions;
  /** Sees every IR event (usage accounting, logs, reasoning capture). */
  tap?: (event: StreamEvent) => void;
  /**
   * Rewrites each decoded event before it is tapped and encoded (the guardrails put masked secrets back): it
   * passes on what it makes of the event, none, one or more.
   */
  rewrite?: (event: StreamEvent, out: (event: StreamEvent) => void) => void;
}

/**
 * A complete tool call whose arguments nest deeper than `TOOL_INPUT_DEPTH_LIMIT` or hold more than
 * `TOOL_INPUT_VALUE_LIMIT` values ends the answer (a 502, or the in-stream error) naming the call, before an
 * encoder parses the arguments into an object to serialise it again (recursive work that overflowed the stack
 * on thousands of levels: a 500; a second and more of CPU on millions of values). A custom tool's input is
 * free text, relayed as text: only its depth is judged.
 */
function guardToolInput(e: StreamEvent): void {
  if (e.type !== "block_stop" || e.part.type !== "tool_call") return;
  if (e.part.kind !== "custom") checkToolInput(e.part.arguments, e.part.name);
  else if (textDeeperThan(e.part.arguments, TOOL_INPUT_DEPTH_LIMIT)) throw tooDeepToolInput(e.part.name);
}

/**
 * One per request: upstream SSE bytes in, client SSE text out, incrementally. Nothing is buffered beyond the
 * current partial line and the held tool calls of a Chat upstream.
 */
export class StreamTranslator {
  private readonly parser = new SseParser();
  private readonly decoder: StreamDecoder;
  readonly encoder: StreamEncoder;
  private readonly sink: (e: StreamEvent) => void;
  private readonly onEvent: (e: import("../sse/parser.js").SseEvent) => void;

  constructor(upstream: UpstreamDialect, client: Dialect, opts: StreamTranslatorOptions = {}) {
    this.decoder = upstreamCodecs[upstream].createDecoder(opts.decode);
    this.encoder = codecs[client].createEncoder(opts.encode);
    const tap = opts.tap;
    const encoder = this.encoder;
    const deliver = (e: StreamEvent) => {
      guardToolInput(e);
      tap?.(e);
      encoder.write(e);
    };
    const rewrite = opts.rewrite;
    this.sink = rewrite ? (e) => rewrite(e, deliver) : deliver;
    this.onEvent = (ev) => this.decoder.event(ev, this.sink);
  }

  /** Feeds upstream bytes; returns the client wire text they produced (possibly empty). */
  push(chunk: Uint8Array | string): string {
    this.parser.push(chunk, this.onEvent);
    return this.encoder.take();
  }

  /** Upstream body ended; returns the remaining client wire text. */
  end(): string {
    this.parser.end(this.onEvent);
    this.decoder.end(this.sink);
    return this.encoder.take();
  }

  /** Injects an IR event directly (a gateway-side error, for instance). */
  inject(event: StreamEvent): string {
    this.sink(event);
    return this.encoder.take();
  }

  get finished(): boolean {
    return this.encoder.finished;
  }
}
