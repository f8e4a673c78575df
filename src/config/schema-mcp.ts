import { z } from "zod";
import { secret } from "./secret-fields.js";
import { MCP_SERVER_NAME } from "./shared-values.js";

const Globs = z.array(z.string().min(1));

const Tools = z
  .object({
    allow: Globs.optional().describe("Tools (globs on the server's own names) offered; omit for all."),
    deny: Globs.default([]).describe("Tools (globs) never offered, even when allowed."),
    approval: Globs.default([]).describe(
      "Tools (globs) that need an administrator's approval: a call is refused with a message that says so.",
    ),
  })
  .strict()
  .default({ deny: [], approval: [] });

const Common = {
  tools: Tools.describe("Which of the server's tools llmux offers."),
  timeout_ms: z
    .number()
    .int()
    .positive()
    .default(60_000)
    .describe("Milliseconds a call may take without progress before it is abandoned."),
  connect_timeout_ms: z
    .number()
    .int()
    .positive()
    .default(15_000)
    .describe("Milliseconds to connect and initialise before the server is marked down (and tried again)."),
  own_credential: z
    .enum(["optional", "required"])
    .default("optional")
    .describe(
      "Keys' own credentials (set through the admin API: a developer's token): optional (a key without one uses the server's), or required (a call by a key without one, nor its team, is refused).",
    ),
  own_credential_fields: z
    .array(z.string().min(1).max(128))
    .max(32)
    .default([])
    .describe(
      "The environment variables (stdio) or headers (http, sse) a key's or a team's own credential may set (e.g. GITHUB_PERSONAL_ACCESS_TOKEN, Authorization); nothing else is accepted. Empty (the default): the server takes no own credentials.",
    ),
};

/**
 * Environment variables that change what a program runs or trusts (loaders, interpreters, shells, proxies, TLS
 * roots): never a credential a key or team may set, whatever a server declares.
 */
const UNSAFE_ENV =
  /^(PATH|HOME|SHELL|IFS|ENV|BASH_ENV|BASH_FUNC_.*|SHELLOPTS|PS4|CDPATH|GCONV_PATH|LOCPATH|TMPDIR|LD_.*|DYLD_.*|NODE_.*|NPM_CONFIG_.*|PYTHON.*|PERL.*|RUBY.*|GEM_.*|BUNDLE_.*|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|CLASSPATH|GIT_.*|SSH_.*|LUA_.*|PHP.*|DENO_.*|BUN_.*|UV_.*|PIP_.*|CONDA_.*|R_.*|DOTNET_.*|COMPlus_.*|CORECLR_.*|GOFLAGS|GOPATH|GOROOT|CARGO_.*|RUSTC.*|RUSTFLAGS|XDG_.*|(HTTPS?|ALL|NO|FTP)_PROXY|SSL_CERT_.*|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|MALLOC_.*|OPENSSL_.*|EDITOR|VISUAL|PAGER|BROWSER)$/i;

/** Headers that carry HTTP or MCP framing, never a credential. */
const UNSAFE_HEADER =
  /^(host|content-length|content-type|content-encoding|transfer-encoding|connection|keep-alive|upgrade|te|trailer|proxy-.*|accept|accept-encoding|mcp-session-id|mcp-protocol-version|last-event-id|cookie|origin|referer|forwarded|x-forwarded-.*)$/i;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Why a declared own-credential field may not be one (a stdio server's variable, a remote one's header), or undefined. */
export function unsafeCredentialField(transport: "stdio" | "http" | "sse", name: string): string | undefined {
  if (transport === "stdio") {
    if (!ENV_NAME.test(name)) return `'${name}' is not an environment variable name`;
    if (UNSAFE_ENV.test(name))
      return `'${name}' changes what the server's program runs or trusts: it cannot be a key's credential`;
    return undefined;
  }
  if (!HEADER_NAME.test(name)) return `'${name}' is not a header name`;
  if (UNSAFE_HEADER.test(name)) return `'${name}' carries HTTP or MCP framing: it cannot be a key's credential`;
  return undefined;
}

function checkCredentialFields(
  s: { transport: "stdio" | "http" | "sse"; own_credential_fields: string[] },
  ctx: z.RefinementCtx,
): void {
  s.own_credential_fields.forEach((name, i) => {
    const why = unsafeCredentialField(s.transport, name);
    if (why) ctx.addIssue({ code: "custom", path: ["own_credential_fields", i], message: why });
  });
}

