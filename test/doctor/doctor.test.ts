/**
 * `llmux doctor` against scripted mock upstreams that answer as the providers do: it must tell a wrong key,
 * a missing deployment, an API version, refused effort levels and a model without tools apart, with the
 * upstream's own words and a fix, probe with small requests only, and fail (exit 1) when something failed.
 * The `llmux doctor` command itself: doctor-command.test.ts.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { doctor } from "../../src/cli/doctor.js";
import { networkStage } from "../../src/doctor/probe.js";
import type { Report } from "../../src/doctor/types.js";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import {
  ANTHROPIC_BAD_KEY,
  AZURE_BAD_VERSION,
  AZURE_NO_DEPLOYMENT,
  OLLAMA_NO_TOOLS,
  rules,
  unsupported,
  WRONG_KEY,
} from "./upstream-rules.js";

let mock: MockServer;
const dir = mkdtempSync(join(tmpdir(), "llmux-doctor-"));

/** Prices of the test's models, so the money figures do not follow the shipped table. */
const PRICES = {
  "claude-sonnet-4-5": { input: 3, output: 15 },
  "gpt-5-codex": { input: 1.25, output: 10 },
  "codex-prod": { input: 1.25, output: 10 },
  "gpt5-typo": { input: 1.25, output: 10 },
  "gemma-2b": { input: 0, output: 0 },
  "gpt-4.1": { input: 2, output: 8 },
};

function configFile(name: string, models: Record<string, unknown>): string {
  const url = mock.url;
  const config = {
    store: { path: join(dir, "llmux.db") },
    providers: {
      claude: { type: "anthropic", base_url: url, api_key: "sk-ant-good" },
      "claude-other-account": { type: "anthropic", base_url: url, api_key: WRONG_KEY },
      azure: { type: "azure", base_url: url, api_key: "az-key", api: "responses" },
      "azure-dated": { type: "azure", base_url: url, api_key: "az-key", api: "responses", api_version: "2099-01-01" },
      ollama: { type: "openai-compatible", base_url: `${url}/compat/v1` },
      offline: { type: "openai", base_url: "http://127.0.0.1:1/v1", api_key: "sk-x", api: "chat" },
      spare: { type: "openai", base_url: `${url}/v1`, api_key: "sk-x" },
    },
    models,
    prices: PRICES,
  };
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

const ALL = {
  sonnet: { provider: "claude", model: "claude-sonnet-4-5" },
  "sonnet-wrong-key": { provider: "claude-other-account", model: "claude-sonnet-4-5" },
  codex: { provider: "azure", model: "gpt-5-codex" },
  "codex-minimal": { provider: "azure", model: "codex-prod", reasoning: { effort: "minimal" } },
  "codex-typo": { provider: "azure", model: "gpt5-typo" },
  "codex-old-api": { provider: "azure-dated", model: "gpt-5-codex" },
  gemma: { provider: "ollama", model: "gemma-2b" },
  offline: { provider: "offline", model: "gpt-4.1" },
  "claude-*": { provider: "claude" },
};

interface Captured {
  code: number;
  /** The report (without the services block the text output starts with: doctor-services.test.ts's). */
  out: string;
  services: string | undefined;
  err: string;
}

async function run(
  file: string,
  extra: { quick?: boolean; json?: boolean; models?: string[] } = {},
): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await doctor(
    { config: file, quick: extra.quick ?? false, json: extra.json ?? false, timeoutMs: 10_000, models: extra.models },
    {},
    { out: (t) => out.push(t), err: (t) => err.push(t), colour: false },
  );
  const [services, ...report] = extra.json ? [undefined, ...out] : out;
  return { code, out: report.join("\n"), services, err: err.join("\n") };
}

beforeAll(async () => {
  mock = await startMockServer({ fallback: rules });
});

