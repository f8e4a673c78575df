import type { ReasoningCache } from "../reasoning/cache.js";
import type { State } from "../request/plan.js";
import type { Store } from "../store/types.js";

/** The store as the request stages see it: one caller's view, the envelope secret read once. */
export class StateAccess {
  private secretValue: Promise<string> | undefined;

  constructor(
    private readonly store: Store,
    readonly cache: ReasoningCache,
    private readonly configuredSecret: string | undefined,
  ) {}

  /** The key that seals reasoning envelopes: the configured one, else the store's (read on first use). */
  secret(): Promise<string> {
    if (this.configuredSecret) return Promise.resolve(this.configuredSecret);
    this.secretValue ??= this.store.secret().catch((err: unknown) => {
      this.secretValue = undefined;
      throw err;
    });
    return this.secretValue;
  }

  /** The state of one caller (its Principal.owner). */
  of(owner: string): State {
    const store = this.store;
    return {
      owner,
      secret: () => this.secret(),
      cache: this.cache,
      responses: () => store.responses,
    };
  }
}
