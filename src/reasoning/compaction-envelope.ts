import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * A compaction summary llmux made, carried in the `encrypted_content` of the one `compaction` item it
 * answers: `llmuxc1.<base64url(iv | ciphertext | tag)>`, AES-256-GCM with a key derived from llmux's
 * envelope secret (the one reasoning envelopes use), and the caller's owner as associated data. The client
 * cannot read it; another key's caller, a forged or an altered item does not open.
 */
export const COMPACTION_PREFIX = "llmuxc1.";

function keyOf(secret: string): Buffer {
  return createHash("sha256").update(`llmux compaction envelope\0${secret}`).digest();
}

export function isCompactionEnvelope(v: unknown): v is string {
  return typeof v === "string" && v.startsWith(COMPACTION_PREFIX);
}

export function sealSummary(summary: string, owner: string, secret: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", keyOf(secret), iv);
  c.setAAD(Buffer.from(owner));
  const ct = Buffer.concat([c.update(summary, "utf8"), c.final()]);
  return `${COMPACTION_PREFIX}${Buffer.concat([iv, ct, c.getAuthTag()]).toString("base64url")}`;
}

/** The summary, or undefined when the envelope is not this owner's (or was altered, or forged). */
export function openSummary(envelope: string, owner: string, secret: string): string | undefined {
  const raw = Buffer.from(envelope.slice(COMPACTION_PREFIX.length), "base64url");
  if (raw.length < 29) return undefined;
  try {
    const d = createDecipheriv("aes-256-gcm", keyOf(secret), raw.subarray(0, 12));
    d.setAAD(Buffer.from(owner));
    d.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
