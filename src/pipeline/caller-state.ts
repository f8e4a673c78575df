import { createHmac } from "node:crypto";
import type { ReasoningCache } from "../reasoning/cache.js";
import type { State } from "../request/plan.js";
import type { Store } from "../store/types.js";

/** The store as the request stages see it: one caller's view, the envelope secret read once. */
export class StateAccess {
  private secretValue: Promise<string> | undefined;
  private readonly owners = new OwnerSecrets();

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
      secret: () => (own ??= this.secret().then((s) => this.owners.of(s, owner))),
      cache: this.cache,
      responses: () => store.responses,
    };
  }
}

/** The envelope secret of one owner: an HMAC of the owner with llmux's secret. */
export function ownerSecret(secret: string, owner: string): string {
  return createHmac("sha256", secret).update(`llmux-envelope-owner\n${owner}`).digest("base64url");
}

/** How many owners' envelope secrets are kept derived (a pass-through gateway has as many owners as keys). */
export const OWNERS_KEPT = 4096;

/**
 * Owners' envelope secrets, each derived once (an HMAC for each translated request was about 0.6 % of its
 * profile's samples). At most OWNERS_KEPT are kept (all are forgotten when one more comes), and only while
 * llmux's secret stays the one they were derived from.
 */
export class OwnerSecrets {
  private readonly kept = new Map<string, string>();
  private from: string | undefined;

  of(secret: string, owner: string): string {
    if (secret !== this.from) {
      this.kept.clear();
      this.from = secret;
    }
    let derived = this.kept.get(owner);
    if (derived === undefined) {
      derived = ownerSecret(secret, owner);
      if (this.kept.size >= OWNERS_KEPT) this.kept.clear();
      this.kept.set(owner, derived);
    }
    return derived;
  }

  /** How many are kept. */
  get size(): number {
    return this.kept.size;
  }
}
