/**
 * What a CLI command is: its name, its help text, the options and arguments it takes, and what it runs. Each
 * command declares this in its own file and is listed once in `commands.ts`; `main.ts` only dispatches.
 */

export interface OptionSpec {
  type: "string" | "boolean";
  /** One-letter alias, without the dash. */
  short?: string;
  /** How the value is shown in help: FILE, N, MS… (string options). */
  value?: string;
  description: string;
  /** May be given more than once (the values are collected in order). */
  multiple?: boolean;
  /**
   * The value may start with a dash (`--arg -y`: a program's own option): the word after the option is its
   * value, whatever it looks like (string options only).
   */
  dashValue?: boolean;
}

export interface ArgumentSpec {
  name: string;
  description: string;
  /** Default: required. */
  optional?: boolean;
  /** Takes every remaining argument (last argument only). */
  variadic?: boolean;
  /**
   * Arguments for another program (a launched tool): an unknown option before `--` is reported with a pointer
   * to `--`, after which everything is passed on as written.
   */
  passthrough?: boolean;
}

/** The parsed command line of one command. */
export interface CommandInput {
  values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
}

/** A command that keeps running (a server) until it is closed; the CLI closes it on SIGINT and SIGTERM. */
export interface Running {
  close(): Promise<void>;
  /** A graceful stop (the first SIGINT or SIGTERM): open work may finish first. Default: close. */
  shutdown?(): Promise<void>;
}

/** An exit status (0 when nothing is returned), or a running service. */
export type CommandResult = number | undefined | Running;

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Paragraphs for `llmux help NAME` (after the usage line). */
  description?: string;
  options?: Readonly<Record<string, OptionSpec>>;
  arguments?: readonly ArgumentSpec[];
  /** A command made of subcommands (`llmux keys create …`) has no `run` of its own. */
  subcommands?: readonly Command[];
  examples?: readonly string[];
  run?(input: CommandInput): Promise<CommandResult> | CommandResult;
}

/** A mistake on the command line: reported with a pointer to the help, exit status 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command path the help pointer names (`start`, `keys create`), if any. */
    readonly command?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** A string option: how its value is shown in help (FILE, N, USD/PERIOD…) and what it does. */
export const stringOption = (value: string, description: string): OptionSpec => ({
  type: "string",
  value,
  description,
});
