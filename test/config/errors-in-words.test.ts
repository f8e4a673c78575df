// biome-ignore-all lint/suspicious/noTemplateCurlyInString: configuration values spell ${VAR} literally
/**
 * Configuration problems as a person reads them: a "did you mean" for misspelt keys and values, the bad value
 * echoed (never a secret), one line per problem, hints for the usual YAML mistakes with variables, warnings
 * for what works but is probably not meant, and TLS file problems naming their key.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigFile, parseConfig } from "../../src/config/load.js";
import { readTls } from "../../src/config/tls.js";
import { configWarnings } from "../../src/config/warnings.js";
import { didYouMean } from "../../src/text/did-you-mean.js";
import { problemsOf, tempDir } from "./helpers.js";

const file = tempDir();

describe("did you mean", () => {
  it("finds the word meant for the misspellings people make", () => {
    const keys = ["host", "port", "body_limit_mb", "tls"];
    expect(didYouMean("prot", keys)).toBe("port");
    expect(didYouMean("hots", keys)).toBe("host");
    expect(didYouMean("apikey", ["type", "base_url", "api_key", "api"])).toBe("api_key");
    expect(didYouMean("sumary", ["effort", "summary"])).toBe("summary");
    expect(didYouMean("hgih", ["none", "minimal", "low", "medium", "high", "xhigh", "max"])).toBe("high");
    expect(didYouMean("openai_compatible", ["azure", "openai", "openai-compatible"])).toBe("openai-compatible");
  });

  it("suggests nothing when nothing is close", () => {
    expect(didYouMean("colour", ["host", "port"])).toBeUndefined();
    expect(didYouMean("x", ["tls", "port"])).toBeUndefined();
  });
});

describe("problems in words", () => {
  it("every misspelt key of the usual places, with the key meant", () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          sever: {},
          server: { prot: 4000 },
          auth: { key: ["k"] },
          providers: { claude: { type: "anthropic", apikey: "x", betas: [] } },
          models: { m: { provider: "claude", reasoning: { sumary: "auto" }, maxtokens: 5 } },
          logging: { levle: "info" },
        },
        {},
      ),
    );
    expect(problems.sort()).toEqual(
      [
        "(root): unknown key 'sever' (did you mean 'server'?)",
        "server: unknown key 'prot' (did you mean 'port'?)",
        "auth: unknown key 'key' (did you mean 'keys'?)",
        "providers.claude: unknown key 'apikey' (did you mean 'api_key'?)",
        "models.m.reasoning: unknown key 'sumary' (did you mean 'summary'?)",
        "models.m: unknown key 'maxtokens' (did you mean 'max_tokens'?)",
        "logging: unknown key 'levle' (did you mean 'level'?)",
      ].sort(),
    );
  });

  it("a bad choice is echoed with the choices and the likely one", () => {
    expect(
      problemsOf(() =>
        parseConfig(
          { providers: { p: { type: "mock" } }, models: { m: { provider: "p", reasoning: { effort: "hgih" } } } },
          {},
        ),
      ),
    ).toEqual([
      "models.m.reasoning.effort: \"hgih\" is not one of none, minimal, low, medium, high, xhigh, max (did you mean 'high'?)",
    ]);
  });

  it("secrets are never echoed", () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          auth: { keys: "sk-live-secret" },
          reasoning: { secret: "short-secret" },
          providers: { p: { type: "openai", api_key: 12345678, headers: { authorization: 99 } } },
        },
        {},
      ),
    );
    expect(problems.join("\n")).not.toMatch(/sk-live-secret|short-secret|12345678|99/);
    expect(problems).toContain("auth.keys: expected a list, got (value not shown)");
  });

  it("a number written as a string says to drop the quotes; a variable may hold it", () => {
    expect(problemsOf(() => parseConfig({ server: { port: "4000" } }, {}))).toEqual([
      'server.port: expected a number, got "4000" (write it without quotes)',
    ]);
    expect(parseConfig({ server: { port: "${P}" } }, { P: "4000" }).server.port).toBe(4000);
  });

  it("an unset variable is one problem, whatever the value's type", () => {
    expect(
      problemsOf(() =>
        parseConfig(
          { server: { port: "${PORT_X}", tls: { cert: "${CERT_X}", key: "k" } }, auth: { passthrough: "${PT}" } },
          {},
        ),
      ),
    ).toEqual([
      "server.port: environment variable PORT_X is not set",
      "server.tls.cert: environment variable CERT_X is not set",
      "auth.passthrough: environment variable PT is not set",
    ]);
  });

  it("a provider type cannot come from a variable", () => {
    expect(problemsOf(() => parseConfig({ providers: { p: { type: "${T}" } } }, { T: "mock" }))).toEqual([
      "providers.p.type: write the provider type itself; it cannot come from a variable",
    ]);
  });

  it("an unquoted ${VAR} in a flow mapping or list gets a hint", () => {
    const map = problemsOf(() =>
      loadConfigFile(file("flow.yaml", "providers:\n  oa: { type: openai, api_key: ${OPENAI_API_KEY} }\n"), {}),
    );
    expect(map).toHaveLength(1);
    expect(map[0]).toMatch(/flow\.yaml:2:\d+: /);
    expect(map[0]).toContain(
      '(quote values that use a variable: "${OPENAI_API_KEY}"; inside { } and [ ] YAML reads { and } as structure)',
    );
    const list = problemsOf(() => loadConfigFile(file("list.yaml", "auth: { keys: [${LLMUX_KEY}] }\n"), {}));
    expect(list[0]).toContain('"${LLMUX_KEY}"');
  });
});

describe("warnings: valid, but probably not what was meant", () => {
  it("no model configured", () => {
    expect(configWarnings(parseConfig({}, {}))).toEqual([
      "no providers and no models are configured: every generation request will be answered 404 (add `providers` and `models`; see docs/config.md)",
    ]);
    expect(configWarnings(parseConfig({ providers: { claude: { type: "anthropic" } } }, {}))).toEqual([
      "no models are configured: clients can only ask for PROVIDER/MODEL names (e.g. claude/MODEL); add `models` to give them aliases",
    ]);
    expect(
      configWarnings(parseConfig({ providers: { c: { type: "anthropic" } }, models: { x: { provider: "c" } } }, {})),
    ).toEqual([]);
  });

  it("a variable written without braces is used as written, and said so", () => {
    const warnings: string[] = [];
    const c = parseConfig({ providers: { oa: { type: "openai", api_key: "$OPENAI_API_KEY" } } }, {}, warnings);
    expect(c.providers.oa).toMatchObject({ api_key: "$OPENAI_API_KEY" });
    expect(warnings).toEqual([
      "providers.oa.api_key: '$OPENAI_API_KEY' is used as written; to read the environment variable write \"${OPENAI_API_KEY}\"",
    ]);
  });
});

describe("TLS files are checked at start-up, naming the key", () => {
  const dir = mkdtempSync(join(tmpdir(), "llmux-tls-"));
  const pem = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  function selfSigned(name: string): { cert: string; key: string } {
    const key = join(dir, `${name}.key`);
    const cert = join(dir, `${name}.crt`);
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        `/CN=${name}`,
      ],
      { stdio: "ignore" },
    );
    return { cert, key };
  }

  it("a missing file", () => {
    expect(problemsOf(() => readTls({ cert: join(dir, "none.crt"), key: join(dir, "none.key") }))).toEqual([
      `server.tls.cert: cannot read '${join(dir, "none.crt")}' (no such file)`,
    ]);
  });

  it("a file that is not PEM", () => {
    const a = selfSigned("a");
    const junk = pem("junk.pem", "not a certificate\n");
    const problems = problemsOf(() => readTls({ cert: junk, key: a.key }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^server\\.tls\\.cert: '${junk}' is not a PEM certificate`));
    const swapped = problemsOf(() => readTls({ cert: a.cert, key: junk }));
    expect(swapped[0]).toMatch(/^server\.tls\.key: .* is not a PEM private key/);
  });

  it("a key that belongs to another certificate", () => {
    const a = selfSigned("a2");
    const b = selfSigned("b2");
    const problems = problemsOf(() => readTls({ cert: a.cert, key: b.key }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^server\.tls: the key in '.*b2\.key' does not belong to the certificate in '.*a2\.crt'/,
    );
    expect(readTls(a).cert.length).toBeGreaterThan(0);
  });
});
