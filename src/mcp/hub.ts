import type { Prompt, Resource, ResourceTemplate, Tool } from "@modelcontextprotocol/sdk/types.js";
import { type McpConfig, type McpServerConfig, mcpCredentialValues } from "../config/schema-mcp.js";
import type { Logger } from "../log/logger.js";
import { type McpAccess, matchesAny, serverAllowed, toolAllowed } from "./access.js";
import { namespaced, split } from "./names.js";
import { sameConnection, sameSettings } from "./same-settings.js";
import { Upstream } from "./upstream.js";

/** A tool a name resolves to: its server, its own name, and the name the caller used. */
export interface FoundTool {
  readonly upstream: Upstream;
  readonly own: string;
  readonly shown: string;
  readonly allowed: boolean;
  readonly needsApproval: boolean;
}

/**
 * The upstream MCP servers, started and supervised together, and what a caller sees of them: on `/mcp` every
 * server's tools, prompts and resources under namespaced names (`github__create_issue`); on `/mcp/{server}`
 * one server's, under its own names. A server's `tools` settings (allow, deny) hide tools from everyone; a
 * caller's access rules (src/mcp/access.ts) hide the rest it may not use.
 */
export class McpHub {
  readonly upstreams = new Map<string, Upstream>();
  /** The values of every server's credentials: redacted from answers, logs and rows. */
  secrets: string[] = [];
  private started = false;
  /** Servers whose connection settings changed: connecting, to replace the one that serves meanwhile. */
  private readonly pending = new Map<string, Upstream>();

  constructor(
    private readonly config: McpConfig,
    private readonly logger: Logger,
  ) {
    this.apply(config.servers);
  }

  get size(): number {
    return this.upstreams.size;
  }

  /**
   * Serves these servers from now on: a server no longer named is stopped, a new one started, a changed one
   * (any setting or credential) started again with its new settings; the others go on untouched.
   */
  apply(servers: Readonly<Record<string, McpServerConfig>>): void {
    for (const [name, u] of this.upstreams)
      if (!(name in servers)) {
        this.upstreams.delete(name);
        void u.close();
        this.logger.info({ mcp_server: name }, `mcp server ${name} was removed`);
      }
    for (const [name, u] of this.pending)
      if (!(name in servers) || !sameSettings(u.config, servers[name])) {
        this.pending.delete(name);
        void u.close();
      }
    for (const [name, cfg] of Object.entries(servers)) {
      const old = this.upstreams.get(name);
      if (old && sameSettings(old.config, cfg)) continue;
      if (old && sameConnection(old.config, cfg)) {
        old.config = cfg;
        continue;
      }
      if (this.pending.has(name)) continue;
      // The configuration file's servers are the operator's choice; those added through the API may not reach
      // private addresses unless mcp.allow_private_addresses says so.
      const privateAllowed = this.config.allow_private_addresses || name in this.config.servers;
      const u = new Upstream(name, cfg, this.logger, privateAllowed);
      if (!old || !this.started) {
        if (old) void old.close();
        this.upstreams.set(name, u);
        if (this.started) void u.start();
        continue;
      }
      // Changed: the old connection serves until the new one is up (or found down), then gives way.
      this.logger.info({ mcp_server: name }, `mcp server ${name} changed: connecting it again`);
      this.pending.set(name, u);
      void u.start().then(() => {
        if (this.pending.get(name) !== u) return;
        this.pending.delete(name);
        const current = this.upstreams.get(name);
        this.upstreams.set(name, u);
        void current?.close();
      });
    }
    this.secrets = [...this.upstreams.values(), ...this.pending.values()].flatMap((u) => mcpCredentialValues(u.config));
  }

  /** Starts every server (in the background; one that cannot start is retried). */
  start(): void {
    this.started = true;
    for (const u of this.upstreams.values()) void u.start();
  }

  /** Resolves once every server is ready or was found down once (tests, `llmux doctor`). */
  async ready(): Promise<void> {
    await Promise.all([...this.upstreams.values()].map((u) => u.start()));
  }

  /** Resolves once no server is being connected (each is ready, or was found down). */
  async settled(): Promise<void> {
    await Promise.all([...this.upstreams.values(), ...this.pending.values()].map((u) => u.settled()));
  }

