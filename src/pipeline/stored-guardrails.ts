import type { Config } from "../config/schema.js";
import type { Data } from "../data/data.js";
import { guardrailPoliciesVersion, storedGuardrailPolicies } from "../data/guardrail-policies.js";
import { PolledLayer, VersionPoller } from "../data/version-poller.js";
import { type Guardrails, guardrailsOf } from "../guardrails/guard.js";
import { layered, NO_LAYER, type StoredLayer } from "../guardrails/layer.js";
import type { Logger } from "../log/logger.js";
import { configSecrets } from "../secrets/redact.js";
import type { HotState } from "../state/hot-state.js";

/** How often every instance looks whether the stored policies moved (a change applies everywhere within it). */
export const GUARDRAILS_POLL_MS = 500;

/**
 * The guardrails' policies the admin API stored (src/data/guardrail-policies.ts), put in force over the
 * configuration file's at start and whenever their version moves (the stored layer's one poller,
 * src/data/version-poller.ts: every `pollMs`, and at once on `check()`, which the admin API calls on the
 * instance that stored them). A row that does not parse is left out, and said so; a database that cannot be
 * read leaves the policy as it was.
 */
/** Stored policies read and parsed (layer-parse.ts, loaded with their schemas once any is stored). */
interface ReadLayer {
  readonly layer: StoredLayer;
  readonly problems: string[];
  readonly policies: number;
}

export class StoredGuardrails extends PolledLayer<ReadLayer> {
  /** What is in force from the database (none: the file's policy). */
  layer: StoredLayer = NO_LAYER;
  protected readonly poller: VersionPoller<ReadLayer>;

  constructor(guard: Guardrails, file: Config["guardrails"], data: Data, logger: Logger, pollMs = GUARDRAILS_POLL_MS) {
    super();
    this.poller = new VersionPoller(
      {
        what: "stored guardrails policies",
        version: () => guardrailPoliciesVersion(data),
        read: async () => {
          const stored = await storedGuardrailPolicies(data);
          // Nothing ever stored: the file's policy stays as the gateway built it.
          if (stored.version === 0) return undefined;
          const { layerOf } = await import("../guardrails/layer-parse.js");
          return { version: stored.version, value: { ...layerOf(stored.policies), policies: stored.policies.length } };
        },
        apply: ({ layer, problems, policies }, version) => {
          if (problems.length > 0) logger.warn({ version, scopes: problems }, "stored guardrails policies not used");
          this.layer = layer;
          guard.apply(layered(file, layer), layer.aliases);
          logger.info({ version, policies }, "stored guardrails policy read");
        },
      },
      logger,
      pollMs,
    );
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
  team:
    | {
        data: Data;
        guardrailsChanged: (() => Promise<void>) | undefined;
        layers: { guardrails?: { nextPoll(): Promise<void> } };
      }
    | undefined,
  logger: Logger,
): { guardrails: Guardrails | undefined; stop: () => void } {
  const guardrails = guardrailsOf(config.guardrails, configSecrets(config), book, hot, team !== undefined);
  if (!team || !guardrails) return { guardrails, stop: () => undefined };
  const stored = new StoredGuardrails(guardrails, config.guardrails, team.data, logger);
  team.guardrailsChanged = () => stored.check();
  team.layers.guardrails = stored;
  return { guardrails, stop: () => stored.stop() };
}
