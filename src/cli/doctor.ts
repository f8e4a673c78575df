/** `llmux doctor`: probes every configured deployment with small real requests and says what works. */

import { resolveConfig } from "../config/resolve.js";
import { UnknownModel } from "../doctor/plan.js";
import { estimateNote, renderReport } from "../doctor/report.js";
import { prepareDoctor, runDoctor } from "../doctor/run.js";
import { type Command, stringOption, UsageError } from "./command.js";
import { kindProbe } from "./doctor-kinds.js";
import { renderServices, serviceChecks } from "./doctor-services.js";
import { optFlag, optList, optMs, optString } from "./values.js";

export interface DoctorIo {
  out(text: string): void;
  err(text: string): void;
  colour: boolean;
}

export interface DoctorArgs {
  config?: string | undefined;
  models?: string[] | undefined;
  quick: boolean;
  json: boolean;
  timeoutMs: number;
}

/** Runs the doctor and returns its exit status: 0 when nothing failed, 1 otherwise. */
export async function doctor(args: DoctorArgs, env: NodeJS.ProcessEnv, io: DoctorIo): Promise<number> {
  const { config, source } = resolveConfig({ config: args.config }, env);
  const opts = { models: args.models, quick: args.quick, timeoutMs: args.timeoutMs, kindProbe };
  let prepared: ReturnType<typeof prepareDoctor>;
  try {
    prepared = prepareDoctor(config, opts);
  } catch (err) {
    if (err instanceof UnknownModel) throw new UsageError(err.message);
    throw err;
  }
  // The gateway's own services first (store, Redis, MCP servers, sign-in): cheap, and often the cause.
  const services = await serviceChecks(config, args.timeoutMs);
  const servicesOk = services.every((c) => c.mark !== "✗");
  const count = prepared.plan.deployments.size + prepared.plan.kinds.length;
  if (count === 0) {
    if (args.json) io.out(JSON.stringify({ ok: false, services }, null, 2));
    else io.out(renderServices(services));
    io.err(
      `llmux doctor: nothing to probe in ${source}: no alias with a fixed upstream model (name one with --model NAME)`,
    );
    return 1;
  }
  io.err(`Configuration: ${source}`);
  if (!args.json) io.out(`${renderServices(services)}\n`);
  io.err(estimateNote(prepared.estimate, count, args.quick));
  const report = await runDoctor(config, prepared, opts);
  if (args.json) io.out(JSON.stringify({ ...report, ok: report.ok && servicesOk, services }, null, 2));
  else io.out(renderReport(report, { colour: io.colour }));
  return report.ok && servicesOk ? 0 : 1;
}

export const doctorCommand: Command = {
  name: "doctor",
  summary:
    "Probe every configured provider and alias with small real requests; say what works and how to fix what does not.",
  description: [
    "For each deployment behind your aliases: reachable (DNS, TLS, HTTP), key accepted, model or deployment",
    "present, API version accepted (Azure), streaming, a tool round trip, the reasoning efforts / verbosity /",
    "thinking forms it accepts (compared with llmux's capability table), images; and each alias's own",
    "settings, sent as llmux sends them; embedding, completion (autocomplete) and rerank aliases with one tiny",
    "call each, as their routes make it. Prompts are tiny and output limits small; what the run can cost at",
    "most is printed before it starts. --quick checks only the key and the model (one request each).",
    "First the gateway's own services: the store (connects, migrations current), Redis (answers; version,",
    "Sentinel or Cluster topology), each MCP server (starts and answers initialize) and sign-in (the identity",
    "provider's discovery and signing keys), each failure with how to fix it.",
    "Exit status 1 when a check failed. The configuration is found as for llmux start.",
  ].join("\n"),
  options: {
    config: { type: "string", short: "c", value: "FILE", description: "The configuration file (as for llmux start)." },
    model: {
      type: "string",
      short: "m",
      value: "ALIAS",
      multiple: true,
      description: "Only this model name (an alias, a name a pattern matches, or provider/model).",
    },
    quick: { type: "boolean", description: "Only reach, key and model: one request per deployment." },
    json: { type: "boolean", description: "The report as JSON." },
    timeout: stringOption("MS", "Per request, in milliseconds (default 60000)."),
  },
  examples: ["llmux doctor", "llmux doctor --quick", "llmux doctor --model gpt-high --model claude-sonnet --json"],
  run: (input) =>
    doctor(
      {
        config: optString(input, "config"),
        models: optList(input, "model"),
        quick: optFlag(input, "quick"),
        json: optFlag(input, "json"),
        timeoutMs: optMs(input, "timeout") ?? 60_000,
      },
      input.env,
      {
        out: (t) => process.stdout.write(`${t}\n`),
        err: (t) => process.stderr.write(`${t}\n`),
        colour: process.stdout.isTTY === true && !input.env.NO_COLOR,
      },
    ),
};
