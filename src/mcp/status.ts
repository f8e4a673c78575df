import type { McpServerConfig } from "../config/schema-mcp.js";
import { matchesAny } from "./access.js";
import type { McpHub } from "./hub.js";

/** A server as the admin API shows it: health, tools; never a credential (no env, no headers, no query). */
export interface McpServerStatus {
  name: string;
  source: "config" | "api";
  transport: "stdio" | "http" | "sse";
  target: string;
  status: "connecting" | "ready" | "down" | "closed" | "unknown";
  last_error: string | null;
  restarts: number;
  pid: number | null;
  tools: { name: string; description: string | null; offered: boolean; needs_approval: boolean }[];
  prompts: number;
  resources: number;
}

function target(cfg: McpServerConfig): string {
  if (cfg.transport === "stdio") return cfg.command;
  const u = new URL(cfg.url);
  return `${u.origin}${u.pathname}`;
}

/** The hub's servers as this instance sees them; `configured`: the configuration file's (the others: the API's). */
export function serverStatuses(hub: McpHub, configured: Readonly<Record<string, unknown>>): McpServerStatus[] {
  return [...hub.upstreams.values()].map((u) => {
    const t = u.config.tools;
    return {
      name: u.name,
      source: Object.hasOwn(configured, u.name) ? ("config" as const) : ("api" as const),
      transport: u.config.transport,
      target: target(u.config),
      status: u.status,
      last_error: u.lastError ?? null,
      restarts: u.restarts,
      pid: u.pid ?? null,
      tools: u.catalog.tools.map((tool) => ({
        name: tool.name,
        description: tool.description ?? null,
        offered: (!t.allow || matchesAny(t.allow, tool.name)) && !matchesAny(t.deny, tool.name),
        needs_approval: matchesAny(t.approval, tool.name),
      })),
      prompts: u.catalog.prompts.length,
      resources: u.catalog.resources.length + u.catalog.templates.length,
    };
  });
}