afterAll(async () => {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("llmux doctor against scripted upstreams", () => {
  let text: Captured;
  let report: Report;

  beforeAll(async () => {
    const file = configFile("all.json", ALL);
    text = await run(file);
    mock.reset();
    const json = await run(file, { json: true });
    report = JSON.parse(json.out) as Report;
  }, 60_000);

  const deployment = (id: string) => report.deployments.find((d) => d.id === id)!;
  const alias = (name: string) => report.aliases.find((a) => a.alias === name)!;

  it("fails (exit 1) and says what it will spend before it starts", () => {
    expect(text.code).toBe(1);
    expect(text.err).toMatch(/will send at most \d+ small requests to 8 deployments/);
    expect(text.err).toMatch(/at most \$\d+\.\d+ at list prices/);
    expect(report.ok).toBe(false);
  });

  it("reports a wrong key as the key, with Anthropic's words and where to fix it", () => {
    const d = deployment("claude-other-account/claude-sonnet-4-5");
    expect(d.checks.reach.mark).toBe("ok");
    expect(d.checks.auth).toMatchObject({ mark: "fail", upstream: `401 ${ANTHROPIC_BAD_KEY}` });
    expect(d.checks.auth.fix).toContain("providers.claude-other-account.api_key");
    // The key the provider is configured with is the one that went upstream.
    const sent = mock.requests.filter((r) => r.headers["x-api-key"] === WRONG_KEY);
    expect(sent.length).toBe(1); // the basic probe only: nothing more is tried with a refused key
  });

  it("reports a missing Azure deployment as the model, naming models.<alias>.model", () => {
    const d = deployment("azure/gpt5-typo");
    expect(d.checks.auth.mark).toBe("ok");
    expect(d.checks.model).toMatchObject({ mark: "fail", upstream: `404 ${AZURE_NO_DEPLOYMENT}` });
    expect(d.checks.model.fix).toContain("models.codex-typo.model must be a deployment name");
  });

  it("reports an API version Azure refuses as the API version", () => {
    const d = deployment("azure-dated/gpt-5-codex");
    expect(d.checks.api).toMatchObject({ mark: "fail", upstream: `400 ${AZURE_BAD_VERSION}` });
    expect(d.checks.api.fix).toContain("providers.azure-dated.api_version");
  });

  it("reports refused effort levels: agreeing with llmux's table for gpt-5-codex, a caveat for an unknown deployment name, a failure for an alias that asks for one", () => {
    const known = deployment("azure/gpt-5-codex");
    expect(known.checks.reasoning.mark).toBe("ok");
    const effort = (d: typeof known, result: string) =>
      d
        .reasoning!.sweeps.filter((s) => s.setting === "effort" && s.result === result)
        .map((s) => s.value)
        .sort();
    expect(effort(known, "accepted")).toEqual(["high", "low", "medium"]);
    expect(effort(known, "refused")).toEqual(["minimal", "none", "xhigh"]);
    expect(known.reasoning!.table.efforts).toEqual(["low", "medium", "high"]);
    expect(known.reasoning!.differences).toEqual([]);

    const unknown = deployment("azure/codex-prod");
    expect(unknown.checks.reasoning.mark).toBe("warn");
    expect(unknown.checks.reasoning.upstream).toBe(`400 ${unsupported("minimal", ["low", "medium", "high"])}`);
    expect(unknown.reasoning!.differences.join("\n")).toContain("no row for 'codex-prod'");

    expect(alias("codex-minimal").settings).toMatchObject({
      mark: "fail",
      upstream: `400 ${unsupported("minimal", ["low", "medium", "high"])}`,
    });
  });

  it("reports a model without tools as the tools check, and images it refuses as not supported", () => {
    const d = deployment("ollama/gemma-2b");
    expect(d.checks.model.mark).toBe("ok");
    expect(d.checks.tools).toMatchObject({ mark: "fail", upstream: `400 ${OLLAMA_NO_TOOLS}` });
    expect(d.checks.tools.fix).toContain("cannot call tools");
    expect(d.checks.images.mark).toBe("na");
    expect(d.checks.reasoning.mark).not.toBe("fail");
  });

  it("finds healthy deployments healthy: a tool round trip, streaming, thinking forms as llmux's table says", () => {
    const d = deployment("claude/claude-sonnet-4-5");
    for (const c of ["reach", "auth", "model", "stream", "tools", "reasoning", "images"] as const) {
      expect(d.checks[c].mark, c).toBe("ok");
    }
    expect(d.reasoning!.seen).toBe(true);
    const forms = d.reasoning!.sweeps.map((s) => `${s.value}:${s.result}`);
    expect(forms).toEqual(["enabled:accepted", "adaptive:refused"]);
    // The tool result went back to the upstream, and the upstream's answer to it was read.
    expect(mock.requests.some((r) => r.path === "/v1/messages" && r.raw.includes("PLOVER"))).toBe(true);
  });

  it("reports an unreachable provider as reach, and lists what it could not probe", () => {
    expect(deployment("offline/gpt-4.1").checks.reach).toMatchObject({ mark: "fail", upstream: "ECONNREFUSED" });
    expect(report.unused).toEqual(["spare"]);
    expect(report.skipped.map((s) => s.alias)).toEqual(["claude-*"]);
  });

  it("keeps every request small: output limits of at most 1,280 tokens, and no request body over 4 kB", () => {
    expect(mock.requests.length).toBeGreaterThan(30);
    for (const r of mock.requests) {
      const b = r.body as Record<string, unknown>;
      const max = (b.max_tokens ?? b.max_output_tokens ?? b.max_completion_tokens) as number | undefined;
      expect(max, r.raw.slice(0, 200)).toBeDefined();
      expect(max).toBeLessThanOrEqual(1280);
      expect(r.raw.length).toBeLessThan(4096);
    }
  });

  it("docs/doctor.md shows this report and this estimate as they are", () => {
    const doc = readFileSync(new URL("../../docs/doctor.md", import.meta.url), "utf8");
    expect(doc).toContain(`\`\`\`text\n${text.out}\n\`\`\``);
    const note = text.err.split("\n").filter((l) => !l.startsWith("Configuration:"));
    expect(doc).toContain(`\`\`\`text\n${note.join("\n")}\n\`\`\``);
  });

  it("prints a table with a mark per check and, for each failure, the upstream's words and a fix", () => {
    expect(text.out).toMatchInlineSnapshot(`
      "alias             provider              upstream model     reach  auth  model  api  stream  tools  reasoning  images  settings
      sonnet            claude                claude-sonnet-4-5  ✓      ✓     ✓      –    ✓       ✓      ✓          ✓       –
      sonnet-wrong-key  claude-other-account  claude-sonnet-4-5  ✓      ✗     –      –    –       –      –          –       –
      codex             azure                 gpt-5-codex        ✓      ✓     ✓      –    ✓       ✓      ✓          ✓       –
      codex-minimal     azure                 codex-prod         ✓      ✓     ✓      –    ✓       ✓      !          ✓       ✗
      codex-typo        azure                 gpt5-typo          ✓      ✓     ✗      –    –       –      –          –       –
      codex-old-api     azure-dated           gpt-5-codex        ✓      ✓     –      ✗    –       –      –          –       –
      gemma             ollama                gemma-2b           ✓      ✓     ✓      –    ✓       ✗      ✓          –       –
      offline           offline               gpt-4.1            ✗      –     –      –    –       –      –          –       –

      Problems:
      ✗ claude-other-account/claude-sonnet-4-5 (sonnet-wrong-key) — auth: the key is refused
          upstream: 401 invalid x-api-key
          fix: providers.claude-other-account.api_key is not accepted by Anthropic: check it at console.anthropic.com
      ! azure/codex-prod (codex-minimal) — reasoning: effort none, minimal, xhigh refused (llmux's table has no row for 'codex-prod')
          upstream: 400 Unsupported value: 'minimal' is not supported with the 'gpt-5-codex' model. Supported values are: 'low', 'medium', and 'high'.
          fix: set reasoning.effort on the aliases of this deployment (it replaces what clients ask for), or name the deployment after its model (e.g. gpt-5-codex) so llmux's table applies
      ✗ azure/gpt5-typo (codex-typo) — model: 'gpt5-typo' does not exist
          upstream: 404 The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.
          fix: no deployment 'gpt5-typo' on this resource: models.codex-typo.model must be a deployment name (Azure portal → Deployments), not a model name
      ✗ azure-dated/gpt-5-codex (codex-old-api) — api: api-version 2099-01-01 is refused
          upstream: 400 API version not supported
          fix: providers.azure-dated.api_version: leave it out (the /openai/v1 API needs none) or use a current one such as 2025-04-01-preview
      ✗ ollama/gemma-2b (gemma) — tools: a request with a tool is refused
          upstream: 400 registry.ollama.ai/library/gemma:2b does not support tools
          fix: this model cannot call tools, which coding tools need: route the aliases of this deployment to a model that can
      ✗ offline/gpt-4.1 (offline) — reach: nothing answers at 127.0.0.1:1 (ECONNREFUSED)
          upstream: ECONNREFUSED
          fix: check the host and port in providers.offline.base_url (a local server: is it running?)
      ✗ codex-minimal — settings: the upstream refuses the alias's settings
          upstream: 400 Unsupported value: 'minimal' is not supported with the 'gpt-5-codex' model. Supported values are: 'low', 'medium', and 'high'.
          fix: change the settings of models.codex-minimal (reasoning, verbosity, thinking, truncation, temperature, max_tokens)

      Reasoning accepted (efforts, verbosity, summaries, thinking forms):
        claude/claude-sonnet-4-5: thinking enabled; refused adaptive (llmux's table: enabled)
        azure/gpt-5-codex: efforts low, medium, high; refused none, minimal, xhigh (llmux's table: low, medium, high) · verbosity medium; refused low, high (llmux's table: medium) · summaries auto
        azure/codex-prod: efforts low, medium, high; refused none, minimal, xhigh (llmux's table: no row) · verbosity medium; refused low, high (llmux's table: no row) · summaries auto
          differs: llmux's table has no row for 'codex-prod': effort none, minimal, xhigh reach it as clients send them, and it refuses them
          differs: llmux's table has no row for 'codex-prod': verbosity low, high reach it as clients send them, and it refuses them
        ollama/gemma-2b: efforts none, minimal, low, medium, high, xhigh (llmux's table: no row)

      Not probed or not supported:
        claude-*: a pattern without a fixed model: the upstream model is the name asked for (probe one with --model NAME)
        provider spare: no alias uses it (probe one of its models with --model spare/MODEL)
        ollama/gemma-2b — images: the model takes no images (upstream: 400 this model is missing data required for image input)

      Sent 52 requests: 340 input and 169 output tokens, about $0.0021 at list prices.
      6 checks failed.
      ✓ works   ✗ fails   ! works, with a caveat   – not supported, not applicable or not probed"
    `);
  });
});

describe("where an unreachable provider fails: DNS, TLS, the connection", () => {
  let tls: HttpsServer;
  let tlsUrl: string;
  beforeAll(async () => {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ].concat(["-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"]),
      { stdio: "ignore" },
    );
    tls = createHttpsServer(
      { cert: readFileSync(join(dir, "cert.pem")), key: readFileSync(join(dir, "key.pem")) },
      (_q, r) => r.end("{}"),
    );
    await new Promise<void>((r) => tls.listen(0, "127.0.0.1", r));
    tlsUrl = `https://127.0.0.1:${(tls.address() as { port: number }).port}`;
  });
  afterAll(() => tls.close());

  it("names the step and the host, and the configuration key to check", async () => {
    const file = join(dir, "unreachable.json");
    writeFileSync(
      file,
      JSON.stringify({
        providers: {
          nowhere: { type: "azure", base_url: "https://no-such-resource.invalid", api_key: "k", api: "responses" },
          selfsigned: { type: "anthropic", base_url: tlsUrl, api_key: "k" },
        },
        models: {
          a: { provider: "nowhere", model: "gpt-5-codex" },
          b: { provider: "selfsigned", model: "claude-sonnet-4-5" },
        },
      }),
    );
    const r = await run(file, { quick: true, json: true });
    const rep = JSON.parse(r.out) as Report;
    const [dns, tlsd] = rep.deployments;
    expect(dns!.checks.reach.summary).toContain("no-such-resource.invalid does not resolve (DNS:");
    expect(dns!.checks.reach.fix).toContain("https://<your-resource>.openai.azure.com");
    expect(tlsd!.checks.reach.mark).toBe("fail");
    expect(tlsd!.checks.reach.summary).toMatch(
      /^the TLS handshake with 127\.0\.0\.1:\d+ failed \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED)/,
    );
    expect(tlsd!.checks.reach.fix).toContain("NODE_EXTRA_CA_CERTS");
    expect(r.code).toBe(1);
  });

  it("classifies the codes node reports", () => {
    expect(networkStage("upstream x is unreachable: ENOTFOUND", 502).stage).toBe("dns");
    expect(networkStage("upstream x is unreachable: EAI_AGAIN", 502).stage).toBe("dns");
    expect(networkStage("upstream x is unreachable: CERT_HAS_EXPIRED", 502).stage).toBe("tls");
    expect(networkStage("upstream x is unreachable: ERR_TLS_CERT_ALTNAME_INVALID", 502).stage).toBe("tls");
    expect(networkStage("upstream x is unreachable: ECONNREFUSED", 502).stage).toBe("connect");
    expect(networkStage("upstream x did not answer in time", 504).stage).toBe("timeout");
  });
});

