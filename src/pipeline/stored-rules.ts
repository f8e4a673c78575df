import { z } from "zod";
import { type RoutingRule, RuleSchema, ruleProblems } from "../config/schema-rules.js";
import type { Data } from "../data/data.js";
import { routingRulesVersion, storedRoutingRules } from "../data/routing-rules.js";
import type { Logger } from "../log/logger.js";
import { RouteRules } from "../routing/rules.js";
import type { RoutingDeps } from "./route-rules.js";

const Rules = z.array(RuleSchema);

/**
 * The routing rules the admin API stored, read in place of the configuration's at start and whenever their
 * version moves (polled every `pollMs`, and at once on `check()`: the admin API calls it on the instance that
 * stored them), so every instance routes by them without a restart. Rules that no longer fit the configuration
 * (an alias since removed) are not used, and said so; a database that cannot be read leaves the rules as they were.
 */
export class StoredRules {
  private version = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly routing: RoutingDeps,
    private readonly data: Data,
    private readonly logger: Logger,
    private readonly aliases: Readonly<Record<string, unknown>>,
    pollMs = 10_000,
  ) {
    void this.check();
    this.timer = setInterval(() => void this.check(), pollMs);
    this.timer.unref();
  }

  /** Reads the stored rules when their version moved (one read at a time). */
  check(): Promise<void> {
    this.running ??= this.read().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async read(): Promise<void> {
    try {
      if ((await routingRulesVersion(this.data)) === this.version) return;
      const stored = await storedRoutingRules(this.data);
      if (!stored) return;
      this.version = stored.version;
      const rules: RoutingRule[] = Rules.parse(JSON.parse(stored.rules));
      const problems = ruleProblems(rules, this.aliases);
      if (problems.length > 0) {
        this.logger.warn(
          { version: stored.version, problems },
          "the stored routing rules do not fit the configuration: not used",
        );
        return;
      }
      this.routing.rules = new RouteRules(rules);
      this.logger.info({ rules: rules.length, version: stored.version }, "stored routing rules read");
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, "the stored routing rules could not be read");
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
