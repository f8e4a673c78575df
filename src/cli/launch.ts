/**
 * `llmux claude|codex|opencode|gemini|copilot [OPTIONS] [-- ARGS…]`: runs the coding tool through llmux, starting
 * llmux in the background first when none answers on the configured port.
 */

import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { allowListWarning, keyAllowLists } from "../launch/allow-check.js";
import { servesMcp } from "../launch/mcp.js";
import { checkKey, limitsFor } from "../launch/models.js";
import { findOnPath, runTool } from "../launch/run-tool.js";
import { ensureLlmux, stateDir } from "../launch/server.js";
import { OPEN_KEY, resolveTarget, type Target } from "../launch/target.js";
import {
  COPILOT_WIRES,
  type CopilotWire,
  OPENCODE_SDKS,
  type OpencodeSdk,
  type PrivateFile,
  type PrivateHome,
  type Setup,
  type SetupInput,
  type ToolName,
  type ToolSpec,
} from "../launch/tool-spec.js";
import { TOOLS } from "../launch/tools.js";
import { acceptsResponsesSocket } from "../launch/websocket-probe.js";
import { TAG_PATTERN } from "../text/tag.js";
import { type Command, type CommandInput, type OptionSpec, stringOption, UsageError } from "./command.js";
import { optFlag, optList, optPort, optString } from "./values.js";

/** Options every launcher (and `llmux env`) takes to find llmux. */
export const TARGET_OPTIONS: Record<string, OptionSpec> = {
  url: stringOption("URL", "An llmux already running elsewhere (it is never started then)."),
  key: stringOption(
    "KEY",
    "The key to present (default: $LLMUX_KEY, else the first of auth.keys, else a placeholder).",
  ),
  config: stringOption("FILE", "llmux's configuration (as for llmux start)."),
  port: stringOption("N", "llmux's port (default: server.port, or $PORT)."),
};

/** The model options of a tool. */
export function modelOptions(spec: ToolSpec): Record<string, OptionSpec> {
  const out: Record<string, OptionSpec> = {
    model: stringOption("NAME", `The llmux model name ${spec.title} asks for.`),
  };
  if (spec.smallModel) {
    out["small-model"] = stringOption("NAME", "The llmux model name for small background tasks (titles, summaries).");
  }
  if (spec.name === "opencode") {
    out.sdk = stringOption(
      "openai-compatible|anthropic|openai",
      "OpenCode's AI SDK provider: Chat Completions (default), Anthropic Messages or Responses.",
    );
  }
  if (spec.name === "copilot") {
    out.wire = stringOption(
      "completions|responses",
      "Copilot CLI's wire API: Chat Completions (default) or Responses.",
    );
  }
  return out;
}

export function targetOf(input: CommandInput): Target {
  return resolveTarget(
    {
      url: optString(input, "url"),
      key: optString(input, "key"),
      config: optString(input, "config"),
      port: optPort(input),
    },
    input.env,
  );
}

export function sdkOf(input: CommandInput): OpencodeSdk | undefined {
  const v = optString(input, "sdk");
  if (v === undefined) return undefined;
  if (!(v in OPENCODE_SDKS)) {
    throw new UsageError(`--sdk must be one of ${Object.keys(OPENCODE_SDKS).join(", ")}, got '${v}'`);
  }
  return v as OpencodeSdk;
}

export function wireOf(input: CommandInput): CopilotWire | undefined {
  const v = optString(input, "wire");
  if (v === undefined) return undefined;
  if (!(COPILOT_WIRES as readonly string[]).includes(v)) {
    throw new UsageError(`--wire must be one of ${COPILOT_WIRES.join(", ")}, got '${v}'`);
  }
  return v as CopilotWire;
}

/** The tool's executable: --bin, else its variable, else PATH. */
function findTool(spec: ToolSpec, input: CommandInput): { bin?: string; looked: string } {
  const given = optString(input, "bin") ?? (input.env[spec.binEnv] || undefined);
  if (given) return { bin: findOnPath(given, input.env), looked: given };
  return { bin: findOnPath(spec.bin, input.env), looked: `'${spec.bin}' on PATH` };
}

