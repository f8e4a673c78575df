/**
 * One deployment of a model alias, added, replaced or removed by its name (the admin API's
 * /admin/v1/config/models/{alias}/deployments/{name}): pure functions from an alias's settings, as written, to
 * its new settings. An alias in the provider + model form is a list of one deployment; once one of its
 * deployments is changed it is written in the list form (`deployments:`), its `provider` and `model` moved into
 * the list, every other setting kept.
 */

type Settings = Record<string, unknown>;
type Written = Record<string, unknown>;

/** At most this many deployments in one alias, through these functions. */
export const MAX_DEPLOYMENTS = 100;

/** A deployment's name in a URL path: 1–256 characters, no control characters. */
export const DEPLOYMENT_NAME = /^[^\p{Cc}]{1,256}$/u;

/**
 * A deployment's name as routing gives it (src/routing/deployments.ts): its own `name`, or `provider/model`,
 * the model being the alias's name when left out.
 */
export function deploymentNameOf(alias: string, d: Written): string {
  if (typeof d.name === "string" && d.name !== "") return d.name;
  return `${String(d.provider ?? "")}/${typeof d.model === "string" ? d.model : alias}`;
}

/** An alias's deployments as written: its `deployments` list, or the one its `provider` (+ `model`) name. */
export function deploymentList(settings: Settings): Written[] {
  if (Array.isArray(settings.deployments))
    return settings.deployments.map((d) => (d && typeof d === "object" ? (d as Written) : {}));
  if (settings.provider === undefined) return [];
  return [{ provider: settings.provider, ...(settings.model !== undefined ? { model: settings.model } : {}) }];
}

/** Why a change cannot be made: the status, the words and the field at fault. */
export interface DeploymentRefusal {
  status: 400 | 404 | 409;
  message: string;
  field: string;
}

export type DeploymentEdit =
  | { ok: true; settings: Settings; added: boolean; names: string[] }
  | ({ ok: false } & DeploymentRefusal);

const refuse = (status: DeploymentRefusal["status"], message: string, field: string): DeploymentEdit => ({
  ok: false,
  status,
  message,
  field,
});

/** The settings in the list form, with `list` as the deployments. */
function listForm(settings: Settings, list: Written[]): Settings {
  const { provider: _p, model: _m, deployments: _d, ...rest } = settings;
  return { ...rest, deployments: list };
}

function indexOf(alias: string, list: Written[], name: string): number | DeploymentEdit {
  const at = list.flatMap((d, i) => (deploymentNameOf(alias, d) === name ? [i] : []));
  if (at.length > 1)
    return refuse(
      409,
      `models.${alias}.deployments: ${at.length} deployments are named '${name}'; give each its own name`,
      `models.${alias}.deployments`,
    );
  return at[0] ?? -1;
}

/**
 * The alias with deployment `name` added (at the end) or put in place of the one of that name. A `name` in
 * the body must be the path's; the deployment is written with `name` only when it is not its default.
 */
export function putDeployment(alias: string, settings: Settings, name: string, given: Written): DeploymentEdit {
  const path = `models.${alias}.deployments.${name}`;
  if (given.name !== undefined && given.name !== name)
    return refuse(400, `${path}.name: '${String(given.name)}' is not the name in the path ('${name}')`, "name");
  const { name: _n, ...rest } = given;
  const written = deploymentNameOf(alias, rest) === name ? rest : { ...rest, name };
  const list = deploymentList(settings);
  const at = indexOf(alias, list, name);
  if (typeof at !== "number") return at;
  if (at < 0 && list.length >= MAX_DEPLOYMENTS)
    return refuse(
      400,
      `models.${alias}.deployments: at most ${MAX_DEPLOYMENTS} deployments`,
      `models.${alias}.deployments`,
    );
  const next = at < 0 ? [...list, written] : list.map((d, i) => (i === at ? written : d));
  return {
    ok: true,
    settings: listForm(settings, next),
    added: at < 0,
    names: next.map((d) => deploymentNameOf(alias, d)),
  };
}

/** The alias without deployment `name`; its last deployment is not removed (the alias is, instead). */
export function removeDeployment(alias: string, settings: Settings, name: string): DeploymentEdit {
  const list = deploymentList(settings);
  const at = indexOf(alias, list, name);
  if (typeof at !== "number") return at;
  if (at < 0) return refuse(404, `models.${alias}.deployments.${name}: no such deployment`, "name");
  if (list.length === 1)
    return refuse(
      409,
      `models.${alias}.deployments.${name}: the alias's last deployment; remove the alias instead (DELETE /admin/v1/config/models/${alias})`,
      `models.${alias}.deployments`,
    );
  const next = list.filter((_, i) => i !== at);
  return {
    ok: true,
    settings: listForm(settings, next),
    added: false,
    names: next.map((d) => deploymentNameOf(alias, d)),
  };
}

/**
 * A problem line (or field) of the merged check with the deployment's index replaced by its name:
 * `models.a.deployments.1.provider: no provider named 'x'` (the cross-checks) or `models.a.deployments[1].weight:
 * …` (the schema) becomes `models.a.deployments.eu.provider: …`.
 */
export function namedProblem(line: string, alias: string, names: readonly string[]): string {
  const prefix = `models.${alias}.deployments`;
  if (!line.startsWith(prefix)) return line;
  const m = /^(?:\.(\d+)|\[(\d+)\])(?=[.:]|$)/.exec(line.slice(prefix.length));
  const name = m ? names[Number(m[1] ?? m[2])] : undefined;
  if (name === undefined) return line;
  return `${prefix}.${name}${line.slice(prefix.length + m![0].length)}`;
}
