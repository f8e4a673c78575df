/**
 * Bounds on what an upstream MCP server answers to a tool call, a prompt or a resource, checked on the parsed
 * message before anything else looks at it (the SDK's validation, scrubbing, the client): a hostile server's
 * 200,000 content parts took 21 s to validate and scrub on the event loop, 8 MB of text 3.5 s.
 */
export const MCP_RESULT_LIMITS = {
  /** Characters of text in one result (every string, keys included): about its size once serialised. */
  bytes: 4 * 1024 * 1024,
  /** Parts of one result: a tool result's `content`, a resource's `contents`, a prompt's `messages`. */
  parts: 1_000,
  /** Nesting of arrays and objects (a tool's `structuredContent` is the server's own JSON). */
  depth: 64,
  /** Arrays, objects and scalars in one result, all counted. */
  values: 100_000,
} as const;

/** The largest message llmux reads from an upstream MCP server, as sent (a stdio line, an HTTP answer). */
export const MCP_MESSAGE_BYTES = 16 * 1024 * 1024;

/** The requests whose results are bounded, and where each result keeps its parts. */
export const BOUNDED_RESULTS: Record<string, string> = {
  "tools/call": "content",
  "resources/read": "contents",
  "prompts/get": "messages",
};

const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 100) / 100} MB`;

/**
 * Why a result is over the bounds (a sentence naming the bound), or undefined when it is within them. One walk,
 * iterative, that stops at the first bound passed: its cost is bounded too.
 */
export function resultProblem(result: unknown, method: string): string | undefined {
  const L = MCP_RESULT_LIMITS;
  const partsKey = BOUNDED_RESULTS[method];
  if (partsKey && result && typeof result === "object") {
    const parts = (result as Record<string, unknown>)[partsKey];
    if (Array.isArray(parts) && parts.length > L.parts)
      return `The MCP server's result has ${parts.length} ${partsKey} parts; llmux relays at most ${L.parts}`;
  }
  let chars = 0;
  let values = 0;
  const stack: [unknown, number][] = [[result, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (++values > L.values)
      return `The MCP server's result has more than ${L.values} values; llmux relays at most that many`;
    if (typeof v === "string") chars += v.length;
    else if (v !== null && typeof v === "object") {
      if (depth >= L.depth)
        return `The MCP server's result nests deeper than ${L.depth} levels; llmux relays no deeper`;
      if (Array.isArray(v)) for (const x of v) stack.push([x, depth + 1]);
      else
        for (const k in v) {
          chars += k.length;
          stack.push([(v as Record<string, unknown>)[k], depth + 1]);
        }
    }
    if (chars > L.bytes)
      return `The MCP server's result holds more than ${mb(L.bytes)} of text; llmux relays at most that`;
  }
  return undefined;
}
