import type { ErrorInfo } from "../ir/types.js";
import type { Admission, AdmitInput, Admitted } from "../request/admission.js";
import { globToRegExp } from "../text/glob.js";

const ADMITTED: Admitted = { admitted: true };
const compiled = new Map<string, RegExp>();

function matches(glob: string, name: string): boolean {
  let re = compiled.get(glob);
  if (!re) {
    if (compiled.size > 10_000) compiled.clear();
    re = globToRegExp(glob);
    compiled.set(glob, re);
  }
  return re.test(name);
}

/** Whether every allow-list (the key's, its team's) admits the model name. */
export function allowed(lists: readonly (readonly string[])[] | undefined, model: string): boolean {
  return !lists || lists.every((list) => list.some((g) => matches(g, model)));
}

/**
 * A minted key may only ask for the models its allow-list and its team's admit (globs; both must admit).
 * Refused with a 403 naming the model and the ones allowed. Pass-through callers allowed for some providers
 * only are refused the others' models.
 */
export function allowListAdmission(next?: Admission): Admission {
  return {
    admit(input: AdmitInput): Admitted | ErrorInfo | Promise<Admitted | ErrorInfo> {
      const only = input.principal.providers;
      const provider = input.plan.route.provider.name;
      if (only && !only.includes(provider))
        return {
          status: 403,
          kind: "permission",
          message: `Your own key may be used with ${only.join(", ")} only; the model '${input.plan.route.requested}' is served by ${provider}. Use an llmux key for it.`,
          param: "model",
          code: "model_not_allowed",
        };
      const lists = input.principal.allow;
      const model = input.plan.route.requested;
      if (!allowed(lists, model)) {
        const shown = lists!.map((l) => l.join(", ")).join(" and within ");
        return {
          status: 403,
          kind: "permission",
          message: `The model '${model}' is not allowed for this API key. Allowed: ${shown}.`,
          param: "model",
          code: "model_not_allowed",
        };
      }
      return next ? next.admit(input) : ADMITTED;
    },
  };
}
