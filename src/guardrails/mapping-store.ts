import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import type { HotState } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";

/** The most placeholders of one caller read back for a conversation that does not resend its history. */
const MAX_READ = 2_000;

function keyOf(callerSecret: string): Buffer {
  return createHash("sha256").update("llmux-guardrails-mapping\0").update(callerSecret).digest();
}

export function sealValue(value: string, callerSecret: string): string {
  const nonce = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", keyOf(callerSecret), nonce);
  const body = Buffer.concat([c.update(value, "utf8"), c.final()]);
  return Buffer.concat([nonce, body, c.getAuthTag()]).toString("base64url");
}

/** The value sealed for this caller, or undefined (another caller's, or damaged). */
export function openValue(sealed: string, callerSecret: string): string | undefined {
  try {
    const raw = Buffer.from(sealed, "base64url");
    const d = createDecipheriv("aes-256-gcm", keyOf(callerSecret), raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}

/**
 * The masked values of a caller, kept for the conversations whose history llmux (not the client) resends (a
 * Responses `previous_response_id`): sealed with the caller's own secret, under the caller's own keys, for
 * `guardrails.mapping_ttl_hours`. Another key reads nothing of them, and could not open them if it did.
 */
export class MappingStore {
  constructor(
    private readonly hot: HotState,
    private readonly ttlMs: number,
  ) {}

  async save(owner: string, callerSecret: string, mapping: ReadonlyMap<string, string>): Promise<void> {
    await Promise.all(
      [...mapping].map(async ([placeholder, value]) => {
        await this.hot.set(hotKeys.guardMask(owner, placeholder), sealValue(value, callerSecret), this.ttlMs);
        await this.hot.addMember(hotKeys.guardMasks(owner), placeholder, this.ttlMs);
      }),
    );
  }

  async load(owner: string, callerSecret: string): Promise<Map<string, string>> {
    const placeholders = (await this.hot.members(hotKeys.guardMasks(owner))).slice(0, MAX_READ);
    const sealed = await this.hot.getMany(placeholders.map((p) => hotKeys.guardMask(owner, p)));
    const out = new Map<string, string>();
    placeholders.forEach((p, i) => {
      const v = sealed[i] !== undefined ? openValue(sealed[i]!, callerSecret) : undefined;
      if (v !== undefined) out.set(p, v);
    });
    return out;
  }
}