  async close(): Promise<void> {
    this.started = false;
    const pending = [...this.pending.values()];
    this.pending.clear();
    await Promise.all([...this.upstreams.values(), ...pending].map((u) => u.close()));
  }

  /** The servers a scope covers (`undefined`: all) that the caller may use. */
  private scoped(scope: string | undefined, access: McpAccess | undefined): Upstream[] {
    const all = scope === undefined ? [...this.upstreams.values()] : [this.upstreams.get(scope)].filter((u) => !!u);
    return all.filter((u) => serverAllowed(access, u.name));
  }

  private shown(scope: string | undefined, server: string, own: string): string {
    return scope === undefined ? namespaced(server, own) : own;
  }

  private offered(u: Upstream, tool: string): boolean {
    const t = u.config.tools;
    return (!t.allow || matchesAny(t.allow, tool)) && !matchesAny(t.deny, tool);
  }

  tools(scope: string | undefined, access: McpAccess | undefined): Tool[] {
    const out: Tool[] = [];
    for (const u of this.scoped(scope, access))
      for (const t of u.catalog.tools) {
        if (!this.offered(u, t.name) || !toolAllowed(access, u.name, namespaced(u.name, t.name))) continue;
        out.push({ ...t, name: this.shown(scope, u.name, t.name) });
      }
    return out;
  }

  /** The tool a name means in a scope (whether the caller may call it or not), or undefined when none. */
  findTool(scope: string | undefined, shown: string, access: McpAccess | undefined): FoundTool | undefined {
    const parts = scope === undefined ? split(shown) : { server: scope, name: shown };
    if (!parts) return undefined;
    const upstream = this.upstreams.get(parts.server);
    if (!upstream || !this.offered(upstream, parts.name)) return undefined;
    const own = parts.name;
    // A server being restarted is judged by the catalog it last listed; only one never listed yet (still
    // connecting for the first time) has its tools found by name.
    if (upstream.listed && !upstream.catalog.tools.some((t) => t.name === own)) return undefined;
    return {
      upstream,
      own,
      shown,
      allowed: toolAllowed(access, upstream.name, namespaced(upstream.name, own)),
      needsApproval: matchesAny(upstream.config.tools.approval, own),
    };
  }

  prompts(scope: string | undefined, access: McpAccess | undefined): Prompt[] {
    return this.scoped(scope, access).flatMap((u) =>
      u.catalog.prompts.map((p) => ({ ...p, name: this.shown(scope, u.name, p.name) })),
    );
  }

  findPrompt(scope: string | undefined, shown: string, access: McpAccess | undefined) {
    const parts = scope === undefined ? split(shown) : { server: scope, name: shown };
    const upstream = parts && this.upstreams.get(parts.server);
    if (!parts || !upstream || !serverAllowed(access, upstream.name)) return undefined;
    return { upstream, own: parts.name };
  }

  resources(scope: string | undefined, access: McpAccess | undefined): Resource[] {
    return this.scoped(scope, access).flatMap((u) =>
      u.catalog.resources.map((r) => ({ ...r, name: this.shown(scope, u.name, r.name) })),
    );
  }

  templates(scope: string | undefined, access: McpAccess | undefined): ResourceTemplate[] {
    return this.scoped(scope, access).flatMap((u) =>
      u.catalog.templates.map((r) => ({ ...r, name: this.shown(scope, u.name, r.name) })),
    );
  }

  /**
   * The server a resource URI belongs to: the one that listed it, else the one whose template's fixed start it
   * has (resource URIs are the servers' own, not renamed).
   */
  findResource(scope: string | undefined, uri: string, access: McpAccess | undefined): Upstream | undefined {
    const servers = this.scoped(scope, access);
    const listed = servers.find((u) => u.catalog.resources.some((r) => r.uri === uri));
    if (listed) return listed;
    const fixed = (t: string) => t.slice(0, t.indexOf("{") === -1 ? t.length : t.indexOf("{"));
    const templated = servers.find((u) => u.catalog.templates.some((t) => uri.startsWith(fixed(t.uriTemplate))));
    return templated ?? (servers.length === 1 ? servers[0] : undefined);
  }
}
