/** One parsed server-sent event. `event` is absent when the stream sent no `event:` line. */
export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}

export type SseListener = (event: SseEvent) => void;

/**
 * Incremental SSE parser (WHATWG event-stream rules) for upstream bodies:
 * - bytes are decoded with a streaming UTF-8 decoder, so a multibyte character split across network
 *   chunks survives; invalid bytes become U+FFFD instead of throwing;
 * - lines end in LF, CRLF or a lone CR, also when the CR and LF arrive in different chunks;
 * - several `data:` lines join with "\n"; lines starting with ":" are comments;
 * - at end of input a final event without its closing blank line is still delivered (some providers
 *   omit it, and dropping their last event would lose `message_stop`).
 */
export class SseParser {
  private readonly decoder = new TextDecoder("utf-8");
  /** The partial line at the end of the input so far, in the pieces it came in (joined once, when it ends). */
  private pending: string[] = [];
  private pendingLength = 0;
  private skipLeadingLf = false;
  private data: string | undefined;
  private eventName: string | undefined;
  private lastId: string | undefined;
  /** Number of comment lines seen (keep-alives). */
  comments = 0;

  push(chunk: Uint8Array | string, listener: SseListener): void {
    let text = typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    if (text.length === 0) return;
    if (this.skipLeadingLf) {
      this.skipLeadingLf = false;
      if (text.charCodeAt(0) === 10) text = text.slice(1);
    }
    // The pending partial line holds no line break: searching resumes where it ends. A chunk without a
    // line break only adds a piece, so one long line costs time linear in its length.
    const from = this.pendingLength;
    if (from > 0) {
      if (text.indexOf("\n") === -1 && text.indexOf("\r") === -1) {
        this.keep(text);
        return;
      }
      text = this.takePending() + text;
    }
    this.scan(text, from, listener);
  }

  /** Characters held in the unfinished last line (for limits on a single event). */
  get pendingChars(): number {
    return this.pendingLength;
  }

  private keep(piece: string): void {
    this.pending.push(piece);
    this.pendingLength += piece.length;
  }

  private takePending(): string {
    const text = this.pending.length === 1 ? (this.pending[0] as string) : this.pending.join("");
    this.pending = [];
    this.pendingLength = 0;
    return text;
  }

  /** Flushes what is left at end of input. */
  end(listener: SseListener): void {
    const tail = this.decoder.decode();
    const from = this.pendingLength;
    let text = this.takePending() + tail;
    if (this.skipLeadingLf && text.charCodeAt(0) === 10) text = text.slice(1);
    this.skipLeadingLf = false;
    if (text.length > 0) {
      this.scan(text, Math.min(from, text.length), listener);
      if (this.pendingLength > 0) {
        const line = this.takePending();
        this.line(line, 0, line.length, listener);
      }
    }
    this.dispatch(listener);
  }

  private scan(text: string, searchFrom: number, listener: SseListener): void {
    const len = text.length;
    let pos = 0;
    let lf = text.indexOf("\n", searchFrom);
    let cr = text.indexOf("\r", searchFrom);
    while (pos < len) {
      if (lf !== -1 && lf < pos) lf = text.indexOf("\n", pos);
      if (cr !== -1 && cr < pos) cr = text.indexOf("\r", pos);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        end = cr;
        if (cr + 1 < len) next = text.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
        else {
          next = len;
          this.skipLeadingLf = true; // a CR at the very end may be the first half of CRLF
        }
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else {
        this.keep(pos === 0 ? text : text.slice(pos));
        return;
      }
      this.line(text, pos, end, listener);
      pos = next;
    }
  }

  /** One line, given as text[start, end): fields are read in place, without slicing the line first. */
  private line(text: string, start: number, end: number, listener: SseListener): void {
    if (start === end) {
      this.dispatch(listener);
      return;
    }
    const first = text.charCodeAt(start);
    if (first === 58 /* : */) {
      this.comments++;
      return;
    }
    let colon = text.indexOf(":", start);
    if (colon === -1 || colon > end) colon = end;
    let valueStart = colon + 1;
    if (valueStart < end && text.charCodeAt(valueStart) === 32) valueStart++;
    const value = valueStart >= end ? "" : text.slice(valueStart, end);
    const nameLength = colon - start;
    if (nameLength === 4 && text.startsWith("data", start)) {
      this.data = this.data === undefined ? value : `${this.data}\n${value}`;
    } else if (nameLength === 5 && text.startsWith("event", start)) {
      this.eventName = value;
    } else if (nameLength === 2 && text.startsWith("id", start)) {
      if (!value.includes("\u0000")) this.lastId = value;
    }
    // `retry` and unknown fields are ignored
  }

  private dispatch(listener: SseListener): void {
    const data = this.data;
    const name = this.eventName;
    this.data = undefined;
    this.eventName = undefined;
    if (data === undefined) return;
    const event: SseEvent = { data };
    if (name !== undefined && name.length > 0) event.event = name;
    if (this.lastId !== undefined) event.id = this.lastId;
    listener(event);
  }
}

/** Parses a whole SSE text (tests, non-streamed bodies that arrive as SSE). */
export function parseSseText(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  const parser = new SseParser();
  const push = (e: SseEvent) => out.push(e);
  parser.push(text, push);
  parser.end(push);
  return out;
}
