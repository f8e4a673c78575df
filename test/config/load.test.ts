// biome-ignore-all lint/suspicious/noTemplateCurlyInString: configuration values spell ${VAR} literally

import { describe, expect, it } from "vitest";
import { ConfigError, interpolate, loadConfigFile, parseConfig } from "../../src/config/load.js";
import { SERVER_DEFAULTS } from "../../src/config/schema-server.js";
import { createProviders } from "../../src/providers/index.js";
import { ModelTable } from "../../src/routing/model-table.js";
import { ISSUE_ENV, ISSUE_EXAMPLE, problemsOf, tempDir } from "./helpers.js";

const file = tempDir();

describe("parseConfig: defaults", () => {
  it("fills every default into an empty configuration", () => {
    expect(parseConfig({}, {})).toEqual({
      server: { ...SERVER_DEFAULTS },
      streams: { ping_interval_ms: 15_000 },
      auth: { keys: [], passthrough: false, passthrough_providers: [] },
      admin: { keys: [], ui: { enabled: true, session_hours: 12 } },
      state: { prefix: "llmux:", on_failure: "degrade", timeout_ms: 500 },
      prices: {},
      billing: { timezone: "UTC", alert_at: 0.8, budget_wait_ms: 3000, users: {} },
      tags: {},
      tag_rules: [],
      routing: { rules: [] },
      alerts: { destinations: {}, rules: [] },
      secrets: { previous_master_keys: [] },
      signup: { enabled: false, providers: [], per_hour: 10 },
      mcp: { servers: {}, session_ttl_minutes: 60, allow_private_addresses: false },
      guardrails: {
        enabled: false,
        actions: {},
        dry_run: false,
        entropy: true,
        pii: false,
        rules: [],
        teams: {},
        keys: {},
        cache_entries: 20_000,
        mapping_ttl_hours: 720,
      },
      providers: {},
      models: {},
      defaults: { policy: "clamp", reasoning_display: "reasoning_content" },
      store: {
        path: ".llmux/llmux.db",
        retention_days: 30,
        pool_size: 10,
        connect_timeout_ms: 5000,
        statement_timeout_ms: 15000,
      },
      reasoning: { cache_max_entries: 50_000, cache_ttl_hours: 24 },
      cursor: { detect: "auto", reasoning_display: "think-tags", errors_as_text: true },
      logging: {
        level: "info",
        requests: true,
        retention_days: 30,
        bodies: "off",
        bodies_retention_days: 7,
        body_max_kb: 1024,
        redact: [],
        conversations: false,
      },
      metrics: { enabled: true, public: false },
    });
  });

  it("treats null and undefined (an empty YAML document) as an empty configuration", () => {
    expect(parseConfig(null, {})).toEqual(parseConfig({}, {}));
    expect(parseConfig(undefined, {})).toEqual(parseConfig({}, {}));
  });

  it("fills defaults inside a section given in part", () => {
    const c = parseConfig(
      { server: { port: 8080 }, auth: { keys: ["k"] }, defaults: { policy: "strict" }, logging: { pretty: false } },
      {},
    );
    expect(c.server).toEqual({ ...SERVER_DEFAULTS, port: 8080 });
    expect(c.auth).toEqual({ keys: ["k"], passthrough: false, passthrough_providers: [] });
    expect(c.defaults).toEqual({ policy: "strict", reasoning_display: "reasoning_content" });
    expect(c.logging).toEqual({
      level: "info",
      pretty: false,
      requests: true,
      retention_days: 30,
      bodies: "off",
      bodies_retention_days: 7,
      body_max_kb: 1024,
      redact: [],
      conversations: false,
    });
  });

  it("fills provider defaults for each type", () => {
    const c = parseConfig(
      {
        providers: {
          az: { type: "azure", base_url: "https://r.openai.azure.com" },
          oa: { type: "openai" },
          an: { type: "anthropic" },
          co: { type: "openai-compatible", preset: "deepseek" },
          mo: { type: "mock" },
        },
      },
      {},
    );
    expect(c.providers.az).toEqual({
      type: "azure",
      base_url: "https://r.openai.azure.com",
      auth: "api-key",
      api: "responses",
    });
    expect(c.providers.oa).toEqual({ type: "openai", base_url: "https://api.openai.com/v1", api: "responses" });
    expect(c.providers.an).toEqual({
      type: "anthropic",
      base_url: "https://api.anthropic.com",
      auth: "x-api-key",
      version: "2023-06-01",
    });
    expect(c.providers.co).toEqual({ type: "openai-compatible", preset: "deepseek" });
    expect(c.providers.mo).toEqual({ type: "mock", dialect: "openai-responses", price: { input: 3, output: 15 } });
  });

  it("keeps model settings as written, adding nothing", () => {
    const c = parseConfig(
      { providers: { p: { type: "mock" } }, models: { m: { provider: "p", reasoning: { effort: "high" } } } },
      {},
    );
    expect(c.models.m).toEqual({ provider: "p", reasoning: { effort: "high" } });
  });

  it("accepts every model setting", () => {
    const c = parseConfig(
      {
        providers: { p: { type: "mock" } },
        models: {
          m: {
            provider: "p",
            model: "gpt-5",
            reasoning: { effort: "xhigh", summary: "none" },
            verbosity: "low",
            truncation: "auto",
            thinking: { type: "enabled", budget_tokens: 1024 },
            max_tokens: 1,
            temperature: 0,
            reasoning_display: "think-tags",
            policy: "strict",
          },
        },
      },
      {},
    );
    expect(c.models.m?.thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
  });
});

describe("parseConfig: ${VAR} interpolation", () => {
  it("replaces ${VAR} in nested strings and in arrays", () => {
    const c = parseConfig(
      {
        auth: { keys: ["${KEY_A}", "prefix-${KEY_B}-suffix"] },
        providers: {
          oa: {
            type: "openai",
            api_key: "${OPENAI_API_KEY}",
            headers: { "x-team": "${TEAM}", "x-both": "${TEAM}/${KEY_A}" },
          },
        },
      },
      { KEY_A: "a", KEY_B: "b", OPENAI_API_KEY: "sk-1", TEAM: "core" },
    );
    expect(c.auth.keys).toEqual(["a", "prefix-b-suffix"]);
    expect(c.providers.oa).toMatchObject({ api_key: "sk-1", headers: { "x-team": "core", "x-both": "core/a" } });
  });

  it("uses the default of ${VAR:-default} when the variable is unset or empty", () => {
    const c = parseConfig(
      {
        server: { host: "${HOST:-0.0.0.0}" },
        providers: {
          a: { type: "anthropic", base_url: "${ANTHROPIC_BASE_URL:-https://api.anthropic.com}" },
          b: { type: "openai", api_key: "${MAYBE_KEY:-}" },
        },
      },
      { ANTHROPIC_BASE_URL: "" },
    );
    expect(c.server.host).toBe("0.0.0.0");
    expect(c.providers.a).toMatchObject({ base_url: "https://api.anthropic.com" });
    expect(c.providers.b).toMatchObject({ api_key: "" });
  });

  it("prefers the variable to the default when it is set", () => {
    const c = parseConfig({ server: { host: "${HOST:-0.0.0.0}" } }, { HOST: "::1" });
    expect(c.server.host).toBe("::1");
  });

  it("inserts values literally: no re-expansion, no replacement patterns", () => {
    const c = parseConfig({ auth: { keys: ["${A}", "${B}"] } }, { A: "${B}", B: "x$&y$1" });
    expect(c.auth.keys).toEqual(["${B}", "x$&y$1"]);
  });

  it("does not touch keys, numbers, booleans, or text that is not a ${NAME} reference", () => {
    const c = parseConfig(
      {
        server: { port: 4001 },
        auth: { passthrough: false, keys: ["$HOME", "${not a var}", "$${X}"] },
        providers: { "${P}": { type: "mock" } },
        // The value "${P}" comes from the variable P itself and is not expanded again.
        models: { "${M}": { provider: "${P}" } },
      },
      { X: "x", P: "${P}" },
    );
    expect(c.server.port).toBe(4001);
    expect(c.auth.keys).toEqual(["$HOME", "${not a var}", "$x"]);
    expect(Object.keys(c.providers)).toEqual(["${P}"]);
    expect(c.models).toHaveProperty("${M}");
  });

  it("reads numbers and booleans that variables spell out, only where the schema expects them", () => {
    const c = parseConfig(
      {
        server: { port: "${PORT}", body_limit_mb: "${LIMIT}" },
        providers: { o: { type: "openai", api_key: "${KEY}", timeout_ms: "${T}" } },
        cursor: { errors_as_text: "${TEXT}" },
      },
      { PORT: "4321", LIMIT: "1.5", KEY: "123456", T: "9000", TEXT: "false" },
    );
    expect(c.server.port).toBe(4321);
    expect(c.server.body_limit_mb).toBe(1.5);
    expect(c.providers.o).toMatchObject({ api_key: "123456", timeout_ms: 9000 });
    expect(c.cursor.errors_as_text).toBe(false);
  });

  it("rejects service keys together with pass-through auth", () => {
    expect(problemsOf(() => parseConfig({ auth: { keys: ["k"], passthrough: true } }, {}))).toEqual([
      "auth: keys and passthrough exclude each other (with passthrough, the key a client presents is its provider key)",
    ]);
  });

  it("an unset variable without a default is an error naming the path", () => {
    expect(problemsOf(() => parseConfig({ auth: { keys: ["${LLMUX_KEY}"] } }, {}))).toContain(
      "auth.keys[0]: environment variable LLMUX_KEY is not set",
    );
  });

  it("an empty variable without a default counts as unset", () => {
    expect(problemsOf(() => parseConfig({ providers: { o: { type: "openai", api_key: "${K}" } } }, { K: "" }))).toEqual(
      ["providers.o.api_key: environment variable K is not set"],
    );
  });

  it("names every unset variable, with the path of each", () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          providers: {
            az: {
              type: "azure",
              base_url: "https://r.openai.azure.com",
              api_key: "${AZ_KEY}",
              headers: { h: "${H1}${H2}" },
            },
          },
        },
        {},
      ),
    );
    expect(problems).toEqual([
      "providers.az.api_key: environment variable AZ_KEY is not set",
      "providers.az.headers.h: environment variable H1 is not set",
      "providers.az.headers.h: environment variable H2 is not set",
    ]);
  });

  it("interpolate() reports the root path for a bare string", () => {
    const found = { problems: [], replaced: new Set<string>(), literal: [] };
    expect(interpolate("${NOPE}", {}, found)).toBe("");
    expect(found.problems).toEqual([{ path: [], text: "(root): environment variable NOPE is not set" }]);
  });

  it("reads process.env when no environment is given", () => {
    const name = "LLMUX_TEST_INTERPOLATION_VAR";
    process.env[name] = "from-process";
    try {
      expect(parseConfig({ server: { host: `\${${name}}` } }).server.host).toBe("from-process");
    } finally {
      delete process.env[name];
    }
  });
});

