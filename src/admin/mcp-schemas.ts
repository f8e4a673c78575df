/**
 * The admin API's shapes for MCP servers added through it and keys' own credentials: settings go in as the
 * configuration file's `mcp.servers.<name>` entries do; secrets (env, headers) go in and never come out (an
 * answer says `{"set": true}` for each).
 */
import { z } from "zod";
import type { SecretNames } from "../data/mcp-secrets.js";

const SetMark = z.object({ set: z.literal(true) }).meta({ id: "SecretSet" });
const SetSecrets = z
  .record(z.string(), SetMark)
  .describe("Secrets by name: each is set; their values are never answered.");
/** A secret value: bounded, one line, no NUL (an environment value or a header cannot carry them). */
const SecretValue = z
  .string()
  .min(1)
  .max(8192)
  .refine((v) => !/[\0\r\n]/.test(v), "a secret value is one line without NUL");
const Secrets = z
  .record(z.string().min(1).max(128), SecretValue)
  .refine((r) => Object.keys(r).length <= 32, "at most 32 values");
const Globs = z.array(z.string().min(1).max(200)).max(1000);

const Tools = z
  .object({
    allow: Globs.optional().describe("Tools (globs on the server's own names) offered; omit for all."),
    deny: Globs.optional().describe("Tools (globs) never offered."),
    approval: Globs.optional().describe(
      "Tools (globs) refused with a message that they need an administrator's approval.",
    ),
  })
  .strict();

const Transport = z.enum(["stdio", "http", "sse"]);
const OwnCredential = z
  .enum(["optional", "required"])
  .describe("required: a key without its own credential for this server (nor its team) is refused its calls.");

const settings = {
  transport: Transport.describe(
    "stdio (a command llmux runs), http (Streamable HTTP) or sse. Default: stdio with command, http with url.",
  ),
  type: Transport.describe("The same as transport, as Claude Code's .mcp.json spells it."),
  command: z.string().min(1).describe("stdio: the program to run."),
  args: z.array(z.string()).describe("stdio: its arguments."),
  cwd: z.string().describe("stdio: its working directory."),
  url: z.string().describe("http, sse: the server's endpoint URL."),
  tools: Tools,
  timeout_ms: z.number().int().positive().describe("How long a call may go without progress (ms)."),
  connect_timeout_ms: z.number().int().positive().describe("How long connecting may take (ms)."),
  own_credential: OwnCredential,
  own_credential_fields: z
    .array(z.string().min(1).max(128))
    .max(32)
    .describe(
      "The environment variables (stdio) or headers (http, sse) keys' and teams' own credentials may set; nothing else is accepted.",
    ),
};

export const McpServerCreate = z
  .object({
    name: z.string().min(1).max(100).describe("letters, digits, - and single _: the tools' prefix (name__tool)."),
    ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, v.optional()])),
    env: Secrets.optional().describe(
      "stdio: the program's environment (credentials too): stored encrypted, never answered.",
    ),
    headers: Secrets.optional().describe(
      "http, sse: headers sent with every request (credentials too): stored encrypted, never answered.",
    ),
  })
  .strict();

export const McpServerPatch = z
  .object({
    ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, v.nullable().optional()])),
    env: z
      .record(z.string().min(1).max(128), SecretValue.nullable())
      .optional()
      .describe("Environment values to set (a string) or remove (null); the others are kept."),
    headers: z
      .record(z.string().min(1).max(128), SecretValue.nullable())
      .optional()
      .describe("Headers to set (a string) or remove (null); the others are kept."),
  })
  .strict();

export const McpServerSettings = z
  .object({
    name: z.string(),
    source: z
      .enum(["config", "api"])
      .describe("config: the configuration file's (changed there only); api: added through the admin API."),
    transport: Transport,
    command: z.string().nullable(),
    args: z.array(z.string()).nullable(),
    cwd: z.string().nullable(),
    url: z.string().nullable(),
    env: SetSecrets,
    headers: SetSecrets,
    tools: z.object({
      allow: z.array(z.string()).nullable(),
      deny: z.array(z.string()),
      approval: z.array(z.string()),
    }),
    timeout_ms: z.number().int(),
    connect_timeout_ms: z.number().int(),
    own_credential: OwnCredential,
    own_credential_fields: z.array(z.string()),
    created_at: z.string().nullable().describe("ISO time it was added (null: the configuration file's)."),
    updated_at: z.string().nullable(),
  })
  .meta({ id: "McpServerSettings" });

export const McpCredentialSet = z
  .object({
    key_id: z.string().min(1).optional().describe("The key whose credential this is (key_…)."),
    team_id: z.string().min(1).optional().describe("Or the team whose keys all use it (a key's own wins)."),
    env: Secrets.optional().describe(
      "stdio servers: environment values used over the server's (e.g. GITHUB_PERSONAL_ACCESS_TOKEN).",
    ),
    headers: Secrets.optional().describe("http, sse servers: headers used over the server's (e.g. Authorization)."),
  })
  .strict();

export const McpOwnCredentialSet = McpCredentialSet.omit({ key_id: true, team_id: true }).strict();

export const McpCredentialWho = z
  .object({
    key_id: z.string().min(1).optional(),
    team_id: z.string().min(1).optional(),
  })
  .strict();

export const McpCredential = z
  .object({
    server: z.string(),
    key_id: z.string().nullable(),
    team_id: z.string().nullable(),
    env: SetSecrets,
    headers: SetSecrets,
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "McpCredential" });

export const McpCredentialList = z.object({ data: z.array(McpCredential) }).meta({ id: "McpCredentialList" });

export const McpCredentialDeleted = z
  .object({
    server: z.string(),
    key_id: z.string().nullable(),
    team_id: z.string().nullable(),
    deleted: z.literal(true),
  })
  .meta({ id: "McpCredentialDeleted" });

/** Names as the answer's `{"NAME": {"set": true}}`. */
export function setOf(names: readonly string[]): Record<string, { set: true }> {
  return Object.fromEntries(names.map((n) => [n, { set: true as const }]));
}

export const namesOfValues = (values: Record<string, string> | undefined): string[] => Object.keys(values ?? {}).sort();

export type { SecretNames };