describe("llmux doctor --quick and --model", () => {
  it("--quick sends one request per deployment and probes only reach, key, model", async () => {
    const file = configFile("quick.json", {
      sonnet: ALL.sonnet,
      codex: ALL.codex,
      "sonnet-wrong-key": ALL["sonnet-wrong-key"],
    });
    mock.reset();
    const r = await run(file, { quick: true, json: true });
    expect(mock.requests.length).toBe(3);
    const rep = JSON.parse(r.out) as Report;
    expect(rep.deployments.map((d) => d.checks.tools.mark)).toEqual(["na", "na", "na"]);
    expect(rep.deployments.find((d) => d.id.startsWith("claude-other"))!.checks.auth.mark).toBe("fail");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/at most 3 small requests/);
  });

  it("reports a stream that breaks as the stream check, with the upstream's words", async () => {
    const file = configFile("stream.json", { flaky: { provider: "ollama", model: "broken-stream" } });
    const rep = JSON.parse((await run(file, { json: true })).out) as Report;
    const d = rep.deployments[0]!;
    expect(d.checks.model.mark).toBe("ok");
    expect(d.checks.stream).toMatchObject({ mark: "fail" });
    expect(d.checks.stream.upstream).toContain("upstream connection reset mid-stream");
    expect(d.checks.stream.fix).toContain("normalize_stream");
  });

  it("passes (exit 0) when everything probed works; --model picks names, including one a pattern matches", async () => {
    const file = configFile("healthy.json", ALL);
    mock.reset();
    const r = await run(file, { models: ["sonnet", "claude-sonnet-4-5"] });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("Everything probed works.");
    // The pattern's name and the alias share one deployment: examined once.
    expect(mock.requests.filter((q) => q.raw.includes('"lookup_word"') && !q.raw.includes("PLOVER")).length).toBe(1);
  });
});
