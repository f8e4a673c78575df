/** The secret part of an MCP server's settings (its env and headers), split off, sealed and opened. */
import type { Keyring } from "../secrets/cipher.js";
import { NoMasterKey } from "./keys.js";

export interface McpSecrets {
  env: Record<string, string>;
  headers: Record<string, string>;
}

/** Which secrets are set, by name: what the API answers (`{"set": true}`), never their values. */
export interface SecretNames {
  env: string[];
  headers: string[];
}

export const NO_SECRETS: McpSecrets = { env: {}, headers: {} };

export function namesOf(s: McpSecrets): SecretNames {
  return { env: Object.keys(s.env).sort(), headers: Object.keys(s.headers).sort() };
}

export function parseNames(column: string): SecretNames {
  const n = JSON.parse(column) as Partial<SecretNames>;
  return { env: n.env ?? [], headers: n.headers ?? [] };
}

const isEmpty = (s: McpSecrets) => Object.keys(s.env).length === 0 && Object.keys(s.headers).length === 0;

/** Sealed with the master key; none to seal: nulls (no master key is needed for a server without secrets). */
export function sealSecrets(
  keyring: Keyring | undefined,
  s: McpSecrets,
): { sealed: string | null; key_version: string | null } {
  if (isEmpty(s)) return { sealed: null, key_version: null };
  if (!keyring)
    throw new NoMasterKey(
      "MCP server credentials (env, headers) need secrets.master_key (LLMUX_MASTER_KEY) to be stored encrypted",
    );
  const out = keyring.seal(JSON.stringify(s));
  return { sealed: out.sealed, key_version: out.keyVersion };
}

export function openSecrets(
  keyring: Keyring | undefined,
  row: { sealed: string | null; key_version: string | null },
): McpSecrets {
  if (row.sealed === null || row.key_version === null) return { env: {}, headers: {} };
  if (!keyring) throw new NoMasterKey("stored MCP credentials need secrets.master_key to be opened");
  const s = JSON.parse(keyring.open({ sealed: row.sealed, keyVersion: row.key_version })) as Partial<McpSecrets>;
  return { env: s.env ?? {}, headers: s.headers ?? {} };
}

/** Values given in a change (a string sets, null removes), applied over the stored ones. */
export function applyChanges(
  stored: Record<string, string>,
  changes: Record<string, string | null> | undefined,
): Record<string, string> {
  const out = { ...stored };
  for (const [k, v] of Object.entries(changes ?? {})) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}
