import type { ServerResponse } from "node:http";

/** A whole answer, as written by the stages: its status, its headers and its body's text. */
export interface WholeAnswer {
  status: number;
  headers: Record<string, unknown>;
  text: string;
}

/**
 * Makes `res` hold back an answer whose status `when` picks until its end, then write `rewrite`'s version of
 * it whole (with its own content length). Other answers, and headers set with `setHeader`, pass as they are.
 */
export function holdAnswer(
  res: ServerResponse,
  when: (status: number) => boolean,
  rewrite: (held: WholeAnswer) => WholeAnswer,
): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  let held: { status: number; headers: Record<string, unknown>; chunks: Buffer[] } | undefined;
  const keep = (chunk: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === "function") return;
    held!.chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
  };
  res.writeHead = ((status: number, ...args: unknown[]) => {
    if (!when(status)) return writeHead(status, ...args);
    const headers = (args.find((a) => a !== null && typeof a === "object") ?? {}) as Record<string, unknown>;
    held = { status, headers, chunks: [] };
    return res;
  }) as ServerResponse["writeHead"];
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (!held) return write(chunk, ...rest);
    keep(chunk);
    (rest.find((r) => typeof r === "function") as (() => void) | undefined)?.();
    return true;
  }) as ServerResponse["write"];
  res.end = ((...args: unknown[]) => {
    if (!held) return end(...args);
    keep(args[0]);
    const headers: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(held.headers)) {
      const key = k.toLowerCase();
      if (key !== "content-length" && key !== "transfer-encoding") headers[key] = v;
    }
    const out = rewrite({ status: held.status, headers, text: Buffer.concat(held.chunks).toString("utf8") });
    held = undefined;
    writeHead(out.status, { ...out.headers, "content-length": Buffer.byteLength(out.text) });
    return end(out.text, ...args.filter((a) => typeof a === "function"));
  }) as ServerResponse["end"];
}
