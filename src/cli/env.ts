/**
 * `llmux env TOOL [--shell sh|fish|powershell]`: the lines that point a tool at llmux, for a shell to
 * evaluate (`eval "$(llmux env claude)"`), for those who prefer to run the tool themselves.
 */
import { continueConfig, modelsOf } from "../launch/continue.js";
import { cursorKeyOf, cursorSettings } from "../launch/cursor.js";
import { checkKey, limitsFor } from "../launch/models.js";
import { commentLine, exportLine, SHELLS, type Shell, unsetLine, wrapperLine } from "../launch/shell.js";
import { TOOL_NAMES, type ToolName } from "../launch/tool-spec.js";
import { TOOLS } from "../launch/tools.js";
import { type Command, type CommandInput, stringOption, UsageError } from "./command.js";
import { sdkOf, TARGET_OPTIONS, targetOf, wireOf } from "./launch.js";
import { optString } from "./values.js";

const NAMES = [...TOOL_NAMES, "cursor", "continue"] as const;

/** The options only `llmux env continue` takes: the alias of each of Continue's roles but chat. */
const CONTINUE_ROLES = ["autocomplete", "embed", "rerank"] as const;

function shellOf(input: CommandInput): Shell {
  const v = optString(input, "shell") ?? "sh";
  if (!(SHELLS as readonly string[]).includes(v))
    throw new UsageError(`--shell must be one of ${SHELLS.join(", ")}, got '${v}'`);
  return v as Shell;
}

async function envLines(input: CommandInput): Promise<string[]> {
  const name = input.args[0]!;
  if (!(NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`unknown tool '${name}' (one of: ${NAMES.join(", ")})`);
  }
  const shell = shellOf(input);
  const target = targetOf(input);
  const checked = await checkKey(target.url, target.key, 2000);
  const listed = checked.ok === true ? checked.models : target.resolved?.mock ? ["llmux-mock"] : [];
  const head = [commentLine(`llmux at ${target.url}, key: ${target.keySource}`)];
  if (checked.ok === "unknown") head.push(commentLine(`llmux does not answer there yet (start it: llmux start)`));
  if (checked.ok === false) head.push(commentLine(`llmux refuses this key (${checked.status}): pass --key KEY`));
  if (name !== "continue")
    for (const role of CONTINUE_ROLES)
      if (optString(input, role) !== undefined) throw new UsageError(`--${role} is for continue only`);
  if (name === "continue") {
    // Each role's alias: as named, else the configuration's first alias of that kind (a local llmux).
    const found = modelsOf(target.resolved?.config, listed);
    const models = {
      chat: optString(input, "model") ?? found.chat,
      autocomplete: optString(input, "autocomplete") ?? found.autocomplete,
      embed: optString(input, "embed") ?? found.embed,
      rerank: optString(input, "rerank") ?? found.rerank,
    };
    return [...head, ...continueConfig(target.url, target.key, models)];
  }
  if (name === "cursor") {
    // A placeholder llmux refuses: it is closed (minted keys, sign-in), so each person pastes their own key.
    const s = cursorSettings(target.url, cursorKeyOf(target.key, checked.ok === false), listed);
    return [
      ...head,
      commentLine("Cursor reads no environment variables: in Settings → Models, set"),
      ...s.map(commentLine),
    ];
  }
  const spec = TOOLS[name as ToolName];
  if (optString(input, "small-model") !== undefined && !spec.smallModel) {
    throw new UsageError(`${spec.title} has no small-model setting: route its background model names in llmux instead`);
  }
  if (optString(input, "sdk") !== undefined && name !== "opencode") throw new UsageError("--sdk is for opencode only");
  if (optString(input, "wire") !== undefined && name !== "copilot") throw new UsageError("--wire is for copilot only");
  const setup = spec.setup({
    url: target.url,
    key: target.key,
    model: optString(input, "model"),
    smallModel: optString(input, "small-model"),
    listed,
    limits:
      checked.ok === true
        ? await limitsFor(target.url, target.key, checked.limits, [optString(input, "model")], 2000)
        : undefined,
    sdk: sdkOf(input),
    wire: wireOf(input),
    env: input.env,
  });
  const lines = [...head, ...setup.notes.map(commentLine)];
  for (const n of setup.unset) lines.push(unsetLine(shell, n));
  for (const [k, v] of Object.entries(setup.env)) lines.push(exportLine(shell, k, v));
  if (setup.args.length > 0) lines.push(wrapperLine(shell, spec.bin, setup.args));
  if (name === "claude") {
    lines.push(commentLine("an `env` block in ~/.claude/settings.json wins over these (llmux claude overrides it)"));
  }
  if (name === "gemini") {
    lines.push(commentLine("if ~/.gemini/settings.json chose Google sign-in, pick 'Use Gemini API key' once (/auth)"));
  }
  return lines;
}

export const envCommand: Command = {
  name: "env",
  summary:
    "Print the shell lines that point a tool at llmux (claude, codex, opencode, gemini, copilot, cursor), or Continue's config.yaml.",
  description: [
    "For running a tool yourself rather than through `llmux TOOL`: the same variables the launcher sets (and,",
    "for Codex, which is configured by arguments, a shell function that adds them). Evaluate them in your shell:",
    '  eval "$(llmux env claude)"        (bash, zsh, sh)',
    "  llmux env claude --shell fish | source",
    "  llmux env claude --shell powershell | Invoke-Expression",
    "llmux is not started; the key is chosen as for the launchers (--key, $LLMUX_KEY, auth.keys, a placeholder).",
    "`llmux env continue` prints Continue's config.yaml instead: chat, autocomplete, embed and rerank on llmux,",
    "each role on the configuration's first alias of its kind unless named (--model, --autocomplete, --embed,",
    "--rerank):  llmux env continue > ~/.continue/config.yaml",
  ].join("\n"),
  options: {
    ...TARGET_OPTIONS,
    model: stringOption("NAME", "The llmux model name the tool asks for."),
    "small-model": stringOption("NAME", "Claude Code, OpenCode: the model for small tasks."),
    sdk: stringOption("openai-compatible|anthropic|openai", "OpenCode's AI SDK provider (default openai-compatible)."),
    wire: stringOption("completions|responses", "Copilot CLI's wire API (default completions)."),
    shell: stringOption("sh|fish|powershell", "The shell's syntax (default sh)."),
    autocomplete: stringOption("NAME", "Continue: the autocomplete alias (kind: completion)."),
    embed: stringOption("NAME", "Continue: the embed alias (kind: embedding)."),
    rerank: stringOption("NAME", "Continue: the rerank alias (kind: rerank)."),
  },
  arguments: [{ name: "tool", description: `One of: ${NAMES.join(", ")}.` }],
  examples: [
    'eval "$(llmux env claude --model gpt-high)"',
    "llmux env codex --shell fish | source",
    "llmux env continue > ~/.continue/config.yaml",
  ],
  run: async (input) => {
    for (const line of await envLines(input)) process.stdout.write(`${line}\n`);
    return 0;
  },
};
