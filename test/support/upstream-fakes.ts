import type { Provider } from "../../src/providers/types.js";

/** A provider whose calls go to `url` (a test's own HTTP server), as callUpstream takes it. */
export function fakeProvider(opts: {
  name: string;
  url: string;
  timeoutMs: number;
  dialect?: "openai-chat" | "anthropic";
  prepareCall?: Provider["prepareCall"];
}): Provider {
  const dialect = opts.dialect ?? "openai-chat";
  return {
    name: opts.name,
    type: dialect === "anthropic" ? "anthropic" : "openai-compatible",
    dialect,
    timeoutMs: opts.timeoutMs,
    requestOptions: () => ({}),
    target: () => ({ url: opts.url, headers: {} }),
    ...(opts.prepareCall ? { prepareCall: opts.prepareCall } : {}),
  } as unknown as Provider;
}

/** The abort listeners a signal holds (node's EventTarget counts them for its leak warning). */
export function abortListeners(signal: AbortSignal): number {
  const sym = Object.getOwnPropertySymbols(signal).find((s) => s.description === "kEvents");
  const events = sym ? (signal as unknown as Record<symbol, Map<string, { size: number }>>)[sym] : undefined;
  return events?.get("abort")?.size ?? 0;
}
