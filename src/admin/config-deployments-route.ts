import { z } from "zod";
import {
  DEPLOYMENT_NAME,
  type DeploymentEdit,
  deploymentList,
  deploymentNameOf,
  namedProblem,
  putDeployment,
  removeDeployment,
} from "../config/alias-deployments.js";
import { ENTRY_NAME } from "../config/merge-entries.js";
import type { Config } from "../config/schema.js";
import { ConfigMoved } from "../data/config-entries.js";
import { commitLayer, type LayerParts, readLayer } from "./config-layer.js";
import type { Given } from "./context.js";
import { AdminError, type AdminModule, type AdminRoute, type RouteInput } from "./route.js";

export const AliasDeploymentAnswer = z
  .object({
    alias: z.string(),
    name: z.string().describe("The deployment's name: its own `name`, or provider/model."),
    provider: z.string(),
    model: z.string().describe("The upstream model (the alias's name when the settings leave it out)."),
    settings: z.looseObject({}).describe("Its settings, as under an alias's deployments: in llmux.yaml."),
  })
  .meta({ id: "AliasDeployment" });

const Where = {
  alias: z.string(),
  source: z.enum(["llmux.yaml", "stored"]).describe("Where the alias's settings in force come from."),
  overrides_file: z.boolean().describe("A stored alias in place of llmux.yaml's of the same name."),
  version: z.number().int().nullable().describe("The configuration version that set the alias (null: the file's)."),
};

const AliasDeploymentsAnswer = z
  .object({ ...Where, data: z.array(AliasDeploymentAnswer) })
  .meta({ id: "AliasDeployments" });

const OVERRIDE_NOTE = z
  .string()
  .nullable()
  .describe(
    "Set when the alias is also llmux.yaml's: the stored alias (the file's deployments with the change) is in force, and later edits of it in llmux.yaml are not, until the stored alias is removed.",
  );

const PutAnswer = AliasDeploymentAnswer.extend({
  added: z.boolean().describe("True: a new deployment; false: the one of that name replaced."),
  version: z.number().int().describe("The configuration version this change wrote."),
  note: OVERRIDE_NOTE,
}).meta({ id: "AliasDeploymentPut" });

const DeleteAnswer = z.object({
  alias: z.string(),
  name: z.string(),
  deleted: z.literal(true),
  version: z.number().int().describe("The configuration version this change wrote."),
  note: OVERRIDE_NOTE,
});

const DeploymentBody = z
  .looseObject({})
  .describe("The deployment, as one item of an alias's deployments: in llmux.yaml ({provider, model, weight, …}).");

const who = (input: RouteInput) => input.actor?.name ?? "unknown";

function aliasOf(params: Record<string, string>): string {
  const alias = params.id;
  if (!alias || !ENTRY_NAME.test(alias))
    throw new AdminError(400, `models.${alias}: a name is 1–128 letters, digits and . _ : * @ -`, "alias");
  return alias;
}

function nameOf(params: Record<string, string>): string {
  const name = params.name;
  if (!name || !DEPLOYMENT_NAME.test(name))
    throw new AdminError(400, "a deployment's name is 1–256 characters, none of them a control character", "name");
  return name;
}

const entryOf = (alias: string, d: Record<string, unknown>) => ({
  alias,
  name: deploymentNameOf(alias, d),
  provider: String(d.provider ?? ""),
  model: typeof d.model === "string" ? d.model : alias,
  settings: d,
});

const noteOf = (base: Config, alias: string) =>
  Object.hasOwn(base.models, alias)
    ? `models.${alias} is also llmux.yaml's: the stored alias (llmux.yaml's deployments with this change) is in force over it; llmux.yaml's later edits of it are not, until the stored alias is removed (DELETE /admin/v1/config/models/${alias})`
    : null;

/** The alias in force (stored over the file's), or a 404 naming it. */
async function aliasNow(p: LayerParts, alias: string) {
  const stored = await readLayer(p.data, p.keyring);
  const mine = Object.hasOwn(stored.layer.models, alias) ? stored.layer.models[alias] : undefined;
  const file = Object.hasOwn(p.base.models, alias) ? p.base.models[alias] : undefined;
  const settings = (mine ?? file) as Record<string, unknown> | undefined;
  if (settings === undefined)
    throw new AdminError(
      404,
      `models.${alias}: no such alias (add it with PUT /admin/v1/config/models/${alias})`,
      "alias",
    );
  return {
    stored,
    settings,
    where: {
      alias,
      source: mine !== undefined ? ("stored" as const) : ("llmux.yaml" as const),
      overrides_file: mine !== undefined && file !== undefined,
      version: mine !== undefined ? (stored.versions.get(`models\0${alias}`) ?? null) : null,
    },
  };
}

