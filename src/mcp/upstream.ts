import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  type CallToolResult,
  type GetPromptResult,
  type Prompt,
  PromptListChangedNotificationSchema,
  type ReadResourceResult,
  type Resource,
  ResourceListChangedNotificationSchema,
  type ResourceTemplate,
  type Tool,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { type McpServerConfig, mcpCredentialValues } from "../config/schema-mcp.js";
import type { Logger } from "../log/logger.js";
import { scrubbed } from "./scrub.js";
import { clientTransport } from "./transport.js";

export type UpstreamStatus = "connecting" | "ready" | "down" | "closed";

/** What a server offers, as it last listed it. */
export interface Catalog {
  tools: Tool[];
  prompts: Prompt[];
  resources: Resource[];
  templates: ResourceTemplate[];
}

const EMPTY: Catalog = { tools: [], prompts: [], resources: [], templates: [] };
const MAX_BACKOFF_MS = 30_000;
/** Pages of a list read at most (a server that pages forever is cut off). */
const MAX_PAGES = 50;

/**
 * One upstream MCP server: a client connection made with the SDK, kept up. A stdio server is a child process
 * llmux supervises: when it exits (or any connection drops) it is started again after a backoff (1 s, doubling
 * to 30 s, reset once connected). Its tools, prompts and resources are listed on connect and again when it
 * says they changed.
 */
export class Upstream {
  status: UpstreamStatus = "connecting";
  /** Why it is down, in words (never a credential: transport errors name URLs and programs, not headers or env). */
  lastError: string | undefined;
  /** Times it was (re)connected after the first. */
  restarts = 0;
  catalog: Catalog = EMPTY;
  /** Whether its catalog was listed at least once (kept while it restarts: a tool it never had stays unknown). */
  get listed(): boolean {
    return this.catalog !== EMPTY;
  }
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  private backoffMs = 1000;
  private retry: NodeJS.Timeout | undefined;
  private connects = 0;
  private readonly waiters = new Set<() => void>();
  /** Its own credentials' values: never in what it says on stderr, nor in why it is down. */
  readonly secrets: string[];

  constructor(
    readonly name: string,
    /** Its settings: those that do not touch the connection (tools, timeouts) may change while it runs. */
    public config: McpServerConfig,
    private readonly logger: Logger,
    /** Whether it may reach private, loopback and link-local addresses (the configuration file's servers may). */
    readonly privateAllowed = true,
  ) {
    this.secrets = mcpCredentialValues(config);
  }

  /** Connects (in the background: a server that cannot start is retried, never fails llmux's start). */
  start(): Promise<void> {
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Resolves once the connection under way is made or has failed (at once when none is under way). */
  settled(): Promise<void> {
    return this.connecting ?? Promise.resolve();
  }

  /** The process id of a stdio server that runs (tests, the admin view). */
  get pid(): number | undefined {
    const t = this.client?.transport as { pid?: number | null } | undefined;
    return t?.pid ?? undefined;
  }

  private async connect(): Promise<void> {
    if (this.status === "closed") return;
    this.status = "connecting";
    const client = new Client({ name: "llmux", version: "1" }, { capabilities: {} });
    const transport = clientTransport(this.config, this.privateAllowed);
    const stderr = (transport as { stderr?: NodeJS.ReadableStream | null }).stderr;
    // Its last words on stderr, bounded: why a server that never starts failed, in its own words.
    let said = "";
    stderr?.on("data", (d: Buffer) => {
      const text = d.toString("utf8");
      said = (said + text).slice(-STDERR_KEPT * 4);
      this.logger.debug({ mcp_server: this.name }, `mcp ${this.name}: ${scrubbed(text.trimEnd(), this.secrets)}`);
    });
    client.onclose = () => this.dropped(client);
    client.onerror = (err) => this.logger.debug({ mcp_server: this.name, err: err.message }, "mcp transport error");
    try {
      await client.connect(transport, { timeout: this.config.connect_timeout_ms });
      if ((this.status as UpstreamStatus) === "closed") {
        await client.close();
        return;
      }
      this.client = client;
      this.catalog = await this.list(client);
      for (const schema of [
        ToolListChangedNotificationSchema,
        PromptListChangedNotificationSchema,
        ResourceListChangedNotificationSchema,
      ])
        client.setNotificationHandler(schema, () => void this.refresh(client));
      this.status = "ready";
      this.lastError = undefined;
      this.backoffMs = 1000;
      if (this.connects++ > 0) this.restarts++;
      this.logger.info(
        { mcp_server: this.name, tools: this.catalog.tools.length },
        `mcp server ${this.name} is ready (${this.catalog.tools.length} tools)`,
      );
      for (const w of this.waiters) w();
    } catch (err) {
      this.client = undefined;
      await client.close().catch(() => undefined);
      // What it wrote as it exited may still be on its way through the pipe.
      await new Promise((r) => setImmediate(r));
      this.fail(err, lastWords(said));
    }
  }

  private async refresh(client: Client): Promise<void> {
    try {
      if (client === this.client) this.catalog = await this.list(client);
    } catch (err) {
      this.logger.warn({ mcp_server: this.name, err: (err as Error).message }, "mcp list after a change failed");
    }
  }

  /** The connection closed (the process exited, the server went away): started again after the backoff. */
  private dropped(client: Client): void {
    if (client !== this.client || this.status === "closed") return;
    this.client = undefined;
    this.fail(new Error("the connection closed (the server exited or went away)"));
  }

  private fail(err: unknown, stderr = ""): void {
    if (this.status === "closed") return;
    this.status = "down";
    const why = stderr ? `${(err as Error).message}; its stderr: ${stderr}` : (err as Error).message;
    this.lastError = scrubbed(why, this.secrets);
    this.logger.warn(
      { mcp_server: this.name, retry_ms: this.backoffMs },
      `mcp server ${this.name} is down: ${this.lastError}; trying again in ${this.backoffMs / 1000} s`,
    );
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.start(), this.backoffMs);
    this.retry.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }

