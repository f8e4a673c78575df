import type { Config } from "../config/schema.js";
import type { Data } from "../data/data.js";
import { guardrailPoliciesVersion, storedGuardrailPolicies } from "../data/guardrail-policies.js";
import { type Guardrails, guardrailsOf } from "../guardrails/guard.js";
import { layered, layerOf, NO_LAYER, type StoredLayer } from "../guardrails/layer.js";
import type { Logger } from "../log/logger.js";
import { configSecrets } from "../secrets/redact.js";
import type { HotState } from "../state/hot-state.js";

/** How often every instance looks whether the stored policies moved (a change applies everywhere within it). */
export const GUARDRAILS_POLL_MS = 500;

/**
 * The guardrails' policies the admin API stored (src/data/guardrail-policies.ts), put in force over the
 * configuration file's at start and whenever their version moves: polled every `pollMs`, and at once on
 * `check()` (the admin API calls it on the instance that stored them). A row that does not parse is left out,
 * and said so; a database that cannot be read leaves the policy as it was.
 */
export class StoredGuardrails {
  private version = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** What is in force from the database (none: the file's policy). */
  layer: StoredLayer = NO_LAYER;

  constructor(
    private readonly guard: Guardrails,
    private readonly file: Config["guardrails"],
    private readonly data: Data,
    private readonly logger: Logger,
    pollMs = GUARDRAILS_POLL_MS,
  ) {
    void this.check();
    this.timer = setInterval(() => void this.check(), pollMs);
    this.timer.unref();
  }

  /** Reads the stored policies when their version moved (one read at a time). */
  check(): Promise<void> {
    this.running ??= this.read().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async read(): Promise<void> {
    try {
      if ((await guardrailPoliciesVersion(this.data)) === this.version) return;
      const stored = await storedGuardrailPolicies(this.data);
      if (!this.timer) return;
      const { layer, problems } = layerOf(stored.policies);
      if (problems.length > 0)
        this.logger.warn({ version: stored.version, scopes: problems }, "stored guardrails policies not used");
      this.version = stored.version;
      this.layer = layer;
      this.guard.apply(layered(this.file, layer), layer.aliases);
      this.logger.info({ version: stored.version, policies: stored.policies.length }, "stored guardrails policy read");
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, "the stored guardrails policies could not be read");
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/**
 * The guardrails of a gateway: those of its configuration and, with a database, the policies the admin API
 * stores over it (so guardrails the file leaves off can be turned on at run time). `team.guardrailsChanged`
 * is set to apply a change on this instance at once.
 */
export function gatewayGuardrails(
  config: Config,
  book: { values(): readonly string[] },
  hot: HotState,
  team: { data: Data; guardrailsChanged: (() => Promise<void>) | undefined } | undefined,
  logger: Logger,
): { guardrails: Guardrails | undefined; stop: () => void } {
  const guardrails = guardrailsOf(config.guardrails, configSecrets(config), book, hot, team !== undefined);
  if (!team || !guardrails) return { guardrails, stop: () => undefined };
  const stored = new StoredGuardrails(guardrails, config.guardrails, team.data, logger);
  team.guardrailsChanged = () => stored.check();
  return { guardrails, stop: () => stored.stop() };
}
