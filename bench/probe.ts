/** Single requests from the orchestrating process, for checks (not measured), and reading back what arrived. */
import { request } from "undici";
import { TOKEN_MARKER } from "./lanes.js";
import type { RequestSpec } from "./types.js";

/** One request from this process, for checks (not measured). */
export async function probe(spec: RequestSpec): Promise<{ status: number; text: string }> {
  const res = await request(`${spec.origin}${spec.path}`, {
    method: "POST",
    headers: spec.headers,
    body: spec.body,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  return { status: res.statusCode, text: await res.body.text() };
}

export function okReply(r: { status: number; text: string }): boolean {
  return r.status === 200 && r.text.includes(TOKEN_MARKER);
}

/** The events of a server-sent-events response: its blocks that carry a `data:` line. */
export function sseEvents(text: string): number {
  return text.split(/\r?\n\r?\n/).filter((block) => /^data:/m.test(block)).length;
}

const DROP = new Set(["host", "content-length", "connection", "transfer-encoding", "accept-encoding"]);

export function headersOf(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || DROP.has(k.toLowerCase())) continue;
    out[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

export function compareBodies(client: string, upstream: string): { dropped: string[]; changed: string[] } {
  try {
    const a = JSON.parse(client) as Record<string, unknown>;
    const b = JSON.parse(upstream) as Record<string, unknown>;
    const dropped = Object.keys(a).filter((k) => !(k in b));
    const changed = Object.keys(a).filter(
      (k) => k in b && k !== "model" && JSON.stringify(a[k]) !== JSON.stringify(b[k]),
    );
    return { dropped, changed };
  } catch {
    return { dropped: ["(unparseable)"], changed: [] };
  }
}
