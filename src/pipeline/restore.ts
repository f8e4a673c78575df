import { adaptCursorRequest } from "../clients/cursor.js";
import { restoreCustomCalls, stripThinkTags } from "../clients/normalize.js";
import { isObject } from "../ir/input-error.js";
import type { ErrorInfo, Json, JsonObject } from "../ir/types.js";
import { Warnings } from "../ir/warnings.js";
import { envelopeWrapper, openEnvelopes } from "../reasoning/carry.js";
import type { Plan, State } from "../request/plan.js";
import { referencesStoredItems, resolveItemReferences, resolvePrevious } from "../responses/history.js";
import { foreignReference, type Owners } from "../responses/ownership.js";
import type { HotState } from "../state/hot-state.js";
import type { ResponseStore, StoredResponse } from "../store/types.js";

/** What restoring needs: the caller's state, and (for a Responses request passed through) who owns what. */
export interface RestoreInput {
  readonly state: State;
  readonly hot: HotState;
  /** The client's body, as parsed once (item references are resolved in it, for every later plan too). */
  readonly body: Json;
  /** Plans the request again from its body once its item references are resolved. */
  readonly replan: () => Plan | ErrorInfo;
}

/** A caller's stored responses, each read once per request however many deployments are planned. */
function readOnce(store: ResponseStore): ResponseStore {
  const responses = new Map<string, Promise<StoredResponse | undefined>>();
  const items = new Map<string, Promise<JsonObject | undefined>>();
  return {
    put: (owner, record) => store.put(owner, record),
    delete: (owner, id) => store.delete(owner, id),
    prune: (before) => store.prune(before),
    claim: (owner, ids, createdAt) => store.claim(owner, ids, createdAt),
    owners: (ids) => store.owners(ids),
    get(owner, id) {
      const r = responses.get(id) ?? store.get(owner, id);
      responses.set(id, r);
      return r;
    },
    item(owner, id) {
      const r = items.get(id) ?? store.item(owner, id);
      items.set(id, r);
      return r;
    },
  };
}

/**
 * The restore step, after admission (a refused request costs nothing): what the conversation refers to that
 * llmux keeps is put back into it before it is encoded for the upstream — Responses item references and the
 * history a `previous_response_id` stands for, reasoning sealed in llmux envelopes, reasoning a Chat client
 * does not echo. A Responses request passed through is only checked: what it refers to must be the caller's
 * own (its upstream keeps it).
 */
export class Restorer {
  private once: ResponseStore | undefined;
  private resolved = false;

  constructor(private readonly input: RestoreInput) {}

  /** The caller's stored responses, read once each: made when first needed (a Chat or Anthropic request never does). */
  private get responses(): ResponseStore {
    this.once ??= readOnce(this.input.state.responses());
    return this.once;
  }

  async restore(plan: Plan): Promise<Plan | ErrorInfo> {
    const { state } = this.input;
    if (plan.passthrough) {
      if (plan.client !== "openai-responses") return plan;
      const owners: Owners = { hot: this.input.hot, responses: this.responses };
      return (await foreignReference(owners, this.input.body, state.owner)) ?? plan;
    }
    if (plan.upstreamKeeps) {
      // The upstream keeps this conversation (plan.ts): its ids are the upstream's, resolved there; only the
      // caller's own may be named, as passed through.
      const owners: Owners = { hot: this.input.hot, responses: this.responses };
      const foreign = await foreignReference(owners, this.input.body, state.owner);
      if (foreign) return foreign;
    } else if (plan.requestDialect === "openai-responses" && !this.resolved) {
      this.resolved = true;
      const body = this.input.body;
      if (isObject(body) && referencesStoredItems(body)) {
        const first = new Warnings();
        await resolveItemReferences(body, this.responses, state.owner, first);
        const again = this.input.replan();
        if (!("route" in again)) return again;
        for (const w of again.warnings.list) first.add(w.code, w.message, w.param);
        plan = { ...again, warnings: first };
      }
    }
    const ir = plan.ir!;
    if (plan.requestDialect === "openai-responses" && ir.previousResponseId && !plan.upstreamKeeps) {
      const missing = await resolvePrevious(ir, this.responses, state.owner);
      // Cursor sends its full history too: an id llmux never stored is only dropped for it.
      if (missing && !plan.cursor) return missing;
      if (missing) {
        plan.warnings.add("previous_response_dropped", missing.message, "previous_response_id");
        delete ir.previousResponseId;
      }
    }
    restoreCustomCalls(ir);
    if (plan.client === "openai-chat" && plan.response.reasoningMode === "think-tags") stripThinkTags(ir);
    if (plan.cursor) adaptCursorRequest(ir);
    if (plan.client !== "openai-chat") {
      const secret = await state.secret();
      openEnvelopes(ir, secret, plan.warnings);
      plan.response.wrapReasoning = envelopeWrapper(plan.origin, () => secret);
    } else await state.cache.restore(ir, plan.origin, state.owner, plan.warnings);
    return plan;
  }
}
