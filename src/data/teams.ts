import type { Kysely } from "kysely";
import { newId } from "../ir/ids.js";
import { nowSeconds } from "./data.js";
import { type DefaultTags, tagsField, tagsJson } from "./default-tags.js";
import { type McpRules, mcpColumn, mcpField } from "./mcp-rules.js";
import { type Budget, type Limits, quotaColumns, quotaOf } from "./quota.js";
import { bumpRevision } from "./revisions.js";
import type { Database, TeamsTable } from "./schema.js";

/** A team as the admin API shows it. */
export interface Team {
  id: string;
  name: string;
  models: string[] | null;
  /** MCP allow-lists (servers, tools) bounding its keys'; null: every MCP server and tool. */
  mcp?: McpRules;
  /** Default tags of every request of the team's keys (under the key's and the request's own); absent: none. */
  tags?: DefaultTags;
  budget: Budget | null;
  limits: Limits | null;
  /** Every key of the team is refused while true (the team, its keys and spend are kept). */
  disabled: boolean;
  created_at: string;
  updated_at: string;
}

export interface TeamInput {
  name?: string | undefined;
  disabled?: boolean | undefined;
  models?: string[] | null | undefined;
  mcp?: McpRules | null | undefined;
  tags?: DefaultTags | null | undefined;
  budget?: Budget | null | undefined;
  limits?: Limits | null | undefined;
}

const iso = (s: number) => new Date(Number(s) * 1000).toISOString();

export function teamOf(r: TeamsTable): Team {
  return {
    id: r.id,
    name: r.name,
    models: r.models ? (JSON.parse(r.models) as string[]) : null,
    ...mcpField(r.mcp),
    ...tagsField(r.tags),
    ...quotaOf(r),
    disabled: r.disabled === 1,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

export class DuplicateName extends Error {}

/** Teams: a name, an allow-list of model aliases (globs) bounding its keys', a budget and limits. */
export class Teams {
  constructor(private readonly db: () => Promise<Kysely<Database>>) {}

  async create(input: TeamInput & { name: string }): Promise<Team> {
    const db = await this.db();
    if (await db.selectFrom("teams").select("id").where("name", "=", input.name).executeTakeFirst())
      throw new DuplicateName(`a team named '${input.name}' exists already`);
    const t = nowSeconds();
    const row: TeamsTable = {
      id: newId("team_", 16),
      name: input.name,
      models: input.models ? JSON.stringify(input.models) : null,
      mcp: mcpColumn(input.mcp),
      tags: tagsJson(input.tags),
      budget_nanos: null,
      budget_micros: null,
      budget_period: null,
      limits: null,
      disabled: input.disabled ? 1 : 0,
      ...quotaColumns(input),
      created_at: t,
      updated_at: t,
    };
    await db.insertInto("teams").values(row).execute();
    return teamOf(row);
  }

  /** Every team, or (`id`: a team admin's scope) that one alone. */
  async list(filter: { id?: string | undefined } = {}): Promise<Team[]> {
    const rows = await (await this.db())
      .selectFrom("teams")
      .selectAll()
      .$if(filter.id !== undefined, (q) => q.where("id", "=", filter.id!))
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(teamOf);
  }

  /** A team by its id or, failing that, its name: its id (a team admin's team is configured either way). */
  async idOf(ref: string): Promise<string | undefined> {
    const db = await this.db();
    const byId = await db.selectFrom("teams").select("id").where("id", "=", ref).executeTakeFirst();
    if (byId) return byId.id;
    return (await db.selectFrom("teams").select("id").where("name", "=", ref).executeTakeFirst())?.id;
  }

  async get(id: string): Promise<Team | undefined> {
    const row = await (await this.db()).selectFrom("teams").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? teamOf(row) : undefined;
  }

  async update(id: string, input: TeamInput): Promise<Team | undefined> {
    const db = await this.db();
    const set: Partial<TeamsTable> = { ...quotaColumns(input), updated_at: nowSeconds() };
    if (input.name !== undefined) set.name = input.name;
    if (input.models !== undefined) set.models = input.models ? JSON.stringify(input.models) : null;
    if (input.mcp !== undefined) set.mcp = mcpColumn(input.mcp);
    if (input.tags !== undefined) set.tags = tagsJson(input.tags);
    if (input.disabled !== undefined) set.disabled = input.disabled ? 1 : 0;
    const r = await db.transaction().execute(async (tx) => {
      const done = await tx.updateTable("teams").set(set).where("id", "=", id).executeTakeFirst();
      await bumpRevision(tx);
      return done;
    });
    return Number(r.numUpdatedRows) > 0 ? this.get(id) : undefined;
  }

  /** Deletes a team; its keys are revoked with it (they would otherwise lose the bounds the team set). */
  async delete(id: string): Promise<boolean> {
    const db = await this.db();
    return db.transaction().execute(async (tx) => {
      if (!(await tx.selectFrom("teams").select("id").where("id", "=", id).executeTakeFirst())) return false;
      const t = nowSeconds();
      const members = tx.selectFrom("api_keys").select("id").where("team_id", "=", id);
      await tx.deleteFrom("credentials").where("key_id", "in", members).execute();
      const subjects = (await members.execute()).map((k) => `key:${k.id}`);
      await tx
        .deleteFrom("mcp_credentials")
        .where("subject", "in", [`team:${id}`, ...subjects])
        .execute();
      await tx
        .updateTable("api_keys")
        .set({ revoked_at: t, team_id: null, updated_at: t })
        .where("team_id", "=", id)
        .execute();
      await tx.deleteFrom("teams").where("id", "=", id).execute();
      await bumpRevision(tx);
      return true;
    });
  }
}
