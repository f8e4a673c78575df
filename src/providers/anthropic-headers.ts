import type { IncomingHttpHeaders } from "node:http";

/**
 * Client headers an Anthropic-format upstream receives as they came: every `anthropic-*` header (an open
 * list: a header Claude Code starts sending tomorrow passes without a release of llmux) and Claude Code's
 * attribution headers (`x-claude-code-session-id`, `-agent-id`, `-parent-agent-id`, and any later
 * `x-claude-code-*`). `anthropic-version` and `anthropic-beta` are set by the provider itself (its
 * default version; the betas it accepts), so they are left out here.
 */
const OWN = new Set(["anthropic-version", "anthropic-beta"]);

export function forwardedClientHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(h)) {
    if (value === undefined || OWN.has(name)) continue;
    if (!name.startsWith("anthropic-") && !name.startsWith("x-claude-code-")) continue;
    out[name] = Array.isArray(value) ? value.join(",") : value;
  }
  return out;
}
