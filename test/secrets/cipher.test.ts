/** Sealing upstream credentials: AES-256-GCM, random nonces, key versions, tamper detection. */
import { createDecipheriv, createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Keyring, MissingMasterKey } from "../../src/secrets/cipher.js";

describe("the credential keyring", () => {
  it("seals with a fresh nonce each time and opens under the same or a previous master key", () => {
    const old = new Keyring("old-master-key-0123456789");
    const a = old.seal("sk-secret");
    const b = old.seal("sk-secret");
    expect(a.sealed).not.toBe(b.sealed);
    expect(a.sealed).not.toContain("sk-secret");
    expect(old.open(a)).toBe("sk-secret");
    const rotated = new Keyring("new-master-key-0123456789", ["old-master-key-0123456789"]);
    expect(rotated.version).not.toBe(old.version);
    expect(rotated.open(a)).toBe("sk-secret");
    expect(() => new Keyring("new-master-key-0123456789").open(a)).toThrow(MissingMasterKey);
  });

  it("is plain AES-256-GCM (nonce ‖ ciphertext ‖ tag) under SHA-256 of the master key, and refuses tampering", () => {
    const ring = new Keyring("master-key-0123456789abcdef");
    const s = ring.seal("hello");
    const raw = Buffer.from(s.sealed, "base64url");
    const key = createHash("sha256").update("llmux master key\0master-key-0123456789abcdef").digest();
    const d = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(raw.length - 16));
    expect(Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString()).toBe("hello");
    raw[14]! ^= 1;
    expect(() => ring.open({ sealed: raw.toString("base64url"), keyVersion: s.keyVersion })).toThrow();
  });
});
