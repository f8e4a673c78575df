import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Upstream credentials at rest: AES-256-GCM with a random 96-bit nonce under a master key that lives in the
 * environment (`secrets.master_key`), never in the database. Each sealed value records which master key
 * sealed it (a short fingerprint, not the key), so the master key can be rotated: the new key seals, the
 * previous ones still open until `llmux secrets rotate` re-seals everything under the new one.
 */

export interface Sealed {
  sealed: string;
  keyVersion: string;
}

/** A master key's 256-bit AES key (SHA-256 of the configured value) and its public fingerprint. */
class MasterKey {
  readonly key: Buffer;
  readonly version: string;
  constructor(secret: string) {
    this.key = createHash("sha256").update(`llmux master key\0${secret}`).digest();
    this.version = `k${createHash("sha256").update(this.key).update("version").digest("hex").slice(0, 10)}`;
  }
}

export class MissingMasterKey extends Error {}

export class Keyring {
  private readonly current: MasterKey;
  private readonly byVersion = new Map<string, MasterKey>();

  constructor(master: string, previous: readonly string[] = []) {
    this.current = new MasterKey(master);
    for (const k of [this.current, ...previous.map((p) => new MasterKey(p))]) this.byVersion.set(k.version, k);
  }

  get version(): string {
    return this.current.version;
  }

  seal(plaintext: string): Sealed {
    const nonce = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", this.current.key, nonce);
    const body = Buffer.concat([c.update(plaintext, "utf8"), c.final()]);
    return { sealed: Buffer.concat([nonce, body, c.getAuthTag()]).toString("base64url"), keyVersion: this.version };
  }

  open(s: Sealed): string {
    const k = this.byVersion.get(s.keyVersion);
    if (!k)
      throw new MissingMasterKey(
        `a stored credential was sealed with master key ${s.keyVersion}, which is neither secrets.master_key nor one of secrets.previous_master_keys`,
      );
    const raw = Buffer.from(s.sealed, "base64url");
    const d = createDecipheriv("aes-256-gcm", k.key, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString("utf8");
  }
}

export function keyringOf(secrets: { master_key?: string | undefined; previous_master_keys?: string[] | undefined }) {
  return secrets.master_key ? new Keyring(secrets.master_key, secrets.previous_master_keys ?? []) : undefined;
}

/** A sealed setting in the configuration: `sealed:<master key version>:<sealed>` (`llmux secrets seal`). */
export const SEALED_PREFIX = "sealed:";

/** A setting opened when it is sealed (as is otherwise); undefined when it cannot be opened. */
export function openSealedSetting(value: string | undefined, keyring: Keyring | undefined): string | undefined {
  if (!value?.startsWith(SEALED_PREFIX)) return value;
  const [, keyVersion, sealed] = value.split(":");
  if (!keyring || !keyVersion || !sealed) return undefined;
  try {
    return keyring.open({ sealed, keyVersion });
  } catch {
    return undefined;
  }
}
