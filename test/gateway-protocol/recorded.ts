import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Requests Claude Code sent (recorded from the real program, long strings replaced with filler), with
 * capabilities no release of llmux has seen: a beta value, an `anthropic-*` header, a top-level body field,
 * a tool field and a content-block field invented here. A gateway that forwards open lists passes them on;
 * one pinned to an observed list strips them.
 */
const DIR = join(import.meta.dirname, "../../../shared/fixtures/real-clients");

export const RECORDED = [
  "claude-2.1.330-17-POST__v1_messages_stream_tools.json",
  "claude-07-POST__v1_messages_stream_tools.json",
  "claude-sonnet45-toolroundtrip-06-POST__v1_messages_tool_result.json",
] as const;

export const INVENTED = {
  beta: "frobnicate-tools-2031-02-30",
  header: ["anthropic-telepathy", "wavelength=7"] as const,
  field: "quantum_entanglement",
  toolField: "eager_frobnicate",
  blockField: "shimmer",
};

export interface RecordedRequest {
  /** The file it came from. */
  name: string;
  model: string;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: a recorded JSON body, walked freely by the tests
  body: Record<string, any>;
  /** The body as sent (JSON text): what an Anthropic upstream must receive byte for byte. */
  raw: string;
}

/** Headers a client sends that are its own business (the connection, its SDK's telemetry), not the upstream's. */
const HOP = new Set(["host", "content-length", "connection", "accept-encoding", "x-api-key", "authorization"]);

export function recorded(file: (typeof RECORDED)[number], key = "k"): RecordedRequest {
  const rec = JSON.parse(readFileSync(join(DIR, file), "utf8")) as {
    headers: Record<string, string>;
    body: RecordedRequest["body"];
  };
  const body = rec.body;
  body[INVENTED.field] = { strength: 0.75, partners: ["a", "b"] };
  body.tools[0][INVENTED.toolField] = true;
  const lastUser = body.messages.findLast((m: { role: string }) => m.role === "user");
  lastUser.content.at(-1)[INVENTED.blockField] = { hue: "violet" };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec.headers)) if (!HOP.has(k)) headers[k] = v;
  headers["anthropic-beta"] = `${rec.headers["anthropic-beta"]},${INVENTED.beta}`;
  headers[INVENTED.header[0]] = INVENTED.header[1];
  headers["x-claude-code-agent-id"] = "agent-7";
  headers["x-claude-code-parent-agent-id"] = "agent-1";
  headers["x-api-key"] = key;
  return { name: file, model: body.model, headers, body, raw: JSON.stringify(body) };
}

/** Each recorded request's model, served by the provider `provider` under its own name. */
export function sameNameModels(provider: string): Record<string, { provider: string; model: string }> {
  const out: Record<string, { provider: string; model: string }> = {};
  for (const f of RECORDED) {
    const { model } = recorded(f);
    out[model] = { provider, model };
  }
  return out;
}