async function one(p: LayerParts, alias: string, name: string) {
  const { settings } = await aliasNow(p, alias);
  const d = deploymentList(settings).find((x) => deploymentNameOf(alias, x) === name);
  return d ? entryOf(alias, d) : undefined;
}

/** Tries of a read-edit-write that another change of the same alias overtook. */
const TRIES = 10;

/**
 * An edit written as a new version of the alias's stored entry, once the merged whole is checked; written only
 * if the alias was not changed since it was read (else read, edited and checked again: a change made at the same
 * time, on any instance, is never lost).
 */
async function write(
  p: LayerParts,
  input: RouteInput,
  alias: string,
  edit: (s: Record<string, unknown>) => DeploymentEdit,
  what: string,
) {
  for (let attempt = 1; ; attempt++) {
    const now = await aliasNow(p, alias);
    const out = edit(now.settings);
    if (!out.ok) throw new AdminError(out.status, out.message, out.field);
    const layer = { ...now.stored.layer, models: { ...now.stored.layer.models, [alias]: out.settings } };
    const basis = { kind: "models" as const, name: alias, version: now.where.version };
    try {
      const version = await commitLayer(
        p,
        [{ kind: "models", name: alias, body: out.settings }],
        who(input),
        what,
        layer,
        (line) => namedProblem(line, alias, out.names),
        basis,
      );
      return { version, added: out.added, note: noteOf(p.base, alias) };
    } catch (err) {
      if (!(err instanceof ConfigMoved)) throw err;
      if (attempt >= TRIES)
        throw new AdminError(409, `models.${alias} kept changing while this change was written: try again`, "alias");
    }
  }
}

/**
 * One deployment of a model alias as a resource of its own: `GET /admin/v1/config/models/{alias}/deployments`,
 * `GET|PUT|DELETE …/deployments/{name}`. A change is a new version of the alias's stored entry (the history and
 * roll-back of /admin/v1/config), checked against the merged whole first and refused with the field named
 * (`models.<alias>.deployments.<name>.provider`); an alias of llmux.yaml becomes a stored alias over it: the
 * file's deployments with the change.
 */
export function deploymentEntryRoutes(p: LayerParts): AdminRoute[] {
  const list = "/admin/v1/config/models/{id}/deployments";
  const path = `${list}/{name}`;
  const read = (_id: string, _q: unknown, params: Record<string, string>) =>
    one(p, aliasOf(params), nameOf(params)).catch(() => undefined);
  return [
    {
      method: "GET",
      path: list,
      summary: "The deployments of a model alias in force, each by its name",
      status: 200,
      byId: true,
      answer: AliasDeploymentsAnswer,
      run: async ({ params }) => {
        const alias = aliasOf(params);
        const now = await aliasNow(p, alias);
        return { ...now.where, data: deploymentList(now.settings).map((d) => entryOf(alias, d)) };
      },
    },
    {
      method: "GET",
      path,
      summary: "One deployment of a model alias, by its name",
      status: 200,
      byId: true,
      answer: AliasDeploymentAnswer,
      run: ({ params }) => one(p, aliasOf(params), nameOf(params)),
    },
    {
      method: "PUT",
      path,
      summary: "Add a deployment to a model alias, or replace the one of that name: every instance uses it within 2 s",
      audit: { action: "config.deployments.put", target: "config", read },
      body: DeploymentBody,
      status: 200,
      byId: true,
      answer: PutAnswer,
      run: async (input) => {
        const alias = aliasOf(input.params);
        const name = nameOf(input.params);
        const given = input.body as Record<string, unknown>;
        const done = await write(
          p,
          input,
          alias,
          (s) => putDeployment(alias, s, name, given),
          `put deployment ${name} of models ${alias}`,
        );
        return { ...(await one(p, alias, name))!, ...done };
      },
    },
    {
      method: "DELETE",
      path,
      summary: "Remove a deployment from a model alias (not its last: remove the alias instead)",
      audit: { action: "config.deployments.delete", target: "config", read },
      status: 200,
      byId: true,
      answer: DeleteAnswer,
      run: async (input) => {
        const alias = aliasOf(input.params);
        const name = nameOf(input.params);
        const done = await write(
          p,
          input,
          alias,
          (s) => removeDeployment(alias, s, name),
          `delete deployment ${name} of models ${alias}`,
        );
        return { alias, name, deleted: true as const, version: done.version, note: done.note };
      },
    },
  ];
}

/** The deployments of the model aliases, stored in the database. */
export const admin: AdminModule<Given<"data">> = {
  needs: ["data"],
  routes: (c) =>
    deploymentEntryRoutes({ data: c.data, keyring: c.keyring, base: c.config as Config, changed: c.configChanged }),
};
