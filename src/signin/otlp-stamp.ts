/**
 * Stamping OTLP export requests with who sent them: the signed-in person's attributes are added to the
 * resource of every ResourceMetrics / ResourceLogs / ResourceSpans, in OTLP/JSON and in OTLP/protobuf.
 * Pure functions, no I/O.
 *
 * Protobuf: the three export requests share one shape: field 1 repeats Resource{Metrics,Logs,Spans}, whose
 * field 1 is the Resource, whose field 1 repeats KeyValue{key = 1, value = 2: AnyValue{string_value = 1}}.
 * A second occurrence of an embedded message field is merged into the first by every protobuf parser (and
 * repeated fields concatenate), so each entry gets one more `resource` field holding only the new attributes:
 * nothing else in the message is decoded or rewritten.
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
 * Fields llmux walks at the top level of an OTLP/protobuf export request, at most. An exporter sends one entry
 * per resource (Claude Code: one); every entry gets the stamped attributes added (about 200 bytes), so the
 * count bounds both the walk and what the stamped body may grow by. Only the top level is walked: nothing
 * nested is decoded, so the nesting depth costs nothing.
 */
export const OTLP_FIELDS_MAX = 10_000;

/**
 * An OTLP/protobuf export request with `attrs` added to every entry's resource; throws on bytes it cannot walk
 * or past `OTLP_FIELDS_MAX` fields. The request is walked once, noting the ranges to copy (not a view per
 * field), and written into one buffer.
 */
export function stampProtobuf(body: Buffer, attrs: Record<string, string>): Buffer {
  const extra = field(1, resourceOf(attrs));
  // Entries: [field start, payload start, payload end]; the bytes between two entries are copied as they are.
  const entries: number[] = [];
  let fields = 0;
  let size = 0;
  let i = 0;
  while (i < body.length) {
    if (++fields > OTLP_FIELDS_MAX) throw new Error(`more than ${OTLP_FIELDS_MAX} fields at the top level`);
    const start = i;
    const [tag, afterTag] = readVarint(body, i);
    const wire = tag & 7;
    i = afterTag;
    if (wire === 0) i = readVarint(body, i)[1];
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      const [len, afterLen] = readVarint(body, i);
      const end = afterLen + len;
      if (end > body.length) throw new Error("truncated field");
      if (tag >>> 3 === 1) {
        entries.push(start, afterLen, end);
        const length = len + extra.length;
        size += varintLength((1 << 3) | 2) + varintLength(length) + length - (end - start);
      }
      i = end;
    } else throw new Error(`unexpected wire type ${wire}`);
    if (i > body.length) throw new Error("truncated field");
  }
  const out = Buffer.allocUnsafe(body.length + size);
  let at = 0;
  let from = 0;
  for (let e = 0; e < entries.length; e += 3) {
    const [fieldStart, payloadStart, payloadEnd] = [entries[e]!, entries[e + 1]!, entries[e + 2]!];
    // The entry's own tag and length are written again (the length grows by the stamp).
    at += body.copy(out, at, from, fieldStart);
    at += varint((1 << 3) | 2).copy(out, at);
    at += varint(payloadEnd - payloadStart + extra.length).copy(out, at);
    at += body.copy(out, at, payloadStart, payloadEnd);
    at += extra.copy(out, at);
    from = payloadEnd;
  }
  at += body.copy(out, at, from);
  return out.subarray(0, at);
}

function varintLength(n: number): number {
  let len = 1;
  for (let v = n; v > 0x7f; v = Math.floor(v / 128)) len++;
  return len;
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
      const attributes = Array.isArray(resource.attributes) ? resource.attributes : [];
      return { ...e, resource: { ...resource, attributes: [...attributes, ...added] } };
    }),
  };
}
