/**
 * Stamping OTLP export requests with who sent them: the signed-in person's attributes are added to the
 * resource of every ResourceMetrics / ResourceLogs / ResourceSpans, in OTLP/JSON and in OTLP/protobuf.
 * Pure functions, no I/O.
 *
 * Protobuf: the three export requests share one shape: field 1 repeats Resource{Metrics,Logs,Spans}, whose
 * field 1 is the Resource, whose field 1 repeats KeyValue{key = 1, value = 2: AnyValue{string_value = 1}}.
 * Each entry's resource is rewritten as one field (several are merged, as parsers merge repeated embedded
 * fields): the client's attributes without its own of the stamped names (IDENTITY_KEYS), then the stamped
 * ones. Nothing else in the message is decoded or rewritten.
 */

export type Signal = "metrics" | "logs" | "traces";

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

function readVarint(b: Buffer, at: number): [value: number, next: number] {
  let value = 0;
  let mul = 1;
  let i = at;
  for (;;) {
    if (i >= b.length) throw new Error("truncated varint");
    const byte = b[i++]!;
    value += (byte & 0x7f) * mul;
    if (byte < 0x80) return [value, i];
    mul *= 128;
    if (mul > 2 ** 56) throw new Error("varint too long");
  }
}

/** A length-delimited field. */
const field = (no: number, payload: Buffer) => Buffer.concat([varint((no << 3) | 2), varint(payload.length), payload]);

/** Resource{attributes: [KeyValue{key, AnyValue{string_value}}…]} as bytes. */
function resourceOf(attrs: Record<string, string>): Buffer {
  return Buffer.concat(
    Object.entries(attrs).map(([k, v]) =>
      field(1, Buffer.concat([field(1, Buffer.from(k)), field(2, field(1, Buffer.from(v)))])),
    ),
  );
}

/**
 * Fields llmux walks in an OTLP/protobuf export request, at most: the top level, each entry's own fields and
 * its resource's attributes, counted together. An exporter sends one entry per resource (Claude Code: one)
 * with a few attributes; the count bounds the walk and what the stamped body may grow by. Spans, metrics and
 * logs inside an entry are copied as they are, never decoded, so their nesting costs nothing.
 */
export const OTLP_FIELDS_MAX = 10_000;

/**
 * The resource attributes llmux stamps: a client's own of these names are removed before stamping, so a
 * collector sees only llmux's (whichever value it reads, the first or the last).
 */
export const IDENTITY_KEYS: ReadonlySet<string> = new Set([
  "user.email",
  "enduser.id",
  "llmux.team_id",
  "llmux.team",
  "llmux.signin_session",
]);

/** How many fields a stamping may still walk (shared by every level of one request). */
interface Budget {
  left: number;
}

/**
 * Each field of a message: its number, wire type, the bytes it spans and its payload's (length-delimited);
 * throws on bytes it cannot walk, or once the request's field budget is spent.
 */
function* fieldsOf(
  b: Buffer,
  budget: Budget,
): Generator<{ no: number; wire: number; start: number; end: number; payloadStart: number }> {
  let i = 0;
  while (i < b.length) {
    if (--budget.left < 0) throw new Error(`more than ${OTLP_FIELDS_MAX} fields`);
    const start = i;
    const [tag, afterTag] = readVarint(b, i);
    const wire = tag & 7;
    i = afterTag;
    let payloadStart = -1;
    if (wire === 0) i = readVarint(b, i)[1];
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      const [len, afterLen] = readVarint(b, i);
      payloadStart = afterLen;
      i = afterLen + len;
    } else throw new Error(`unexpected wire type ${wire}`);
    if (i > b.length) throw new Error("truncated field");
    yield { no: tag >>> 3, wire, start, end: i, payloadStart };
  }
}

/** A KeyValue's key (the last `key` field, as a protobuf parser reads it). */
function keyOf(kv: Buffer, budget: Budget): string | undefined {
  let key: string | undefined;
  for (const f of fieldsOf(kv, budget))
    if (f.no === 1 && f.payloadStart >= 0) key = kv.toString("utf8", f.payloadStart, f.end);
  return key;
}

/**
 * A Resource{Metrics,Logs,Spans} entry whose resource holds the client's attributes without its own identity
 * ones, then `stamped`: one resource field (several are merged into it, as parsers merge them), where the
 * first was, or at the end when there was none.
 */
function restamped(entry: Buffer, stamped: Buffer, budget: Budget): Buffer {
  const parts: (Buffer | undefined)[] = [];
  const kept: Buffer[] = [];
  let at = -1;
  for (const f of fieldsOf(entry, budget)) {
    if (f.no !== 1 || f.payloadStart < 0) {
      parts.push(entry.subarray(f.start, f.end));
      continue;
    }
    if (at < 0) at = parts.push(undefined) - 1;
    const resource = entry.subarray(f.payloadStart, f.end);
    for (const a of fieldsOf(resource, budget)) {
      const identity =
        a.no === 1 &&
        a.payloadStart >= 0 &&
        IDENTITY_KEYS.has(keyOf(resource.subarray(a.payloadStart, a.end), budget) ?? "");
      if (!identity) kept.push(resource.subarray(a.start, a.end));
    }
  }
  const resource = field(1, Buffer.concat([...kept, stamped]));
  if (at < 0) parts.push(resource);
  else parts[at] = resource;
  return Buffer.concat(parts as Buffer[]);
}

/**
 * An OTLP/protobuf export request with `attrs` added to every entry's resource; throws on bytes it cannot walk
 * or past `OTLP_FIELDS_MAX` fields. The top level is walked once, noting only the entries' ranges; what lies
 * between entries is copied as it is.
 */
export function stampProtobuf(body: Buffer, attrs: Record<string, string>): Buffer {
  const stamped = resourceOf(attrs);
  const budget: Budget = { left: OTLP_FIELDS_MAX };
  const parts: Buffer[] = [];
  let from = 0;
  for (const f of fieldsOf(body, budget)) {
    if (f.no !== 1 || f.payloadStart < 0) continue;
    parts.push(body.subarray(from, f.start));
    parts.push(field(1, restamped(body.subarray(f.payloadStart, f.end), stamped, budget)));
    from = f.end;
  }
  parts.push(body.subarray(from));
  return Buffer.concat(parts);
}

const JSON_KEYS: Record<Signal, string> = { metrics: "resourceMetrics", logs: "resourceLogs", traces: "resourceSpans" };

/** An OTLP/JSON export request with `attrs` added to every entry's resource. */
export function stampJson(body: unknown, signal: Signal, attrs: Record<string, string>): unknown {
  if (!body || typeof body !== "object") return body;
  const o = body as Record<string, unknown>;
  const list = o[JSON_KEYS[signal]];
  if (!Array.isArray(list)) return body;
  const added = Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } }));
  return {
    ...o,
    [JSON_KEYS[signal]]: list.map((entry) => {
      const e = (entry ?? {}) as Record<string, unknown>;
      const resource = (e.resource ?? {}) as Record<string, unknown>;
      const attributes = (Array.isArray(resource.attributes) ? resource.attributes : []).filter(
        (a) => !IDENTITY_KEYS.has(String((a as { key?: unknown } | null)?.key)),
      );
      return { ...e, resource: { ...resource, attributes: [...attributes, ...added] } };
    }),
  };
}
