/**
 * The admin API's shapes, as the page reads them: generated from its OpenAPI document into ./api-types
 * (scripts/admin-types.mjs), named here for the pages. Only the sign-in routes' answer (not part of the admin
 * API) is written by hand.
 */
import type { components } from "./api-types";

type Schemas = components["schemas"];

export type Team = Schemas["Team"];
export type TeamList = Schemas["TeamList"];
export type Key = Schemas["Key"];
export type KeyList = Schemas["KeyList"];
export type MintedKey = Schemas["MintedKey"];
/** A team's caps on what its members mint for themselves (null: none). */
export type TeamMemberCaps = Schemas["TeamMemberCaps"];
/** GET /admin/v1/me: the signed-in key holder's own key. */
export type MyKey = Schemas["Me"];
export type Budget = NonNullable<Key["budget"]>;
export type Limits = NonNullable<Key["limits"]>;
export type Period = Budget["period"];

/** The groupings the Spend page offers; `tag:<key>` groups by the value of one tag (`tag:project`). */
export type SpendGroup = "key" | "team" | "model" | "user" | "day" | "kind" | `tag:${string}`;
export type SpendRow = Schemas["SpendRow"];
export type SpendAnswer = Schemas["Spend"];

export type Deployment = Schemas["Deployment"];
export type DeploymentList = Schemas["DeploymentList"];
export type McpServer = Schemas["McpServer"];
export type McpServerList = Schemas["McpServerList"];
export type McpServerSettings = Schemas["McpServerSettings"];
export type McpCredential = Schemas["McpCredential"];
export type McpCredentialList = Schemas["McpCredentialList"];

export type RequestRow = Schemas["RequestRow"];
export type Outcome = RequestRow["outcome"];
export type Part = Schemas["Part"];
export type Message = Schemas["Message"];
export type RequestDetail = Schemas["RequestDetail"];
export type Conversation = NonNullable<RequestDetail["conversation"]>;
export type RequestPage = Schemas["RequestList"];
export type AuditPage = Schemas["AuditList"];
export type SigninSessionList = Schemas["SigninSessionList"];
export type SigninSession = Schemas["SigninSession"];
export type AuditRow = Schemas["AuditRow"];

export type SessionList = Schemas["SessionList"];
export type SessionRow = SessionList["rows"][number];
export type SessionDetail = Schemas["SessionDetail"];
export type SessionAgent = Schemas["SessionAgent"];
export type SessionRequest = Schemas["SessionRequest"];

export type AlertList = Schemas["AlertList"];
export type AlertRow = AlertList["data"][number];

export type GuardrailsView = Schemas["GuardrailsView"];

export type Stats = Schemas["Stats"];
export type StatsBucket = Stats["buckets"][number];
/** A bucket's size. */
export type Bucket = Stats["bucket"];

/** The sign-in routes (/ui/auth/…), which are the web UI's own, not the admin API's. */
export type Role = "admin" | "read_only" | "team_admin" | "key";

export interface SessionInfo {
  signed_in: boolean;
  role?: Role;
  via?: "admin_key" | "key" | "oidc";
  name?: string;
  email?: string | null;
  key_id?: string | null;
  /** A team admin's team, as the configuration names it (an id or a name). */
  team?: string | null;
  sign_in: { key: boolean; oidc: { label: string } | null };
}
export type ConfigEntry = Schemas["ConfigEntry"];
export type ConfigView = Schemas["Config"];
export type AliasDeployment = Schemas["AliasDeployment"];
export type AliasDeployments = Schemas["AliasDeployments"];
export type AliasDeploymentPut = Schemas["AliasDeploymentPut"];

/** POST /admin/v1/routing/explain: the routing decision for a request and a key, without sending it. */
export type RouteExplained = Schemas["RouteExplained"];
