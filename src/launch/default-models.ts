/**
 * The model names each coding tool asks for when it is given none: what a launcher checks against a key's
 * allow-list before the tool starts. One table, read from the tool at the version named here (the newest the
 * tests run); test/clients/default-models.test.ts runs that version and fails when the names or the version
 * drift, so a new release of a tool means a new row here.
 */
export interface DefaultModels {
  /** The tool's version the names were read from. */
  readonly version: string;
  /** Its main model when none is given. */
  readonly model: string;
  /** Its small, fast model (background tasks) when none is given. */
  readonly small?: string;
}

export const DEFAULT_MODELS = {
  /**
   * Claude Code: its default model, and its small fast model (ANTHROPIC_SMALL_FAST_MODEL's default, the
   * model its `haiku` alias names).
   */
  claude: { version: "2.1.330", model: "claude-opus-5-5", small: "claude-haiku-5-5" },
} as const satisfies Record<string, DefaultModels>;