describe("parseConfig: validation errors name the path", () => {
  it("rejects unknown keys with their path, at every level", () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          sever: {},
          server: { hots: "x" },
          providers: { oa: { type: "openai", apikey: "x" } },
          models: { m: { provider: "oa", reasoning: { efort: "high" }, effort: "high" } },
        },
        {},
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "(root): unknown key 'sever' (did you mean 'server'?)",
        "server: unknown key 'hots' (did you mean 'host'?)",
        "providers.oa: unknown key 'apikey' (did you mean 'api_key'?)",
        "models.m.reasoning: unknown key 'efort' (did you mean 'effort'?)",
        "models.m: unknown key 'effort' (known keys: provider, deployments, routing, fallbacks, context_window_fallbacks, model, reasoning, verbosity, truncation, thinking, max_tokens, temperature, reasoning_display, policy, guardrails, context_window, max_output_tokens, cache, cache_ttl, kind, embeddings, completions, rerank)",
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  it("names wrong types and out-of-range values by path", () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          server: { port: "four thousand", body_limit_mb: 0 },
          auth: { keys: "secret", passthrough: "yes" },
          providers: { oa: { type: "openai", timeout_ms: 1.5, base_url: "not a url" } },
          models: {
            m: {
              provider: "oa",
              temperature: 3,
              thinking: { budget_tokens: 100 },
              reasoning: { effort: "hgih" },
              max_tokens: 0,
            },
          },
          logging: { level: "verbose" },
        },
        {},
      ),
    );
    const paths = problems.map((p) => p.slice(0, p.indexOf(":")));
    expect(paths.sort()).toEqual(
      [
        "server.port",
        "server.body_limit_mb",
        "auth.keys",
        "auth.passthrough",
        "providers.oa.base_url",
        "providers.oa.timeout_ms",
        "models.m.temperature",
        "models.m.thinking.budget_tokens",
        "models.m.reasoning.effort",
        "models.m.max_tokens",
        "logging.level",
      ].sort(),
    );
    expect(problems).toContain('server.port: expected a number, got "four thousand"');
    // The bad value is echoed, with the likely intended one; a secret is not.
    expect(problems).toContain("models.m.temperature: must be at most 2, got 3");
    expect(problems).toContain("models.m.thinking.budget_tokens: must be at least 1024, got 100");
    expect(problems).toContain(
      'providers.oa.base_url: "not a url" is not a URL (write it in full, e.g. https://host/path)',
    );
    expect(problems).toContain("auth.keys: expected a list, got (value not shown)");
  });

  it("rejects a port outside 0–65535", () => {
    expect(problemsOf(() => parseConfig({ server: { port: 70000 } }, {}))[0]).toMatch(/^server\.port: /);
  });

  it("rejects a configuration that is not a mapping", () => {
    expect(problemsOf(() => parseConfig(["a"], {}))).toEqual(["(root): expected a mapping (key: value), got a list"]);
  });

  it("an unknown provider type is named, with the types there are", () => {
    const problems = problemsOf(() =>
      parseConfig({ providers: { kimi: { type: "openai_compatible", preset: "moonshot" } } }, {}),
    );
    expect(problems).toEqual([
      "providers.kimi.type: \"openai_compatible\" is not one of azure, openai, anthropic, openai-compatible, gemini, vertex, bedrock, mock, cursor (did you mean 'openai-compatible'?)",
    ]);
  });

  it("a provider without a type is named the same way", () => {
    expect(problemsOf(() => parseConfig({ providers: { p: { base_url: "https://x" } } }, {}))).toEqual([
      "providers.p.type: 'type' is missing; it is one of azure, openai, anthropic, openai-compatible, gemini, vertex, bedrock, mock, cursor",
    ]);
  });

  it("checks a provider's keys against its own type", () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          providers: {
            // `version` is an Anthropic setting; `preset` belongs to openai-compatible.
            oa: { type: "openai", version: "2023-06-01" },
            az: { type: "azure", preset: "moonshot" },
            mk: { type: "mock", api_key: "x" },
          },
        },
        {},
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "providers.oa: unknown key 'version': it belongs to type anthropic (keys of this type: type, base_url, api_key, api, organization, project, headers, timeout_ms)",
        "providers.mk: unknown key 'api_key': it belongs to type azure, openai, anthropic, openai-compatible, gemini, bedrock, cursor (keys of this type: type, dialect, reply, price)",
        "providers.az: unknown key 'preset': it belongs to type openai-compatible (keys of this type: type, base_url, api_key, auth, api, api_version, headers, timeout_ms)",
      ]),
    );
    // Azure needs its resource URL.
    expect(problems.some((p) => p.startsWith("providers.az.base_url: "))).toBe(true);
  });

  it("an unknown preset is named by path", () => {
    const problems = problemsOf(() =>
      parseConfig({ providers: { p: { type: "openai-compatible", preset: "moonshot-ai" } } }, {}),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^providers\.p\.preset: /);
    expect(problems[0]).toContain("moonshot");
  });

  it("models.X.provider must name a configured provider", () => {
    expect(
      problemsOf(() =>
        parseConfig(
          {
            providers: {
              azure: { type: "azure", base_url: "https://r.openai.azure.com" },
              claude: { type: "anthropic" },
            },
            models: { "gpt-high": { provider: "azur" } },
          },
          {},
        ),
      ),
    ).toEqual(["models.gpt-high.provider: no provider named 'azur' (known: azure, claude)"]);
  });

  it("reports schema problems and bad references in one pass, each path once", () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          server: { port: "four thousand" },
          providers: {
            azure: { type: "azure", base_url: "https://r.openai.azure.com" },
            claude: { type: "anthropic", api_key: 42 },
          },
          models: {
            "gpt-high": { provider: "azur" },
            coder: { deployments: [{ provider: "claude" }, { provider: "kimi" }], fallbacks: ["nowhere"] },
            broken: { provider: 7 },
          },
        },
        {},
      ),
    );
    expect(problems.filter((p) => p.startsWith("server.port: "))).toHaveLength(1);
    expect(problems.filter((p) => p.startsWith("providers.claude.api_key: "))).toHaveLength(1);
    expect(problems.filter((p) => p.startsWith("models.broken.provider: "))).toHaveLength(1);
    expect(problems).toContain("models.gpt-high.provider: no provider named 'azur' (known: azure, claude)");
    expect(problems).toContain("models.coder.deployments.1.provider: no provider named 'kimi' (known: azure, claude)");
    expect(problems).toContain("models.coder.fallbacks.0: no model alias named 'nowhere'");
    expect(problems).toHaveLength(6);
  });

  it("models.X.provider with no providers at all", () => {
    expect(problemsOf(() => parseConfig({ models: { m: { provider: "p" } } }, {}))).toEqual([
      "models.m.provider: no provider named 'p'",
    ]);
  });

  it("an openai-compatible provider needs a preset or a base_url", () => {
    expect(problemsOf(() => parseConfig({ providers: { local: { type: "openai-compatible" } } }, {}))).toEqual([
      "providers.local.base_url: required for an openai-compatible provider without a preset",
    ]);
    expect(
      parseConfig({ providers: { local: { type: "openai-compatible", base_url: "http://127.0.0.1:8080/v1" } } }, {})
        .providers.local,
    ).toEqual({ type: "openai-compatible", base_url: "http://127.0.0.1:8080/v1" });
  });

  it("reports several problems together", () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          auth: { keys: ["${LLMUX_KEY}"] },
          server: { port: "x" },
          providers: { p: { type: "nope" } },
          models: { m: { provider: "p", verbosity: "loud" } },
        },
        {},
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "auth.keys[0]: environment variable LLMUX_KEY is not set",
        'server.port: expected a number, got "x"',
        'providers.p.type: "nope" is not one of azure, openai, anthropic, openai-compatible, gemini, vertex, bedrock, mock, cursor',
      ]),
    );
    expect(problems.some((p) => p.startsWith("models.m.verbosity: "))).toBe(true);
    expect(problems.length).toBeGreaterThanOrEqual(4);
  });

  it("reports all cross-check problems together", () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          providers: { a: { type: "openai-compatible" }, b: { type: "openai-compatible" } },
          models: { x: { provider: "c" }, y: { provider: "d" } },
        },
        {},
      ),
    );
    expect(problems).toHaveLength(4);
  });

  it("ConfigError lists the problems in its message", () => {
    try {
      parseConfig({ server: { hots: 1 } }, {});
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).name).toBe("ConfigError");
      expect((err as ConfigError).message).toBe(
        "invalid configuration:\n  - server: unknown key 'hots' (did you mean 'host'?)",
      );
    }
  });
});

