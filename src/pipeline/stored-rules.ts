import type { RoutingRule } from "../config/schema-rules.js";
import type { Data } from "../data/data.js";
import { routingRulesVersion, storedRoutingRules } from "../data/routing-rules.js";
import { PolledLayer, VersionPoller } from "../data/version-poller.js";
import type { Logger } from "../log/logger.js";
import { RouteRules } from "../routing/rules.js";
import type { RoutingDeps } from "./route-rules.js";

/** The rules' schema and checks, loaded once rules are stored (a gateway without any never loads them, nor zod). */
type RulesModule = typeof import("../config/schema-rules.js");

/** Stored rules as read, with the module that checks them. */
interface ReadRules {
  readonly rules: RoutingRule[];
  readonly checks: RulesModule;
}

/**
 * The routing rules the admin API stored, read in place of the configuration's at start and whenever their
 * version moves (polled every `pollMs`, and at once on `check()`: the admin API calls it on the instance that
 * stored them), so every instance routes by them without a restart. Rules that no longer fit the aliases in
 * force (one since removed) are not used, and said so; `refit()` looks again once the aliases changed (models
 * stored at runtime). A database that cannot be read leaves the rules as they were.
 */
export class StoredRules extends PolledLayer<ReadRules> {
  protected readonly poller: VersionPoller<ReadRules>;
  /** The stored rules last read (undefined: none stored), checked again by `refit`. */
  private last: (ReadRules & { version: number }) | undefined;

  constructor(
    private readonly routing: RoutingDeps,
    data: Data,
    private readonly logger: Logger,
    private readonly aliases: () => Readonly<Record<string, unknown>>,
    pollMs = 10_000,
  ) {
    super();
    this.poller = new VersionPoller<ReadRules>(
      {
        what: "stored routing rules",
        version: () => routingRulesVersion(data),
        read: async () => {
          const stored = await storedRoutingRules(data);
          if (!stored) return undefined;
          const checks = await import("../config/schema-rules.js");
          const rules = checks.RuleSchema.array().parse(JSON.parse(stored.rules));
          return { version: stored.version, value: { rules, checks } };
        },
        apply: (read, version) => {
          this.last = { ...read, version };
          this.use(this.last);
        },
      },
      logger,
      pollMs,
    );
  }

  /** The stored rules, when they fit the aliases in force. */
  private use({ rules, version, checks }: ReadRules & { version: number }): void {
    const problems = checks.ruleProblems(rules, this.aliases());
    if (problems.length > 0) {
      this.logger.warn({ version, problems }, "the stored routing rules do not fit the configuration: not used");
      return;
    }
    this.routing.rules = new RouteRules(rules);
    this.logger.info({ rules: rules.length, version }, "stored routing rules read");
  }

  /** The aliases in force changed: the stored rules are checked against them again. */
  refit(): void {
    if (this.last) this.use(this.last);
  }
}