  private async list(client: Client): Promise<Catalog> {
    const caps = client.getServerCapabilities() ?? {};
    const opts = { timeout: this.config.connect_timeout_ms };
    const pages = async <T>(
      read: (cursor?: string) => Promise<{ nextCursor?: string | undefined } & T>,
      key: keyof T,
    ) => {
      const out: unknown[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < MAX_PAGES; i++) {
        const page = await read(cursor);
        out.push(...(page[key] as unknown[]));
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      return out;
    };
    return {
      tools: caps.tools ? ((await pages((c) => client.listTools({ cursor: c }, opts), "tools")) as Tool[]) : [],
      prompts: caps.prompts
        ? ((await pages((c) => client.listPrompts({ cursor: c }, opts), "prompts")) as Prompt[])
        : [],
      resources: caps.resources
        ? ((await pages((c) => client.listResources({ cursor: c }, opts), "resources")) as Resource[])
        : [],
      templates: caps.resources
        ? ((await pages(
            (c) => client.listResourceTemplates({ cursor: c }, opts),
            "resourceTemplates",
          )) as ResourceTemplate[])
        : [],
    };
  }

  /** The connected client, waiting up to the connect timeout for one (a server being restarted). */
  private async ready(): Promise<Client> {
    if (this.client && this.status === "ready") return this.client;
    if (this.status === "closed") throw new Error(`the MCP server '${this.name}' is stopped`);
    if (this.status === "down") void this.start();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.config.connect_timeout_ms);
      this.waiters.add(done);
    });
    if (this.client && this.status === "ready") return this.client;
    throw new Error(`the MCP server '${this.name}' is unavailable: ${this.lastError ?? "not connected"}`);
  }

  private options(extra: RequestOptions): RequestOptions {
    return { timeout: this.config.timeout_ms, resetTimeoutOnProgress: true, ...extra };
  }

  async callTool(
    name: string,
    args: Record<string, unknown> | undefined,
    opts: RequestOptions,
  ): Promise<CallToolResult> {
    const client = await this.ready();
    return (await client.callTool({ name, arguments: args }, undefined, this.options(opts))) as CallToolResult;
  }

  async getPrompt(
    name: string,
    args: Record<string, string> | undefined,
    opts: RequestOptions,
  ): Promise<GetPromptResult> {
    const client = await this.ready();
    return client.getPrompt({ name, arguments: args }, this.options(opts));
  }

  async readResource(uri: string, opts: RequestOptions): Promise<ReadResourceResult> {
    const client = await this.ready();
    return client.readResource({ uri }, this.options(opts));
  }

  async close(): Promise<void> {
    this.status = "closed";
    clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    for (const w of this.waiters) w();
    await c?.close().catch(() => undefined);
  }
}

/** At most this many characters of a failed stdio server's stderr are kept with why it is down. */
export const STDERR_KEPT = 1000;

/** The end of what a server wrote on stderr: its last 10 non-empty lines, at most STDERR_KEPT characters. */
export function lastWords(said: string): string {
  const lines = said
    // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes and control characters go
    .replace(/\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]/g, "")
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== "")
    .slice(-10);
  const text = lines.join(" | ");
  return text.length > STDERR_KEPT ? `…${text.slice(-(STDERR_KEPT - 1))}` : text;
}
