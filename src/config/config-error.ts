/** A configuration that cannot be used; each problem, on its own line, names the path it is about. */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    readonly heading = "invalid configuration:",
  ) {
    super(`${heading}\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}
