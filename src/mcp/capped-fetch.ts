import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { MCP_MESSAGE_BYTES } from "./result-bounds.js";

type Id = string | number;

/** The ids of the requests a POSTed JSON-RPC message (or batch) carries: llmux's own, small. */
function requestIds(body: unknown): Id[] {
  if (typeof body !== "string") return [];
  try {
    const parsed = JSON.parse(body) as unknown;
    const list = Array.isArray(parsed) ? parsed : [parsed];
    return list.flatMap((m) => {
      const id = (m as { id?: unknown })?.id;
      return typeof id === "string" || typeof id === "number" ? [id] : [];
    });
  } catch {
    return [];
  }
}

/**
 * `fetch` for the SDK's HTTP transports with the answer to each POST (a JSON body, or the event stream of that
 * request) bounded to `MCP_MESSAGE_BYTES`: past it the answer is cut, and the requests it was for are failed
 * through `over` with the bound's name, before the SDK reads more of it.
 */
export function cappedFetch(over: (ids: Id[], message: string) => void, base: FetchLike = fetch): FetchLike {
  return async (url, init) => {
    const res = await base(url, init);
    if ((init?.method ?? "GET").toUpperCase() !== "POST" || !res.body) return res;
    const ids = requestIds(init?.body);
    let seen = 0;
    const limit = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen <= MCP_MESSAGE_BYTES) return controller.enqueue(chunk);
        const message = `The MCP server's answer is larger than ${MCP_MESSAGE_BYTES / 1024 / 1024} MB; llmux reads none larger`;
        over(ids, message);
        controller.error(new Error(message));
      },
    });
    return new Response(res.body.pipeThrough(limit), {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
  };
}
