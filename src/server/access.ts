/**
 * Who may call llmux's model routes, in one word, for the lines that say it (the start line, the warning of
 * an address beyond loopback, `llmux cursor`): the same order the identify stage asks its resolvers in.
 * A gateway without `auth.keys` is still closed once a key is minted or sign-in is on.
 */
import type { Config } from "../config/schema.js";
import type { TeamParts } from "./team-parts.js";

export type Access =
  /** `auth.keys`: the configured service keys (and minted keys, when there are any). */
  | "keys"
  /** Pass-through: every caller brings its own provider key. */
  | "passthrough"
  /** `signin:`: people signed in from Claude Code, and minted keys; anyone else is refused. */
  | "signin"
  /** Keys minted (`llmux keys create`): their holders only. */
  | "minted"
  /** No key asked: anyone who reaches llmux may call it. */
  | "open";

/** Who may call llmux with this configuration and this store (asks the store whether a key was minted). */
export async function accessOf(config: Config, team: Pick<TeamParts, "directory"> | undefined): Promise<Access> {
  const auth = config.auth;
  if (auth.passthrough || (auth.passthrough_providers?.length ?? 0) > 0) return "passthrough";
  if (auth.keys.length > 0) return "keys";
  if (config.signin && team) return "signin";
  if (team && (await team.directory.anyMinted())) return "minted";
  return "open";
}

/** Whether callers must present a key llmux knows (or their own provider key). */
export const isClosed = (access: Access): boolean => access !== "open";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/** The line `llmux start` logs about who may call it, and whether it is a warning. */
export function accessLine(access: Access, host: string): { warn: boolean; text: string } {
  switch (access) {
    case "keys":
      return { warn: false, text: "access: callers present one of auth.keys or a minted key (lx-…)" };
    case "passthrough":
      return { warn: false, text: "access: pass-through, each caller presents its own provider key" };
    case "signin":
      return {
        warn: false,
        text: "access: people signed in from Claude Code (signin:) and minted keys (lx-…); anyone else is refused",
      };
    case "minted":
      return {
        warn: false,
        text: "access: minted keys only (lx-…, llmux keys create: one per person); anyone else is refused",
      };
    case "open":
      if (!LOOPBACK.has(host))
        return {
          warn: true,
          text: `NO AUTH: llmux is bound to ${host} and accepts requests from anyone who can reach it, spending your provider credits. Mint one key per person (llmux keys create --user NAME): from the first key on, only their holders may call. Or set auth.keys (or SERVICE_API_KEY).`,
        };
      return {
        warn: false,
        text: "no service keys configured and no key minted: any local client may call llmux (mint keys with llmux keys create, or set auth.keys, to require one)",
      };
  }
}
