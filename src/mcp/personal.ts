import { type McpServerConfig, unsafeCredentialField } from "../config/schema-mcp.js";
import type { McpSecrets } from "../data/mcp-secrets.js";
import type { Logger } from "../log/logger.js";
import { sameConnection } from "./same-settings.js";
import { Upstream } from "./upstream.js";

const MINUTE = 60_000;

/**
 * A server's settings with a key's (or team's) own credential over its shared one: env (stdio), headers
 * (remote), and of those only the names the server declares in `own_credential_fields` (a credential stored
 * before a name was undeclared, or by an older llmux, fills nothing else).
 */
export function personalConfig(base: McpServerConfig, own: McpSecrets): McpServerConfig {
  const stdio = base.transport === "stdio";
  const declared = new Set(base.own_credential_fields.map((n) => (stdio ? n : n.toLowerCase())));
  const pick = (values: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(values).filter(
        ([n]) => declared.has(stdio ? n : n.toLowerCase()) && !unsafeCredentialField(base.transport, n),
      ),
    );
  if (stdio) return { ...base, env: { ...base.env, ...pick(own.env) } };
  // One value per header, whatever the case each side wrote it in: the key's own replaces the server's.
  const mine = pick(own.headers);
  const replaced = new Set(Object.keys(mine).map((n) => n.toLowerCase()));
  const shared = Object.entries(base.headers).filter(([n]) => !replaced.has(n.toLowerCase()));
  return { ...base, headers: { ...Object.fromEntries(shared), ...mine } };
}

interface Held {
  readonly upstream: Upstream;
  /** The shared server it was made from: when that one is changed or removed, this one is too. */
  readonly base: Upstream;
  lastUsed: number;
}

/**
 * Connections made with a key's or a team's own credential (a developer's GitHub token): one per server and
 * credential holder, made on its first call (a stdio server: a process of its own), supervised like the shared
 * one, closed after `idleMs` unused, or when the server or the credential changes.
 */
export class PersonalUpstreams {
  private readonly held = new Map<string, Held>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly logger: Logger,
    private readonly idleMs = 10 * MINUTE,
  ) {
    this.sweeper = setInterval(() => this.sweep(), MINUTE);
    this.sweeper.unref();
  }

  get size(): number {
    return this.held.size;
  }

  /** The connection of `subject` (`key:<id>`, `team:<id>`) to a server, with its own credential. */
  for(base: Upstream, subject: string, own: McpSecrets): Upstream {
    const id = `${base.name}\0${subject}`;
    const config = personalConfig(base.config, own);
    const h = this.held.get(id);
    if (h && h.base === base && sameConnection(h.upstream.config, config)) {
      h.upstream.config = config;
      h.lastUsed = Date.now();
      return h.upstream;
    }
    if (h) void h.upstream.close();
    const upstream = new Upstream(base.name, config, this.logger, base.privateAllowed);
    this.held.set(id, { upstream, base, lastUsed: Date.now() });
    void upstream.start();
    return upstream;
  }

  private sweep(): void {
    const idle = Date.now() - this.idleMs;
    for (const [id, h] of this.held)
      if (h.lastUsed < idle || h.base.status === "closed") {
        this.held.delete(id);
        void h.upstream.close();
      }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.held.values()];
    this.held.clear();
    await Promise.all(all.map((h) => h.upstream.close()));
  }
}