function notInstalled(spec: ToolSpec, looked: string): string {
  return [
    `llmux ${spec.name}: ${spec.title} is not installed (looked for ${looked}).`,
    `Install it with:  npm install -g ${spec.npm}`,
    `or name its executable: llmux ${spec.name} --bin PATH (or ${spec.binEnv}=PATH).`,
  ].join("\n");
}

/** `--tag project=checkout --tag cost-center=42` as the llmux-tags header the tool sends on every request. */
export function tagHeaders(input: CommandInput): Record<string, string> | undefined {
  const given = (optList(input, "tag") ?? []).flatMap((t) => t.split(",")).map((t) => t.trim());
  if (given.length === 0) return undefined;
  for (const t of given)
    if (!TAG_PATTERN.test(t))
      throw new UsageError(`--tag must be KEY=VALUE (letters, digits, _ . : / -), e.g. project=checkout; got '${t}'`);
  return { "llmux-tags": given.join(",") };
}

const say = (line: string) => process.stderr.write(`llmux: ${line}\n`);

/** The tool's environment: the user's, with the tool's settings for llmux, and without what would bypass it. */
export function toolEnv(base: NodeJS.ProcessEnv, env: Record<string, string>, unset: readonly string[]) {
  const out: NodeJS.ProcessEnv = { ...base, ...env };
  for (const name of unset) delete out[name];
  return out;
}

async function launch(spec: ToolSpec, input: CommandInput): Promise<number> {
  const { bin, looked } = findTool(spec, input);
  if (!bin) {
    process.stderr.write(`${notInstalled(spec, looked)}\n`);
    return 127;
  }
  const sdk = sdkOf(input);
  const target = targetOf(input);
  const running = await ensureLlmux(target, input.env);
  if (running.started) {
    const s = running.started;
    say(`started llmux in the background on ${target.url} (pid ${s.pid}; log ${s.log}; stop it with: kill ${s.pid})`);
  } else say(`using the llmux running on ${target.url}`);
  const checked = await checkKey(target.url, target.key);
  if (checked.ok === false) {
    if (target.key === OPEN_KEY) {
      // No auth.keys, yet closed: keys were minted (or sign-in is on), and each person presents their own.
      say(`llmux at ${target.url} requires a key: it answers only the keys minted for it (or people signed in)`);
      say("pass your own with --key lx-… or LLMUX_KEY (an admin mints one per person: llmux keys create --user NAME)");
      return 1;
    }
    say(`llmux refuses the key (${target.keySource}): ${checked.status} ${checked.message}`);
    say("pass one of llmux's keys with --key KEY or LLMUX_KEY (or mint one: llmux keys create)");
    return 1;
  }
  const listed = checked.ok === true ? checked.models : [];
  const setupInput: SetupInput = {
    url: target.url,
    key: target.key,
    model: optString(input, "model"),
    smallModel: optString(input, "small-model"),
    listed: listed.length > 0 ? listed : target.resolved?.mock ? ["llmux-mock"] : [],
    limits:
      checked.ok === true
        ? await limitsFor(target.url, target.key, checked.limits, [
            optString(input, "model"),
            optString(input, "small-model"),
          ])
        : undefined,
    sdk,
    wire: wireOf(input),
    env: input.env,
    websocket: spec.name === "codex" ? await acceptsResponsesSocket(target.url, target.key) : undefined,
    mcp: !optFlag(input, "no-mcp") && (await servesMcp(target.url, target.key)) ? `${target.url}/mcp` : undefined,
    headers: tagHeaders(input),
  };
  const setup = spec.setup(setupInput);
  say(`${spec.title} → ${target.url} (key: ${target.keySource})`);
  const warning = await allowListCheck(spec, setupInput, target);
  if (warning) say(warning);
  for (const n of setup.notes) say(n);
  const written = writePrivateFiles(setup, stateDir(input.env));
  if (setup.home) preparePrivateHome(setup.home, setup.env, stateDir(input.env));
  const cleanup = () => {
    for (const f of written) rmSync(f, { force: true });
  };
  return runTool(bin, [...setup.args, ...input.args], toolEnv(input.env, setup.env, setup.unset), cleanup);
}

