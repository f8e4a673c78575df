import { dropAttribution } from "../dialects/anthropic/attribution.js";
import { jsonBytes } from "../http/json-bytes.js";
import type { LongStrings } from "../http/long-strings.js";
import { dropForeignReasoning } from "../reasoning/carry.js";
import type { Plan } from "../request/plan.js";
import { upstreamCodecs } from "../translate/codecs.js";
import { repairToolPairing } from "../translate/repair-pairing.js";
import { webHistory } from "./web-tools-history.js";

/**
 * A translated plan's upstream body: its restored conversation, less reasoning another provider or model made
 * (only valid where it was made), its tool calls and results paired, without Claude Code's attribution block
 * when the upstream is not Anthropic-format (src/dialects/anthropic/attribution.ts), earlier web tool blocks
 * as calls and results for an upstream that does not run the tool, encoded in the
 * upstream's dialect.
 * Upstreams are always called streaming: no long-request timeouts, and one code path for every client.
 * The body is serialised once, straight to the bytes sent (jsonBytes: a long conversation without one large
 * string; the long strings of the client's body, `longs`, copied from its bytes). A passthrough plan already has
 * its body.
 */
export function encode(plan: Plan, stateful: boolean, longs?: LongStrings): Plan {
  const ir = plan.ir;
  if (plan.passthrough || !ir) return plan;
  if (stateful) dropForeignReasoning(ir, plan.origin, plan.warnings);
  // Earlier turns' web tool blocks (restored ones too) as the calls and results they were, for an upstream that
  // does not run the tool.
  webHistory(ir, plan.upstream);
  repairToolPairing(ir, plan.warnings);
  if (plan.upstream !== "anthropic") dropAttribution(ir);
  ir.model = plan.route.upstreamModel;
  ir.stream = true;
  const settings = plan.route.settings;
  const encoded = upstreamCodecs[plan.upstream].encodeRequest(ir, {
    ...plan.route.provider.requestOptions(plan.route.upstreamModel),
    noObfuscation: true,
    // Prompt-cache breakpoints (Anthropic, and Bedrock through it); other upstreams ignore the option.
    cache: settings.cache === "off" ? undefined : { ttl: settings.cache_ttl },
  });
  for (const w of encoded.warnings) plan.warnings.add(w.code, w.message, w.param);
  const web = plan.web ? { ...plan.web, ir } : undefined;
  return {
    ...plan,
    body: jsonBytes(encoded.value.body, longs),
    tools: encoded.value.tools,
    ir: undefined,
    web,
  };
}
