import {
  type OutgoingHttpHeader,
  type OutgoingHttpHeaders,
  ServerResponse,
  validateHeaderName,
  validateHeaderValue,
} from "node:http";

type HeadHeaders = OutgoingHttpHeaders | OutgoingHttpHeader[] | readonly [string, OutgoingHttpHeader][];

/**
 * The gateway's responses (the ServerResponse class its server makes, http.createServer's `ServerResponse`
 * option). Node keeps the headers set before a response's head (`setHeader`) in a dictionary-mode object and an
 * array per header, and keeps them for the life of the response: about 1 KB on every open stream, for the few
 * headers llmux sets before the head (its request id, route, cost so far, overhead). Here they wait in one plain
 * object, named in lower case, and go out with the head's own headers, given to writeHead at once (node's path
 * for a head whose headers come whole): the head's own win over one set before with the same name, as in node.
 *
 * What callers see is node's: a name or value node refuses is refused by `setHeader` itself (node's checks),
 * setting a header after the head throws, `removeHeader` keeps node's effects (no Date, no automatic
 * Content-Length…). After the head, node answers `getHeader` only for headers set before it, not for those
 * given to writeHead; here neither is kept (they would stay on every open stream), except the content type,
 * which is what llmux reads of a response after its head (whether its answer is an event stream).
 */
export class LeanResponse extends ServerResponse {
  /** Headers set before the head, by lower-case name. */
  private pending: OutgoingHttpHeaders | undefined;
  /** The content type the head was written with. */
  private sentType: OutgoingHttpHeader | undefined;

  override setHeader(name: string, value: number | string | readonly string[]): this {
    if (this.headersSent) return super.setHeader(name, value);
    validateHeaderName(name);
    validateHeaderValue(name, value as string);
    this.pending ??= {};
    this.pending[name.toLowerCase()] = value as OutgoingHttpHeader;
    return this;
  }

  override appendHeader(name: string, value: string | readonly string[]): this {
    const had = this.headersSent ? undefined : this.pending?.[name.toLowerCase()];
    if (had === undefined) return this.setHeader(name, value);
    validateHeaderValue(name, value as string);
    const more = typeof value === "string" ? [value] : value;
    this.pending![name.toLowerCase()] = [...(Array.isArray(had) ? had : [String(had)]), ...more];
    return this;
  }

  override getHeader(name: string): OutgoingHttpHeader | undefined {
    const key = name.toLowerCase();
    if (!this.headersSent) return this.pending?.[key];
    return key === "content-type" ? this.sentType : super.getHeader(name);
  }

  override hasHeader(name: string): boolean {
    return this.getHeader(name) !== undefined;
  }

  override getHeaderNames(): string[] {
    return Object.keys(this.getHeaders());
  }

  override getHeaders(): OutgoingHttpHeaders {
    if (!this.headersSent) return { ...this.pending };
    return this.sentType === undefined ? {} : { "content-type": this.sentType };
  }

  override removeHeader(name: string): void {
    // Node's own first: it throws after the head, and notes what not to add itself (Date, Content-Length…).
    super.removeHeader(name);
    if (this.pending && name.toLowerCase() in this.pending) delete this.pending[name.toLowerCase()];
  }

  override writeHead(statusCode: number, reason?: string | HeadHeaders, headers?: HeadHeaders): this {
    const message = typeof reason === "string" ? reason : undefined;
    const own = typeof reason === "string" ? headers : reason;
    const head = this.headersSent ? own : this.merged(own);
    if (!this.headersSent && head !== undefined) this.sentType = headerIn(head, "content-type");
    return message === undefined
      ? super.writeHead(statusCode, head as OutgoingHttpHeaders)
      : super.writeHead(statusCode, message, head as OutgoingHttpHeaders);
  }

  /** The head's headers: those set before it, then its own (theirs win, whatever their case). */
  private merged(own: HeadHeaders | undefined): HeadHeaders | undefined {
    const pending = this.pending;
    this.pending = undefined;
    if (pending === undefined) return own;
    if (own === undefined) return pending;
    if (!Array.isArray(own)) {
      for (const k in own) pending[k.toLowerCase()] = (own as OutgoingHttpHeaders)[k];
      return pending;
    }
    const theirs = pairsOf(own);
    const named = new Set(theirs.map(([k]) => k.toLowerCase()));
    const flat: OutgoingHttpHeader[] = [];
    for (const k in pending) if (!named.has(k)) flat.push(k, pending[k]!);
    for (const [k, v] of theirs) flat.push(k, v);
    return flat;
  }
}

/** A head's headers as [name, value] pairs (an object, a flat array of names and values, or an array of pairs). */
function pairsOf(h: HeadHeaders): [string, OutgoingHttpHeader][] {
  if (!Array.isArray(h)) {
    const out: [string, OutgoingHttpHeader][] = [];
    for (const k in h) {
      const v = (h as OutgoingHttpHeaders)[k];
      if (v !== undefined) out.push([k, v]);
    }
    return out;
  }
  if (h.length > 0 && Array.isArray(h[0])) return h as [string, OutgoingHttpHeader][];
  const out: [string, OutgoingHttpHeader][] = [];
  for (let i = 0; i + 1 < h.length; i += 2) out.push([String(h[i]), h[i + 1] as OutgoingHttpHeader]);
  return out;
}

function headerIn(h: HeadHeaders, key: string): OutgoingHttpHeader | undefined {
  if (!Array.isArray(h)) {
    const exact = (h as OutgoingHttpHeaders)[key];
    if (exact !== undefined) return exact;
  }
  for (const [k, v] of pairsOf(h)) if (k.toLowerCase() === key) return v;
  return undefined;
}
