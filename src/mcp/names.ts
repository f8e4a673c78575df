/** The separator of a namespaced name: `github__create_issue` is the tool `create_issue` of the server `github`. */
export const SEPARATOR = "__";

export function namespaced(server: string, name: string): string {
  return `${server}${SEPARATOR}${name}`;
}

/** The server and its own name, of a namespaced name (server names hold no `__`). */
export function split(name: string): { server: string; name: string } | undefined {
  const i = name.indexOf(SEPARATOR);
  if (i <= 0) return undefined;
  return { server: name.slice(0, i), name: name.slice(i + SEPARATOR.length) };
}
