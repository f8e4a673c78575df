import { createHash } from "node:crypto";
import type { SigninConfig, SigninPolicy } from "../config/schema-signin.js";

/** The policy that applies to a person: the first configured group they belong to, else the default. */
export function policyFor(
  cfg: Pick<SigninConfig, "groups" | "default">,
  groups: readonly string[],
): { group: string | undefined; policy: SigninPolicy } | undefined {
  const have = new Set(groups);
  for (const [group, policy] of Object.entries(cfg.groups)) if (have.has(group)) return { group, policy };
  return cfg.default ? { group: undefined, policy: cfg.default } : undefined;
}

/** JSON with keys sorted at every level and no whitespace. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** The checksum Claude Code computes over the settings it holds: `sha256:` + hex SHA-256 of the canonical JSON. */
export const settingsChecksum = (settings: unknown): string =>
  `sha256:${createHash("sha256").update(canonicalJson(settings)).digest("hex")}`;