const Stdio = z
  .object({
    transport: z
      .literal("stdio")
      .default("stdio")
      .describe("A command llmux runs and supervises (restarted when it exits); the default with a command."),
    command: z.string().min(1).describe("The program to run."),
    args: z.array(z.string()).default([]).describe("Its arguments."),
    env: secret(
      z
        .record(z.string(), z.string())
        .default({})
        .describe(`Its environment (credentials too: write "\${VARIABLE}" to read them from llmux's environment).`),
    ),
    cwd: z.string().optional().describe("Its working directory."),
    ...Common,
  })
  .strict()
  .superRefine(checkCredentialFields);

const Remote = (transport: "http" | "sse", what: string) =>
  z
    .object({
      transport: z.literal(transport).describe(what),
      url: z.string().url().describe("The server's endpoint URL."),
      headers: secret(
        z
          .record(z.string(), z.string())
          .default({})
          .describe(`Headers sent with every request (credentials too: "Authorization: Bearer \${TOKEN}").`),
      ),
      ...Common,
    })
    .strict()
    .superRefine(checkCredentialFields);

/**
 * Claude Code's `.mcp.json` spelling: `type` (stdio, http, sse) is `transport`, so an entry pasted from there
 * is accepted as it is. Both given and different: left as they are, and `type` is refused as unknown.
 */
export function typeAsTransport<T>(v: T): T {
  if (!v || typeof v !== "object" || Array.isArray(v) || !("type" in v)) return v;
  const { type, ...rest } = v as Record<string, unknown>;
  if ("transport" in rest && rest.transport !== type) return v;
  return { ...rest, transport: type } as T;
}

/** Without `transport`: `http` (Streamable HTTP) when a `url` is given (and `stdio`, the default, otherwise). */
function withTransport(given: unknown): unknown {
  const v = typeAsTransport(given);
  if (!v || typeof v !== "object" || Array.isArray(v) || "transport" in v) return v;
  if ("url" in v && !("command" in v)) return { ...v, transport: "http" };
  return v;
}

export const McpServerSchema = z.preprocess(
  withTransport,
  z.discriminatedUnion("transport", [
    Stdio,
    Remote("http", "An MCP server over Streamable HTTP (the default with a url)."),
    Remote("sse", "An MCP server over the older HTTP+SSE transport."),
  ]),
);

export const McpSchema = z
  .object({
    servers: z
      .record(z.string(), McpServerSchema)
      .superRefine((servers, ctx) => {
        for (const name of Object.keys(servers))
          if (!MCP_SERVER_NAME.test(name))
            ctx.addIssue({
              code: "custom",
              path: [name],
              message: `'${name}' is not a server name: letters, digits, - and single _ (no __, which separates a server from its tools)`,
            });
      })
      .default({})
      .describe("Upstream MCP servers by a name of your choice: served together at /mcp, each at /mcp/{name}."),
    calls_per_minute: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("Tool calls a key may make per minute (over all servers); omit for no limit."),
    session_ttl_minutes: z
      .number()
      .positive()
      .default(60)
      .describe("Minutes an idle /mcp session is kept before the client must initialise again."),
    allow_private_addresses: z
      .boolean()
      .default(false)
      .describe(
        "Let remote servers added through the admin API reach private, loopback, link-local and metadata addresses (llmux itself, 10.x, 169.254.169.254…): checked on the URL and on every address it resolves to when connecting. The configuration file's servers may always (they are the operator's).",
      ),
  })
  .strict()
  .default({ servers: {}, session_ttl_minutes: 60, allow_private_addresses: false })
  .describe("The MCP gateway: upstream MCP servers behind llmux's keys (see docs/mcp.md).");

export type McpConfig = z.infer<typeof McpSchema>;
export type McpServerConfig = z.infer<typeof McpServerSchema>;

/** The values of a server's credentials (its headers and environment): redacted wherever they could appear. */
export function mcpCredentialValues(cfg: McpServerConfig): string[] {
  const values = cfg.transport === "stdio" ? Object.values(cfg.env) : Object.values(cfg.headers);
  const out: string[] = [];
  for (const v of values) {
    if (v.length < 8) continue;
    out.push(v);
    // "Bearer <token>": the token alone too.
    const token = v.split(/\s+/).pop();
    if (token && token !== v && token.length >= 8) out.push(token);
  }
  return out;
}
