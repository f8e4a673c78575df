import { isObject } from "../ir/input-error.js";
import type { Json, JsonObject } from "../ir/types.js";
import type { Plan } from "../request/plan.js";
import type { Deployment } from "../routing/deployments.js";
import { accountOf, withoutOpaqueReasoning } from "../routing/foreign-reasoning.js";
import type { ModelTable, Route } from "../routing/model-table.js";
import { accountsOf, needsThinkingOff, opaqueParts, partMarks } from "../routing/reasoning-marks.js";
import type { HotState } from "../state/hot-state.js";

/** Whether the alias and its fallbacks reach more than one provider account (then reasoning is watched). */
export function spansAccounts(route: Route, models: ModelTable): boolean {
  const s0 = route.settings;
  if (!s0.fallbacks?.length && !s0.context_window_fallbacks?.length) {
    // No fallback alias (the usual case): its deployments alone, compared without a set.
    const ds = route.deployments;
    for (let i = 1; i < ds.length; i++) if (ds[i]!.provider.name !== ds[0]!.provider.name) return true;
    return false;
  }
  const accounts = new Set(route.deployments.map((d) => d.provider.name));
  const s = route.settings;
  for (const alias of [...(s.fallbacks ?? []), ...(s.context_window_fallbacks ?? [])])
    for (const d of models.resolve(alias)?.deployments ?? []) accounts.add(d.provider.name);
  return accounts.size > 1;
}

/**
 * One routed request's reasoning, kept home: each attempt's passthrough body loses the opaque reasoning
 * (signatures, encrypted content) that another account than its deployment's made, as the marks noted
 * when it was relayed say; what no mark names goes too when the conversation moved off the account it was
 * bound to. An Anthropic request left with a tool-calling last turn that does not start with thinking is
 * sent with thinking off (Anthropic refuses it otherwise). Both are said in llmux-warnings.
 */
export class ReasoningHome {
  private readonly parts: JsonObject[];
  private accounts: Promise<Map<string, string>> | undefined;

  constructor(
    private readonly hot: HotState,
    private readonly client: Plan["client"],
    /** The client's body, as parsed once. */
    private readonly body: Json,
  ) {
    this.parts = opaqueParts(client, body);
  }

  private marksOwners(): Promise<Map<string, string>> {
    this.accounts ??= accountsOf(
      this.hot,
      this.parts.flatMap((p) => partMarks(this.client, p)),
    );
    return this.accounts;
  }

  /** The plan for deployment `d`; `boundTo` is the deployment the conversation was bound to, if any. */
  async planFor(plan: Plan, d: Deployment, boundTo: string | undefined, note: (words: string) => void): Promise<Plan> {
    if (!plan.passthrough || (plan.client !== "anthropic" && plan.client !== "openai-responses")) return plan;
    const mine = d.provider.name;
    const moved = boundTo !== undefined && accountOf(boundTo) !== mine;
    let drops: ((part: Json) => boolean) | undefined;
    if (this.parts.length > 0) {
      const owners = await this.marksOwners();
      const foreign = (part: Json) => {
        const owner = partMarks(this.client, part)
          .map((m) => owners.get(m))
          .find((a) => a !== undefined);
        return owner !== undefined ? owner !== mine : moved;
      };
      if (this.parts.some(foreign)) drops = foreign;
    }
    if (!drops && !(plan.client === "anthropic" && needsThinkingOff(this.body))) return plan;
    const text = typeof plan.body === "string" ? plan.body : plan.body.toString("utf8");
    let out = JSON.parse(text) as Json;
    if (!isObject(out)) return plan;
    if (drops) {
      const left = withoutOpaqueReasoning(plan.client, out, drops);
      if (left) {
        out = left.body;
        const words = `${left.dropped} reasoning item(s) of another account left out for ${d.name}`;
        plan.warnings.add("foreign_reasoning_dropped", words);
        note(words);
      }
    }
    if (plan.client === "anthropic" && needsThinkingOff(out)) {
      out = { ...out, thinking: { type: "disabled" } };
      const words = `thinking turned off for ${d.name}: the last tool call's own thinking was another account's`;
      plan.warnings.add("thinking_disabled", words, "thinking");
      note(words);
    }
    return { ...plan, body: JSON.stringify(out) };
  }
}
