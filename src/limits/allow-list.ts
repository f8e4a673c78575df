import type { Principal } from "../identity/principal.js";
import type { ErrorInfo } from "../ir/types.js";
import type { Admission, AdmitInput, Admitted } from "../request/admission.js";
import type { Route } from "../routing/model-table.js";
import { matchesGlob } from "../text/glob.js";

const ADMITTED: Admitted = { admitted: true };

/** Whether every allow-list (the key's, its team's) admits the model name. */
export function allowed(lists: readonly (readonly string[])[] | undefined, model: string): boolean {
  return !lists || lists.every((list) => list.some((g) => matchesGlob(g, model)));
}

/**
 * Of `names` (aliases and patterns), those a caller may use: its allow-lists admit them, and (a caller bound
 * to some providers) the provider that serves them is one of those. What GET /v1/models lists and what a
 * model-not-found error offers.
 */
export function usableNames(
  names: readonly string[],
  caller: { readonly allow?: Principal["allow"]; readonly providers?: Principal["providers"] } | undefined,
  providerOf: (name: string) => string | undefined,
): string[] {
  const only = caller?.providers;
  return names.filter((name) => {
    if (!allowed(caller?.allow, name)) return false;
    if (!only) return true;
    const provider = providerOf(name);
    return provider !== undefined && only.includes(provider);
  });
}

/**
 * The name an allow-list is checked against: the exact alias that resolved, as written in the configuration
 * (whatever the case the client used), or the name asked for when a pattern or `provider/model` resolved it.
 */
export function allowListName(route: Pick<Route, "alias" | "requested">): string {
  return route.alias.includes("*") ? route.requested : route.alias;
}

/** Why a caller may not use a route (its providers, its allow-lists), or undefined when it may. */
export function refusalFor(
  principal: AdmitInput["principal"],
  route: Pick<Route, "alias" | "requested" | "provider" | "deployments">,
): ErrorInfo | undefined {
  const only = principal.providers;
  if (only) {
    const other = [route.provider, ...route.deployments.map((d) => d.provider)].find((p) => !only.includes(p.name));
    if (other)
      return {
        status: 403,
        kind: "permission",
        message:
          principal.kind === "passthrough"
            ? `Your own key may be used with ${only.join(", ")} only; the model '${route.requested}' is served by ${other.name}. Use an llmux key for it.`
            : `This API key may be used with ${only.join(", ")} only; the model '${route.requested}' is served by ${other.name}.`,
        param: "model",
        code: "model_not_allowed",
      };
  }
  const lists = principal.allow;
  const name = allowListName(route);
  if (allowed(lists, name)) return undefined;
  const shown = lists!.map((l) => l.join(", ")).join(" and within ");
  return {
    status: 403,
    kind: "permission",
    message: `The model '${route.requested}' is not allowed for this API key. Allowed: ${shown}.`,
    param: "model",
    code: "model_not_allowed",
  };
}

/**
 * A minted key may only ask for the models its allow-list and its team's admit (globs, case-insensitive as
 * model names are; both must admit). Refused with a 403 naming the model and the ones allowed. Callers
 * bound to some providers (pass-through for some providers, a signup key) are refused the others' models.
 */
export function allowListAdmission(next?: Admission): Admission {
  return {
    admit(input: AdmitInput): Admitted | ErrorInfo | Promise<Admitted | ErrorInfo> {
      const refused = refusalFor(input.principal, input.plan.route);
      if (refused) return refused;
      return next ? next.admit(input) : ADMITTED;
    },
  };
}
