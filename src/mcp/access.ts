import { matchesGlob } from "../text/glob.js";

/**
 * Who may see and call what: allow-lists (globs) of servers and of tools (namespaced names,
 * `github__create_*`), the key's and its team's; every list set must admit a server or tool.
 */
export interface McpAccess {
  readonly servers?: readonly (readonly string[])[] | undefined;
  readonly tools?: readonly (readonly string[])[] | undefined;
}

export function matchesAny(globs: readonly string[], name: string): boolean {
  return globs.some((g) => matchesGlob(g, name));
}

const every = (lists: readonly (readonly string[])[] | undefined, name: string) =>
  !lists || lists.every((l) => matchesAny(l, name));

export function serverAllowed(access: McpAccess | undefined, server: string): boolean {
  return every(access?.servers, server);
}

/** A tool (its namespaced name) on a server the caller may use. */
export function toolAllowed(access: McpAccess | undefined, server: string, namespaced: string): boolean {
  return serverAllowed(access, server) && every(access?.tools, namespaced);
}
