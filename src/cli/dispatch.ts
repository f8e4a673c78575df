/**
 * From argv to a command: `llmux [COMMAND [SUBCOMMAND…]] [OPTIONS] [ARGUMENTS]`, `llmux help [COMMAND…]`,
 * `--help`/`-h` on any command, `--version`/`-v`. Mistakes are usage errors (exit status 2) that name what was
 * wrong and point at the help.
 */
import { suggestion } from "../text/did-you-mean.js";
import { type Command, type CommandResult, UsageError } from "./command.js";
import { commandHelp, DEFAULT_COMMAND, generalHelp } from "./help.js";
import { asksForHelp, parseCommandLine } from "./parse.js";

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

interface Found {
  cmd: Command;
  /** `start`, `keys create`. */
  path: string;
  rest: string[];
}

function lookup(commands: readonly Command[], name: string, within: string | undefined): Command {
  const cmd = commands.find((c) => c.name === name);
  if (cmd) return cmd;
  const names = commands.map((c) => c.name);
  if (within === undefined) names.push("help");
  const what = within === undefined ? "command" : `${within} command`;
  throw new UsageError(`unknown ${what} '${name}'${suggestion(name, names)}`, within);
}

/** The command `argv` names (walking into subcommands) and the arguments left for it. */
function find(commands: readonly Command[], argv: readonly string[]): Found {
  const first = argv[0];
  if (first === undefined || first.startsWith("-")) {
    return { cmd: lookup(commands, DEFAULT_COMMAND, undefined), path: DEFAULT_COMMAND, rest: [...argv] };
  }
  let cmd = lookup(commands, first, undefined);
  let path = cmd.name;
  let i = 1;
  while (cmd.subcommands?.length) {
    const next = argv[i];
    if (next === undefined || next.startsWith("-")) break;
    cmd = lookup(cmd.subcommands, next, path);
    path = `${path} ${cmd.name}`;
    i++;
  }
  return { cmd, path, rest: argv.slice(i) };
}

/** Runs the command line; returns the exit status, or the running service of a long-lived command. */
export async function dispatch(
  argv: readonly string[],
  commands: readonly Command[],
  env: NodeJS.ProcessEnv,
  io: Io,
  version: string,
): Promise<CommandResult> {
  try {
    const first = argv[0];
    if (first === "--version" || first === "-v") {
      if (argv.length > 1) throw new UsageError(`unexpected argument '${argv[1]}' after ${first}`);
      io.out(version);
      return 0;
    }
    // A misspelt --version or --help at the front is not an option of the default command: say which was meant.
    if (first?.startsWith("--") && !first.includes("=")) {
      const start = lookup(commands, DEFAULT_COMMAND, undefined);
      const known = Object.keys(start.options ?? {}).map((o) => `--${o}`);
      const near = suggestion(first, ["--version", "--help"]);
      if (!known.includes(first) && near && !suggestion(first, known))
        throw new UsageError(`unknown option '${first}'${near}`);
    }
    if (first === "--help" || first === "-h" || (first === "help" && argv.length === 1)) {
      io.out(generalHelp(commands, version));
      return 0;
    }
    if (first === "help") {
      const { cmd, path, rest } = find(commands, argv.slice(1));
      if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}' after 'help ${path}'`);
      io.out(commandHelp(cmd, path));
      return 0;
    }
    const { cmd, path, rest } = find(commands, argv);
    if (asksForHelp(rest)) {
      io.out(commandHelp(cmd, path));
      return 0;
    }
    if (!cmd.run) {
      const names = (cmd.subcommands ?? []).map((c) => c.name).join(", ");
      const extra = rest.find((a) => !a.startsWith("-"));
      throw new UsageError(extra ? `unknown ${path} command '${extra}'` : `missing command (one of: ${names})`, path);
    }
    const input = parseCommandLine(cmd, path, rest, env);
    try {
      return await cmd.run(input);
    } catch (err) {
      // A value a command found wrong (a port that is not a number) is about that command.
      if (err instanceof UsageError && err.command === undefined) throw new UsageError(err.message, path);
      throw err;
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const help = err.command ? `llmux help ${err.command}` : "llmux help";
    io.err(`llmux${err.command ? ` ${err.command}` : ""}: ${err.message}\nRun '${help}' for usage.`);
    return 2;
  }
}
