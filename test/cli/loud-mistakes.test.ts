// biome-ignore-all lint/suspicious/noTemplateCurlyInString: configuration values spell ${VAR} literally
/**
 * The `llmux` command as a person meets it: every mistake is loud (exit status 2 for the command line, 1 for
 * the configuration, a message naming what was wrong), and help and version work as Node CLIs do. Each case
 * runs the built command (dist/bundle/llmux.js, the package's bin) in an empty directory.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands.js";
import { dispatch } from "../../src/cli/dispatch.js";
import { emptyDir, llmux, ROOT, type Run } from "./run.js";

const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

describe("command-line mistakes exit 2 and name the mistake", () => {
  it("a misspelt option, with the option meant", async () => {
    const r = await llmux(["start", "--confg", "x.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("llmux start: unknown option '--confg' (did you mean '--config'?)");
    expect(r.stderr).toContain("Run 'llmux help start' for usage.");
    expect(r.stdout).toBe("");
  });

  it("--config without a value, also before another option and on the default command", async () => {
    for (const args of [["start", "--config"], ["start", "--config", "--port", "5000"], ["--config"]]) {
      const r = await llmux(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toContain("llmux start: --config needs a value: --config FILE");
    }
  });

  it("an unknown command, with the command meant when one is close", async () => {
    const close = await llmux(["strat"]);
    expect(close.code).toBe(2);
    expect(close.stderr).toContain("llmux: unknown command 'strat' (did you mean 'start'?)");
    expect(close.stderr).toContain("Run 'llmux help' for usage.");
    const far = await llmux(["frobnicate"]);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain("unknown command 'frobnicate'");
    expect(far.stderr).not.toContain("did you mean");
  });

  it("help for a command that does not exist", async () => {
    const r = await llmux(["help", "mokc"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'mokc' (did you mean 'mock'?)");
  });

  it("an option value of the wrong form, an unexpected argument, a value given to a flag", async () => {
    const port = await llmux(["mock", "--port", "abc"]);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain("llmux mock: --port must be a port number from 0 to 65535, got 'abc'");
    const extra = await llmux(["start", "llmux.yaml"]);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain("llmux start: unexpected argument 'llmux.yaml'");
    const flag = await llmux(["mock", "--strict=yes"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("llmux mock: --strict takes no value");
    const short = await llmux(["schema", "-x"]);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("llmux schema: unknown option '-x'");
  });
});

describe("version and help", () => {
  it("--version and -v print the version", async () => {
    for (const flag of ["--version", "-v"]) {
      const r = await llmux([flag]);
      expect(r).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
    }
  });

  it("a misspelt --version or --help is named, not taken for an option of start", async () => {
    const r = await llmux(["--verson"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--verson'");
    expect(r.stderr).toMatch(/did you mean.*--version/i);
    expect(r.stderr).not.toContain("llmux start:");
  });

  it("help, --help and -h list every command", async () => {
    const outputs = await Promise.all([llmux(["help"]), llmux(["--help"]), llmux(["-h"])]);
    for (const r of outputs) {
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(outputs[0]!.stdout);
      expect(r.stdout).toContain(`llmux ${VERSION}`);
      for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c.name} `, "m"));
      expect(r.stdout).toContain("-v, --version");
    }
  });

  it("llmux help start names its options", async () => {
    const r = await llmux(["help", "start"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: llmux start \[OPTIONS\]/);
    for (const o of ["-c, --config FILE", "-p, --port N", "--host ADDRESS", "-h, --help"])
      expect(r.stdout).toContain(o);
  });

  it("every command answers --help, -h and `llmux help COMMAND` alike, listing each of its options", async () => {
    // Every command through the dispatcher the built command runs (in this process: 27 commands × 3 forms)…
    const run = async (argv: string[]): Promise<Run> => {
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (t: string) => out.push(`${t}\n`), err: (t: string) => err.push(`${t}\n`) };
      const code = (await dispatch(argv, COMMANDS, {}, io, VERSION)) as number;
      return { code, stdout: out.join(""), stderr: err.join("") };
    };
    for (const c of COMMANDS) {
      const [a, b, h] = [await run(["help", c.name]), await run([c.name, "--help"]), await run([c.name, "-h"])];
      expect(a.code, c.name).toBe(0);
      expect(b).toEqual(a);
      expect(h).toEqual(a);
      expect(a.stdout).toContain(`Usage: llmux ${c.name}`);
      for (const name of Object.keys(c.options ?? {})) expect(a.stdout, `${c.name} --${name}`).toContain(`--${name}`);
    }
    // …and the built command answers the same: `start` (which loads its own module alone) and one of the others.
    for (const name of ["start", "keys"]) {
      const expected = await run(["help", name]);
      const [a, b, h] = await Promise.all([llmux(["help", name]), llmux([name, "--help"]), llmux([name, "-h"])]);
      for (const r of [a, b, h]) expect(r, name).toEqual(expected);
    }
  });

  it("--help wins over other options, even a misspelt one", async () => {
    const r = await llmux(["start", "--confg", "x", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: llmux start");
  });

  it("llmux schema prints the JSON Schema", async () => {
    const r = await llmux(["schema"]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { $schema: string }).$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  });
});

describe("a half-set environment stops llmux with the missing variable named (no mock)", () => {
  const cases: [Record<string, string>, string][] = [
    [{ AZURE_API_KEY: "k" }, "AZURE_API_KEY is set, but AZURE_BASE_URL is not"],
    [{ AZURE_BASE_URL: "https://r.openai.azure.com" }, "AZURE_BASE_URL is set, but AZURE_API_KEY is not"],
    [
      { AZURE_OPENAI_ENDPOINT: "https://r.openai.azure.com" },
      "AZURE_OPENAI_ENDPOINT is set, but AZURE_OPENAI_API_KEY is not",
    ],
    [{ AZURE_OPENAI_API_KEY: "k" }, "AZURE_OPENAI_API_KEY is set, but AZURE_OPENAI_ENDPOINT is not"],
    [{ KIMI_BASE_URL: "https://api.moonshot.ai/v1" }, "KIMI_BASE_URL is set, but KIMI_API_KEY is not"],
    [{ LLMUX_OPENAI_BASE_URL: "https://api.openai.com/v1" }, "LLMUX_OPENAI_BASE_URL is set, but OPENAI_API_KEY is not"],
  ];
  for (const [env, message] of cases) {
    it(Object.keys(env).join(" + "), async () => {
      const r = await llmux(["start", "--port", "0"], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("incomplete provider environment");
      expect(r.stderr).toContain(message);
      expect(r.stdout).not.toContain("listening");
      expect(r.stdout + r.stderr).not.toContain("mock");
    });
  }
});

describe("configuration mistakes exit 1, one line per problem", () => {
  function configFile(text: string): { dir: string; file: string } {
    const dir = emptyDir();
    const file = join(dir, "llmux.yaml");
    writeFileSync(file, text);
    return { dir, file };
  }

  it("did you mean for misspelt keys, the bad value echoed with the likely one", async () => {
    const { file } = configFile(
      [
        "server: { prot: 4000 }",
        "providers:",
        "  oa: { type: openai, apikey: sk-secret-value }",
        "models:",
        "  m: { provider: oa, reasoning: { effort: hgih, sumary: auto } }",
        "",
      ].join("\n"),
    );
    const r = await llmux(["start", "--config", file]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toBe(`invalid configuration in ${file}:`);
    expect(lines.slice(1).sort()).toEqual(
      [
        "  - server: unknown key 'prot' (did you mean 'port'?)",
        "  - providers.oa: unknown key 'apikey' (did you mean 'api_key'?)",
        "  - models.m.reasoning: unknown key 'sumary' (did you mean 'summary'?)",
        "  - models.m.reasoning.effort: \"hgih\" is not one of none, minimal, low, medium, high, xhigh, max (did you mean 'high'?)",
      ].sort(),
    );
    expect(r.stderr).not.toContain("sk-secret-value");
  });

  it("./llmux.yaml is found in the working directory and its errors name it", async () => {
    const { dir } = configFile("server: { hots: 0.0.0.0 }\n");
    const r = await llmux(["start"], {}, dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("server: unknown key 'hots' (did you mean 'host'?)");
  });

  it("an unquoted ${VAR} inside { } gets a hint", async () => {
    const { file } = configFile("providers:\n  oa: { type: openai, api_key: ${OPENAI_API_KEY} }\n");
    const r = await llmux(["start", "--config", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:2:`);
    expect(r.stderr).toContain('quote values that use a variable: "${OPENAI_API_KEY}"');
  });

  it("an unset variable in a number is one problem, not two", async () => {
    const { file } = configFile('server: { port: "${LLMUX_TEST_PORT}" }\n');
    const r = await llmux(["start", "--config", file]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      `invalid configuration in ${file}:`,
      "  - server.port: environment variable LLMUX_TEST_PORT is not set",
    ]);
  });

  it("a TLS file that cannot be read names its key", async () => {
    const { file } = configFile("server: { tls: { cert: /nonexistent/cert.pem, key: /nonexistent/key.pem } }\n");
    const r = await llmux(["start", "--config", file, "--port", "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("server.tls.cert: cannot read '/nonexistent/cert.pem' (no such file)");
  });

  it("a port already in use says so", async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const port = (busy.address() as AddressInfo).port;
    try {
      const r = await llmux(["start", "--port", String(port)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `llmux: port ${port} on 127.0.0.1 is already in use (another llmux?); choose another with --port`,
      );
    } finally {
      busy.close();
    }
  });

  it("a file that is not there", async () => {
    const r = await llmux(["start", "--config", "nope.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("nope.yaml: cannot read the file (ENOENT)");
  });
});
