import { z } from "zod";
import { ENTRY_NAME, providerSecrets } from "../config/merge-entries.js";
import type { Config } from "../config/schema.js";
import { type ConfigChange, type ConfigKind, configHistory } from "../data/config-entries.js";
import {
  ConfigEntryAnswer,
  commitLayer,
  entryView,
  keepSealed,
  type LayerParts,
  mergedView,
  readLayer,
} from "./config-layer.js";
import type { Given } from "./context.js";
import { AdminError, type AdminModule, type AdminRoute, type RouteInput } from "./route.js";

const ConfigAnswer = z
  .object({
    version: z.number().int().describe("The stored configuration's version (0: nothing stored)."),
    providers: z.array(ConfigEntryAnswer),
    models: z.array(ConfigEntryAnswer),
  })
  .meta({ id: "Config" });

const HistoryAnswer = z
  .object({
    data: z.array(
      z.object({
        version: z.number().int(),
        actor: z.string(),
        at: z.string().describe("When (ISO time)."),
        what: z.string(),
        changes: z.array(z.object({ kind: z.string(), name: z.string(), removed: z.boolean() })),
      }),
    ),
  })
  .meta({ id: "ConfigHistory" });

const HistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });
const RollbackBody = z
  .object({ version: z.number().int().min(0).describe("The version to go back to (0: the file's alone).") })
  .strict();
const SettingsBody = z.looseObject({}).describe("The settings, as under providers: or models: in llmux.yaml.");

type Parts = LayerParts;

const who = (input: RouteInput) => input.actor?.name ?? "unknown";

async function view(p: Parts) {
  const stored = await readLayer(p.data, p.keyring);
  return { version: stored.version, ...mergedView(p.base, stored) };
}

function entryRoutes(p: Parts, kind: ConfigKind): AdminRoute[] {
  const path = `/admin/v1/config/${kind}/{id}`;
  const one = async (name: string) => entryView(p.base, await readLayer(p.data, p.keyring), kind, name);
  const named = (name: string | undefined) => {
    if (!name || !ENTRY_NAME.test(name))
      throw new AdminError(400, `${kind}.${name}: a name is 1–128 letters, digits and . _ : * @ -`, "name");
    return name;
  };
  const word = kind === "providers" ? "provider" : "model alias";
  return [
    {
      method: "GET",
      path,
      summary: `One ${word} in force`,
      status: 200,
      byId: true,
      answer: ConfigEntryAnswer,
      run: ({ params }) => one(params.id!),
    },
    {
      method: "PUT",
      path,
      summary: `Store a ${word} (over llmux.yaml's of that name): every instance uses it within 2 s`,
      audit: { action: `config.${kind}.put`, target: "config", read: (id) => one(id) },
      body: SettingsBody,
      status: 200,
      answer: ConfigEntryAnswer,
      run: async (input) => {
        const name = named(input.params.id);
        const stored = await readLayer(p.data, p.keyring);
        const before = stored.layer[kind][name] ?? (p.base[kind] as Record<string, unknown>)[name];
        const body = (kind === "providers" ? keepSealed(input.body, before, `${kind}.${name}`) : input.body) as Record<
          string,
          unknown
        >;
        const layer = { ...stored.layer, [kind]: { ...stored.layer[kind], [name]: body } };
        const secrets = kind === "providers" ? providerSecrets(body) : [];
        await commitLayer(p, [{ kind, name, body, secrets }], who(input), `put ${kind} ${name}`, layer);
        return one(name);
      },
    },
    {
      method: "DELETE",
      path,
      summary: `Remove a stored ${word} (llmux.yaml's of that name, if any, is in force again)`,
      audit: { action: `config.${kind}.delete`, target: "config", read: (id) => one(id) },
      status: 200,
      byId: true,
      answer: z.object({ kind: z.string(), name: z.string(), deleted: z.literal(true), restored: z.boolean() }),
      run: async (input) => {
        const name = named(input.params.id);
        const stored = await readLayer(p.data, p.keyring);
        if (!Object.hasOwn(stored.layer[kind], name)) {
          if (Object.hasOwn(p.base[kind] ?? {}, name))
            throw new AdminError(409, `${kind}.${name} is llmux.yaml's: change it in the file`, "name");
          return undefined;
        }
        const { [name]: _gone, ...rest } = stored.layer[kind];
        await commitLayer(p, [{ kind, name, body: null }], who(input), `delete ${kind} ${name}`, {
          ...stored.layer,
          [kind]: rest,
        });
        return { kind, name, deleted: true as const, restored: Object.hasOwn(p.base[kind] ?? {}, name) };
      },
    },
  ];
}

/**
 * Models, providers and aliases at runtime: `GET /admin/v1/config` (the merged view: llmux.yaml's entries and
 * the stored ones over them), `GET|PUT|DELETE /admin/v1/config/{providers|models}/{name}`, the history of
 * changes, and a roll-back to a version (written as a new version). Every change is checked against the merged
 * whole first and refused with the field named; credentials are sealed and never shown.
 */
export function configRoutes(p: Parts): AdminRoute[] {
  return [
    {
      method: "GET",
      path: "/admin/v1/config",
      summary: "The models and providers in force: llmux.yaml's and the stored",
      status: 200,
      answer: ConfigAnswer,
      run: () => view(p),
    },
    ...entryRoutes(p, "providers"),
    ...entryRoutes(p, "models"),
    {
      method: "GET",
      path: "/admin/v1/config/history",
      summary: "Changes to the stored models and providers, newest first",
      query: HistoryQuery,
      status: 200,
      answer: HistoryAnswer,
      run: async ({ query }) => {
        const rows = await configHistory(p.data, (query as z.infer<typeof HistoryQuery>).limit);
        return { data: rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() })) };
      },
    },
    {
      method: "POST",
      path: "/admin/v1/config/rollback",
      summary: "Go back to a version: the entries it had are stored again, as a new version",
      audit: { action: "config.rollback", target: "config", read: () => view(p) },
      body: RollbackBody,
      status: 200,
      answer: ConfigAnswer,
      run: async (input) => {
        const to = (input.body as z.infer<typeof RollbackBody>).version;
        const now = await readLayer(p.data, p.keyring);
        if (to > now.version)
          throw new AdminError(400, `version: ${to} is past the latest (${now.version})`, "version");
        const then = await readLayer(p.data, p.keyring, to);
        const changes: ConfigChange[] = [];
        for (const kind of ["providers", "models"] as const)
          for (const name of new Set([...Object.keys(now.layer[kind]), ...Object.keys(then.layer[kind])])) {
            const was = then.layer[kind][name] as Record<string, unknown> | undefined;
            if (JSON.stringify(was) === JSON.stringify(now.layer[kind][name])) continue;
            changes.push({
              kind,
              name,
              body: was ?? null,
              secrets: kind === "providers" && was ? providerSecrets(was) : [],
            });
          }
        await commitLayer(p, changes, who(input), `rollback to ${to}`, then.layer);
        return view(p);
      },
    },
  ];
}

/** Models and providers stored in the database. */
export const admin: AdminModule<Given<"data">> = {
  needs: ["data"],
  routes: (c) => configRoutes({ data: c.data, keyring: c.keyring, base: c.config as Config, changed: c.configChanged }),
};
