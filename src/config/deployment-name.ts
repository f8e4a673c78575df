/**
 * Why a name cannot be an Azure deployment: it is a path segment of the upstream URL (percent-encoded), and
 * `.` or `..` would still be read as "this" or "the parent" directory, calling another endpoint.
 */
export function deploymentProblem(name: string): string | undefined {
  if (name === "" || name === "." || name === "..")
    return `'${name}' cannot be an Azure deployment name (it would change the upstream path)`;
  return undefined;
}

/** Why a model name cannot be a path segment of an upstream URL (Bedrock's `/model/{id}/…`): `.` and `..`. */
export function pathSegmentProblem(name: string, what: string): string | undefined {
  if (name === "" || name === "." || name === "..")
    return `'${name}' cannot be ${what} (it would change the upstream path)`;
  return undefined;
}
