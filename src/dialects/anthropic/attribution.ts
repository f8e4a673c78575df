import type { Request } from "../../ir/types.js";

/**
 * Claude Code's attribution block: the first entry of `system`, a block of its own that starts with this
 * header (the client's version and a fingerprint of the conversation). It is not prompt content: Anthropic's
 * API strips it by its position, so an Anthropic-format upstream gets the `system` array exactly as sent. Any
 * other provider would show it to the model and key its prompt cache on it.
 */
export const ATTRIBUTION_HEADER = "x-anthropic-billing-header:";

/** The request without the attribution block, for an upstream that does not speak Anthropic's format. */
export function dropAttribution(ir: Request): void {
  if (ir.source !== "anthropic") return;
  const first = ir.instructions?.[0];
  if (first?.text.startsWith(ATTRIBUTION_HEADER)) ir.instructions = ir.instructions!.slice(1);
}
