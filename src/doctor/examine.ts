/**
 * Examines one deployment (a provider and an upstream model): the plainest request first (reach, key,
 * model, API version), then — unless that failed or the run is --quick — reasoning settings, streaming, a
 * tool round trip and an image.
 */

import { costOf } from "../billing/cost.js";
import type { PriceTable } from "../billing/prices.js";
import type { Effort, Request } from "../ir/types.js";
import type { Provider } from "../providers/types.js";
import type { RequestOptions } from "../translate/codecs.js";
import type { UpstreamPool } from "../upstream/call.js";
import { classifyBasic, type DeploymentContext, upstreamWords } from "./classify.js";
import { type Outcome, probe } from "./probe.js";
import { reasoningDialect, sweepReasoning } from "./reasoning.js";
import { basicRequest, imageRequest, TOOL_NAME, toolRequest, toolResultRequest } from "./requests.js";
import type { CheckName, CheckResult, DeploymentReport, Usage } from "./types.js";

export interface ExamineInput {
  pool: UpstreamPool;
  provider: Provider;
  context: DeploymentContext;
  prices: PriceTable;
  quick: boolean;
}

/** Sends requests for one deployment and adds up what they used. */
export class Caller {
  readonly used: Usage = { requests: 0, input: 0, output: 0, nanos: 0 };
  constructor(private readonly input: ExamineInput) {}

  async call(request: Request, options?: RequestOptions): Promise<Outcome> {
    const { pool, provider, context } = this.input;
    this.used.requests++;
    const o = await probe({ pool, provider, model: context.model, request, options, timeoutMs: context.timeoutMs });
    const usage = o.ok ? o.response.usage : undefined;
    if (usage) {
      this.used.input += usage.inputTokens;
      this.used.output += usage.outputTokens;
      this.used.nanos += costOf(usage, this.input.prices.find(context.model)).nanos;
    }
    return o;
  }
}

const na = (summary: string): CheckResult => ({ mark: "na", summary });

function streamCheck(o: Outcome): CheckResult {
  if (o.ok)
    return o.streamed
      ? { mark: "ok", summary: "streamed" }
      : { mark: "warn", summary: "asked to stream, the upstream answered one body" };
  return {
    mark: "fail",
    summary: "the streamed answer failed",
    upstream: upstreamWords(o),
    fix: "a proxy between llmux and the provider may buffer or cut event streams; OpenAI-compatible servers whose streams deviate need normalize_stream: true",
  };
}

/** No summaries for the probes that are not about them (some organisations may not have them). */
const PLAIN: RequestOptions = { defaultSummary: null };

const TOOLLESS_FIX =
  "this model cannot call tools, which coding tools need: route the aliases of this deployment to a model that can";

async function toolsCheck(caller: Caller, effort: Effort | undefined): Promise<CheckResult> {
  const first = toolRequest(effort);
  const o = await caller.call(first, PLAIN);
  if (!o.ok) {
    const status = o.status ?? o.error.status;
    return status >= 400 && status < 500
      ? { mark: "fail", summary: "a request with a tool is refused", upstream: upstreamWords(o), fix: TOOLLESS_FIX }
      : {
          mark: "fail",
          summary: "the request with a tool failed",
          upstream: upstreamWords(o),
          fix: "see the upstream's message",
        };
  }
  const call = o.response.content.find((p) => p.type === "tool_call");
  if (call?.type !== "tool_call") {
    const said = o.response.content
      .flatMap((p) => (p.type === "text" ? [p.text] : []))
      .join(" ")
      .trim();
    return {
      mark: "fail",
      summary: "the model answered without calling the tool",
      upstream: said ? `it said: ${said.slice(0, 200)}` : `stop reason ${o.response.stopReason}`,
      fix: TOOLLESS_FIX,
    };
  }
  if (call.name !== TOOL_NAME) {
    return { mark: "fail", summary: `the model called '${call.name}', not ${TOOL_NAME}`, fix: TOOLLESS_FIX };
  }
  const second = await caller.call(toolResultRequest(first, o.response.content, call.id), PLAIN);
  if (!second.ok) {
    return {
      mark: "fail",
      summary: "the tool's result was refused",
      upstream: upstreamWords(second),
      fix: "the call and its result (with the model's reasoning) did not go back as the upstream requires",
    };
  }
  return { mark: "ok", summary: "called the tool and answered with its result" };
}

function imagesCheck(o: Outcome): CheckResult {
  if (o.ok) return { mark: "ok", summary: "an image was accepted" };
  const status = o.status ?? o.error.status;
  if (status >= 400 && status < 500)
    return { mark: "na", summary: "the model takes no images", upstream: upstreamWords(o) };
  return {
    mark: "fail",
    summary: "the request with an image failed",
    upstream: upstreamWords(o),
    fix: "see the upstream's message",
  };
}

export async function examine(input: ExamineInput): Promise<DeploymentReport> {
  const { provider, context } = input;
  const caller = new Caller(input);
  const report = (checks: Record<CheckName, CheckResult>, extra: Partial<DeploymentReport> = {}): DeploymentReport => ({
    id: `${provider.name}/${context.model}`,
    provider: provider.name,
    providerType: context.config.type,
    model: context.model,
    checks,
    used: caller.used,
    ...extra,
  });
  const basic = classifyBasic(await caller.call(basicRequest()), context);
  const failed = Object.values(basic).some((c) => c.mark === "fail" || c.mark === "warn");
  if (failed || input.quick) {
    const why = input.quick ? "not probed (--quick)" : "not probed (see above)";
    return report({ ...basic, stream: na(why), tools: na(why), reasoning: na(why), images: na(why) });
  }
  const sweep = await sweepReasoning(
    (r, o) => caller.call(r, o),
    reasoningDialect(provider.dialect),
    context.config,
    context.model,
  );
  const streamed = basicRequest(true);
  const effort = sweep.cheapEffort;
  const stream = streamCheck(await caller.call(effort ? { ...streamed, reasoning: { effort } } : streamed, PLAIN));
  const tools = await toolsCheck(caller, effort);
  const images = imagesCheck(await caller.call(imageRequest(effort), PLAIN));
  return report({ ...basic, stream, tools, reasoning: sweep.check, images }, { reasoning: sweep.findings });
}
