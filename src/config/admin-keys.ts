import type { z } from "zod";
import type { AdminSchema } from "./schema-team.js";

type AdminKeys = z.infer<typeof AdminSchema>["keys"];

/** One of `admin.keys`: a full admin's (no team), or a team admin's (bound to one team, by id or name). */
export interface AdminKey {
  key: string;
  team?: string | undefined;
  name?: string | undefined;
}

/** `admin.keys` as entries: a string is a full admin key. */
export function adminKeysOf(keys: AdminKeys): AdminKey[] {
  return keys.map((k) => (typeof k === "string" ? { key: k } : k));
}

/** Every admin key's secret, full admins' and team admins' (reserved: never a client key; redacted in logs). */
export function adminSecrets(keys: AdminKeys): string[] {
  return adminKeysOf(keys).map((k) => k.key);
}

/** The full admins' keys alone (what sees everything, e.g. /metrics). */
export function fullAdminSecrets(keys: AdminKeys): string[] {
  return adminKeysOf(keys)
    .filter((k) => k.team === undefined)
    .map((k) => k.key);
}