describe("loadConfigFile", () => {
  it("loads YAML, interpolating from the environment given", () => {
    const path = file(
      "basic.yaml",
      [
        "server:",
        "  port: 4100",
        "auth:",
        "  keys:",
        '    - "${LLMUX_KEY}"',
        "providers:",
        "  oa:",
        "    type: openai",
        '    api_key: "${OPENAI_API_KEY:-sk-default}"',
        "models:",
        "  gpt-5: { provider: oa }",
        "",
      ].join("\n"),
    );
    const c = loadConfigFile(path, { LLMUX_KEY: "k1" });
    expect(c.server.port).toBe(4100);
    expect(c.auth.keys).toEqual(["k1"]);
    expect(c.providers.oa).toMatchObject({ type: "openai", api_key: "sk-default" });
    expect(c.models["gpt-5"]).toEqual({ provider: "oa" });
  });

  it("interpolation cannot inject YAML structure", () => {
    const path = file("inject.yaml", 'auth: { keys: ["${K}"] }\n');
    const c = loadConfigFile(path, { K: 'x"], passthrough: true, "y' });
    expect(c.auth).toEqual({ keys: ['x"], passthrough: true, "y'], passthrough: false, passthrough_providers: [] });
  });

  it("an empty file is an empty configuration", () => {
    expect(loadConfigFile(file("empty.yaml", ""), {})).toEqual(parseConfig({}, {}));
    expect(loadConfigFile(file("comment.yaml", "# nothing yet\n"), {})).toEqual(parseConfig({}, {}));
  });

  it("reports a YAML syntax error as file:line:col", () => {
    const path = file("syntax.yaml", "server:\n  host: 127.0.0.1\n  port: [4000\n");
    const problems = problemsOf(() => loadConfigFile(path, {}));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: \\S`));
  });

  it("reports the line and column of a duplicate key", () => {
    const path = file("dup.yaml", "server:\n  host: a\n  host: b\n");
    expect(problemsOf(() => loadConfigFile(path, {}))[0]).toMatch(/dup\.yaml:3:3: Map keys must be unique/);
  });

  it("reports tabs used for indentation with their position", () => {
    const path = file("tabs.yaml", "server:\n\tport: 1\n");
    expect(problemsOf(() => loadConfigFile(path, {}))[0]).toMatch(/tabs\.yaml:2:1: /);
  });

  it("reports a file that cannot be read, with the reason", () => {
    const missing = `${file("exists.yaml", "")}.missing`;
    expect(problemsOf(() => loadConfigFile(missing, {}))).toEqual([`${missing}: cannot read the file (ENOENT)`]);
    const dir = file("exists.yaml", "").replace(/exists\.yaml$/, "");
    expect(problemsOf(() => loadConfigFile(dir, {}))[0]).toMatch(/: cannot read the file \(EISDIR\)$/);
  });

  it("reports validation problems of a file by path, together", () => {
    const path = file(
      "invalid.yaml",
      ["server: { port: 99999 }", "providers:", "  p: { type: anthropic, api_key: '${NOPE}', vesion: x }", ""].join(
        "\n",
      ),
    );
    const problems = problemsOf(() => loadConfigFile(path, {}));
    expect(problems).toEqual(
      expect.arrayContaining([
        "providers.p.api_key: environment variable NOPE is not set",
        "providers.p: unknown key 'vesion' (did you mean 'version'?)",
      ]),
    );
    expect(problems.some((p) => p.startsWith("server.port: "))).toBe(true);
  });
});

describe("the example configuration from the issue", () => {
  it("validates with all its variables set", () => {
    const c = loadConfigFile(file("issue.yaml", ISSUE_EXAMPLE), ISSUE_ENV);
    expect(c.server).toEqual({ ...SERVER_DEFAULTS });
    expect(c.auth.keys).toEqual(["sk-llmux-test"]);
    expect(Object.keys(c.providers)).toEqual(["azure", "azure-chat", "openai", "claude", "kimi"]);
    expect(c.providers["azure-chat"]).toEqual({
      type: "azure",
      base_url: "https://res.openai.azure.com",
      api_key: "azure-key",
      auth: "api-key",
      api: "chat",
      api_version: "2024-10-21",
    });
    expect(c.providers.kimi).toEqual({ type: "openai-compatible", preset: "moonshot", api_key: "kimi-key" });
    expect(c.models["gpt-high"]).toEqual({
      provider: "azure",
      model: "gpt-5-codex",
      reasoning: { effort: "high", summary: "detailed" },
      verbosity: "medium",
    });
    expect(c.models["claude-sonnet"]?.thinking).toEqual({ budget_tokens: 8000 });
  });

  it("names each missing variable when the environment is empty", () => {
    const problems = problemsOf(() => loadConfigFile(file("issue-noenv.yaml", ISSUE_EXAMPLE), {}));
    expect(problems).toEqual(
      expect.arrayContaining([
        "auth.keys[0]: environment variable LLMUX_KEY is not set",
        "providers.azure.api_key: environment variable AZURE_API_KEY is not set",
        "providers.azure-chat.api_key: environment variable AZURE_API_KEY is not set",
        "providers.openai.api_key: environment variable OPENAI_API_KEY is not set",
        "providers.claude.api_key: environment variable ANTHROPIC_API_KEY is not set",
        "providers.kimi.api_key: environment variable KIMI_API_KEY is not set",
      ]),
    );
  });

  it("routes its model names", () => {
    const c = loadConfigFile(file("issue-routes.yaml", ISSUE_EXAMPLE), ISSUE_ENV);
    const t = new ModelTable(c.models, createProviders(c));
    expect(t.resolve("gpt-high")).toMatchObject({ upstreamModel: "gpt-5-codex", provider: { name: "azure" } });
    expect(t.resolve("claude-sonnet")).toMatchObject({
      upstreamModel: "claude-sonnet-4-5",
      provider: { name: "claude" },
    });
    expect(t.resolve("kimi-k2-thinking")).toMatchObject({
      upstreamModel: "kimi-k2-thinking",
      provider: { name: "kimi" },
    });
    expect(t.resolve("claude-3-5-haiku-20241022")).toMatchObject({
      alias: "claude-*haiku*",
      upstreamModel: "gpt-5-mini",
      provider: { name: "azure" },
    });
    expect(t.resolve("azure-chat/gpt-4.1")).toMatchObject({
      upstreamModel: "gpt-4.1",
      provider: { name: "azure-chat" },
    });
    expect(t.resolve("claude-opus-4-7")).toBeUndefined();
  });
});
