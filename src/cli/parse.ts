/**
 * Parses one command's options and arguments with node:util's parseArgs in strict mode, and rewords its
 * errors for a person: the option named, a "did you mean", what value is expected.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { suggestion } from "../text/did-you-mean.js";
import { type Command, type CommandInput, type OptionSpec, UsageError } from "./command.js";

export const HELP_OPTION: OptionSpec = { type: "boolean", short: "h", description: "Show this help." };

/** A command's options with the `--help` every command takes. */
export function optionsOf(cmd: Command): Record<string, OptionSpec> {
  return { ...cmd.options, help: HELP_OPTION };
}

function optionLabel(name: string, spec: OptionSpec): string {
  return `--${name}${spec.type === "string" ? ` ${spec.value ?? "VALUE"}` : ""}`;
}

function reword(err: unknown, options: Record<string, OptionSpec>, path: string, passthrough = false): unknown {
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const token = /'(-[^']*)'/.exec(message)?.[1] ?? message;
    const known = token.startsWith("--")
      ? Object.keys(options).map((n) => `--${n}`)
      : Object.values(options).flatMap((o) => (o.short ? [`-${o.short}`] : []));
    if (passthrough) {
      // Most likely an option of the tool: llmux's own are long options, said by the help.
      const near = token.startsWith("--") ? suggestion(token, known) : "";
      return new UsageError(
        `unknown option '${token}'${near} (options for the tool go after --: llmux ${path} -- ${token} …)`,
        path,
      );
    }
    return new UsageError(`unknown option '${token}'${suggestion(token, known)}`, path);
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const name = /--([A-Za-z0-9][\w-]*)/.exec(message)?.[1];
    const spec = name === undefined ? undefined : options[name];
    if (name !== undefined && spec?.type === "string")
      return new UsageError(`--${name} needs a value: ${optionLabel(name, spec)}`, path);
    if (name !== undefined) return new UsageError(`--${name} takes no value`, path);
  }
  return err;
}

/**
 * `--NAME VALUE` as `--NAME=VALUE` for the options whose value may start with a dash (`--arg -y`), which
 * parseArgs would otherwise read as an option of its own. Nothing after `--` is touched.
 */
function dashValues(argv: readonly string[], options: Record<string, OptionSpec>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      out.push(...argv.slice(i));
      break;
    }
    const spec = a.startsWith("--") ? options[a.slice(2)] : undefined;
    const next = argv[i + 1];
    if (spec?.dashValue && spec.type === "string" && next?.startsWith("-") && next !== "--") {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** `-h` or `--help` before any `--`. */
export function asksForHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === "--") return false;
    if (a === "--help" || a === "-h") return true;
  }
  return false;
}

/** The values and arguments of `argv` for `cmd` (its path, e.g. `start`, names it in errors). */
export function parseCommandLine(cmd: Command, path: string, argv: readonly string[], env: NodeJS.ProcessEnv) {
  const options = optionsOf(cmd);
  const config: NonNullable<ParseArgsConfig["options"]> = {};
  for (const [name, o] of Object.entries(options)) {
    config[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: dashValues(argv, options), options: config, strict: true, allowPositionals: true });
  } catch (err) {
    throw reword(err, options, path, cmd.arguments?.some((a) => a.passthrough) === true);
  }
  const specs = cmd.arguments ?? [];
  const args = parsed.positionals;
  const variadic = specs[specs.length - 1]?.variadic === true;
  const required = specs.filter((a) => !a.optional).length;
  if (args.length > specs.length && !variadic) {
    const extra = args[specs.length]!;
    const hint = extra.startsWith("-") ? "" : suggestion(extra, cmd.subcommands?.map((c) => c.name) ?? []);
    throw new UsageError(`unexpected argument '${extra}'${hint}`, path);
  }
  if (args.length < required) {
    throw new UsageError(
      `missing ${specs[args.length]!.name.toUpperCase()} (${specs[args.length]!.description})`,
      path,
    );
  }
  const input: CommandInput = { values: parsed.values, args, env };
  return input;
}
