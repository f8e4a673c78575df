import type { IncomingHttpHeaders } from "node:http";
import type { Warnings } from "../ir/warnings.js";

/**
 * Claude Code speaks the full Anthropic capability set to an `ANTHROPIC_BASE_URL` gateway; Claude's endpoints
 * on Bedrock and Vertex accept a subset, and refuse the rest ("invalid beta flag", "Extra inputs are not
 * permitted"). A capability is a beta value and, often, body fields that travel with it: both halves are
 * kept, renamed or dropped together, never one without the other.
 */

/** Beta values (by family, the part before the date) and the body fields they pair with. */
const PAIRS: ReadonlyArray<{ family: RegExp; fields: readonly string[] }> = [
  { family: /^context-management-/, fields: ["context_management"] },
  { family: /^effort-/, fields: ["output_config.effort"] },
  { family: /^task-budgets-/, fields: ["output_config.task_budget"] },
  { family: /^structured-outputs-/, fields: ["output_config.format", "tools[].strict"] },
  { family: /^(advanced-tool-use|tool-search-tool)-/, fields: ["tools[].defer_loading"] },
  { family: /^tool-examples-/, fields: ["tools[].input_examples"] },
  { family: /^mcp-client-/, fields: ["mcp_servers"] },
];

export type Cloud = "bedrock" | "vertex";

/** What each cloud's Claude endpoint accepts (its documentation, as of this release; `betas:` overrides). */
const ACCEPTED: Record<Cloud, readonly string[]> = {
  bedrock: [
    "computer-use-2025-01-24",
    "computer-use-2025-11-24",
    "context-1m-2025-08-07",
    "context-management-2025-06-27",
    "effort-2025-11-24",
    "fine-grained-tool-streaming-2025-05-14",
    "tool-search-tool-2025-10-19",
    "compact-2026-01-12",
    "dangerous-tool-use-2026-09-03",
    "thinking-binding-controls-2026-08-01",
    "thinking-display-updates-2026-08-18",
    "mid-conversation-output-config-2026-07-01",
    "mid-conversation-tool-changes-2026-07-01",
  ],
  vertex: [
    "computer-use-2025-01-24",
    "computer-use-2025-11-24",
    "context-1m-2025-08-07",
    "context-management-2025-06-27",
    "interleaved-thinking-2025-05-14",
    "tool-search-tool-2025-10-19",
    "compact-2026-01-12",
    "compact-2026-09-04",
    "dangerous-tool-use-2026-09-03",
    "per-turn-control-2026-07-01",
    "thinking-binding-controls-2026-08-01",
    "thinking-display-updates-2026-08-18",
    "web-search-2025-03-05",
  ],
};

/** The clouds name some capabilities differently from Anthropic's API. */
const RENAMED: Record<string, string> = { "advanced-tool-use-2025-11-20": "tool-search-tool-2025-10-19" };

export interface BetaBridge {
  /** The betas to send, in the client's order (renamed where the cloud names them differently). */
  betas: string[];
  /** Body fields to remove: their beta was dropped. */
  dropFields: string[];
}

function pairedFields(beta: string): readonly string[] {
  return PAIRS.find((p) => p.family.test(beta))?.fields ?? [];
}

/** The client's betas (header values or a body's `anthropic_beta` list) as `cloud` takes them. */
export function bridgeBetas(
  cloud: Cloud,
  sent: readonly string[],
  accepted: readonly string[] | undefined,
  warnings: Warnings,
): BetaBridge {
  const allowed = new Set(accepted ?? ACCEPTED[cloud]);
  const betas: string[] = [];
  const dropFields: string[] = [];
  const dropped: string[] = [];
  for (const beta of sent) {
    const named = RENAMED[beta] ?? beta;
    if (allowed.has(named)) {
      if (!betas.includes(named)) betas.push(named);
      continue;
    }
    dropped.push(beta);
    for (const f of pairedFields(beta)) if (!dropFields.includes(f)) dropFields.push(f);
  }
  // A field kept by another beta of the same family (a renamed one) stays.
  const kept = dropFields.filter((f) => !betas.some((b) => pairedFields(b).includes(f)));
  if (dropped.length > 0) {
    const fields = kept.length > 0 ? ` with ${kept.join(", ")}` : "";
    warnings.add(
      "beta_dropped",
      `anthropic-beta ${dropped.join(", ")} not accepted by Claude on ${cloud === "bedrock" ? "Bedrock" : "Vertex AI"}; dropped${fields}`,
      "anthropic-beta",
    );
  }
  return { betas, dropFields: kept };
}

/** The anthropic-beta header's values. */
export function headerBetas(h: IncomingHttpHeaders): string[] {
  const v = h["anthropic-beta"];
  const text = Array.isArray(v) ? v.join(",") : (v ?? "");
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Removes the body fields of dropped capabilities (`a.b` a nested member, `tools[].x` a member of each tool). */
export function dropPairedFields(body: Record<string, unknown>, fields: readonly string[]): void {
  for (const f of fields) {
    if (f.startsWith("tools[].")) {
      const name = f.slice("tools[].".length);
      if (Array.isArray(body.tools))
        for (const t of body.tools) if (t && typeof t === "object") delete (t as Record<string, unknown>)[name];
      continue;
    }
    const [top, sub] = f.split(".") as [string, string | undefined];
    if (!sub) {
      delete body[top];
      continue;
    }
    const parent = body[top];
    if (!parent || typeof parent !== "object") continue;
    delete (parent as Record<string, unknown>)[sub];
    if (Object.keys(parent).length === 0) delete body[top];
  }
}

/** The header a provider's target() uses to hand its decision to its prepareCall() (never sent). */
export const DROP_FIELDS_HEADER = "x-llmux-drop-fields";

/** Reads (and removes) the decision target() left on the call. */
export function takeDropFields(headers: Record<string, string>): string[] {
  const v = headers[DROP_FIELDS_HEADER];
  delete headers[DROP_FIELDS_HEADER];
  return v ? v.split(",") : [];
}
