import { createHmac } from "node:crypto";
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

  /**
   * The state of one caller (its Principal.owner). Its envelope secret is its own, derived from llmux's and
   * the owner: an envelope issued to one key does not open for another (replayed, it is dropped).
   */
  of(owner: string): State {
    const store = this.store;
    let own: Promise<string> | undefined;
    return {
      owner,
      secret: () => (own ??= this.secret().then((s) => ownerSecret(s, owner))),
      cache: this.cache,
      responses: () => store.responses,
    };
  }
}

/** The envelope secret of one owner: an HMAC of the owner with llmux's secret. */
export function ownerSecret(secret: string, owner: string): string {
  return createHmac("sha256", secret).update(`llmux-envelope-owner\n${owner}`).digest("base64url");
}