/** The warning when the key's allow-lists exclude a name the tool will ask for (a minted key only). */
async function allowListCheck(spec: ToolSpec, input: SetupInput, target: { url: string; key: string }) {
  const names: string[] = [];
  const main = input.model ?? spec.defaultModels?.model;
  const small = spec.smallModel ? (input.smallModel ?? spec.defaultModels?.small) : undefined;
  if (main) names.push(main);
  if (small && small !== main) names.push(small);
  if (names.length === 0 || !target.key.startsWith("lx-")) return undefined;
  const lists = await keyAllowLists(target.url, target.key);
  const defaults = input.model === undefined && (!spec.smallModel || input.smallModel === undefined);
  return lists ? allowListWarning(spec.title, names, lists, defaults) : undefined;
}

/** Writes the run's private settings files (mode 0600, in llmux's state directory) and names them to the tool. */
function writePrivateFiles(setup: Setup, dir: string): string[] {
  const files: PrivateFile[] = setup.files ?? [];
  if (files.length === 0) return [];
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  for (const f of files) {
    const path = join(dir, `${f.name}-${process.pid}.json`);
    writeFileSync(path, f.content, { mode: 0o600 });
    written.push(path);
    if (f.flag) setup.args.unshift(f.flag, `${f.prefix ?? ""}${path}`);
    if (f.variable) setup.env[f.variable] = path;
  }
  return written;
}

/** Makes a tool's private home (kept between runs), writes its settings for this run and names it to the tool. */
function preparePrivateHome(home: PrivateHome, env: Record<string, string>, dir: string): void {
  const root = join(dir, home.name);
  for (const [rel, content] of Object.entries(home.files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true, mode: 0o700 });
    writeFileSync(join(root, rel), content, { mode: 0o600 });
  }
  for (const [rel, target] of Object.entries(home.links)) {
    const at = join(root, rel);
    if (!existsSync(target) || lstatSafe(at)) continue;
    mkdirSync(dirname(at), { recursive: true, mode: 0o700 });
    symlinkSync(target, at);
  }
  env[home.variable] = root;
}

function lstatSafe(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function launcher(name: ToolName): Command {
  const spec = TOOLS[name];
  return {
    name,
    summary: `Run ${spec.title} through llmux (started in the background when needed).`,
    description: [
      `Runs ${spec.title} (${spec.bin}) in this terminal with the settings of ${spec.docs}: llmux's address and a`,
      "key, given for this run only (environment variables and arguments; the tool's own configuration files are",
      "never written). When no llmux answers on the configured port, one is started in the background with your",
      "configuration; its log and pid go to $LLMUX_STATE_DIR, else $XDG_STATE_HOME/llmux, else ~/.llmux, and it",
      "keeps running for the next launch. Arguments after -- go to the tool; its exit status is llmux's.",
      `The executable is --bin, else $${spec.binEnv}, else '${spec.bin}' on PATH (npm install -g ${spec.npm}).`,
    ].join("\n"),
    options: {
      ...TARGET_OPTIONS,
      ...modelOptions(spec),
      bin: stringOption("PATH", `${spec.title}'s executable (default: '${spec.bin}' on PATH).`),
      tag: {
        type: "string",
        value: "KEY=VALUE",
        multiple: true,
        description:
          "Tag every request of the run (the llmux-tags header; repeat for more): spend by tag, tag budgets.",
      },
      "no-mcp": {
        type: "boolean",
        description: "Do not register llmux's MCP endpoint (/mcp) with the tool (it is when llmux serves MCP servers).",
      },
    },
    arguments: [
      {
        name: "args",
        description: `Arguments for ${spec.title} (after --).`,
        optional: true,
        variadic: true,
        passthrough: true,
      },
    ],
    examples: [
      spec.example,
      `llmux ${name} --url https://llm.example.com --key $LLMUX_KEY`,
      `llmux ${name} --tag project=checkout`,
    ],
    run: (input) => launch(spec, input),
  };
}

export const claudeCommand = launcher("claude");
export const codexCommand = launcher("codex");
export const opencodeCommand = launcher("opencode");
export const geminiCommand = launcher("gemini");
export const copilotCommand = launcher("copilot");
