/**
 * The deployment recipes, tried as far as this machine allows (no container engine, no image registry):
 * the compose setup's own files run for real — its llmux configuration in two processes started with the
 * Dockerfile's ENTRYPOINT, behind its HAProxy file, on PostgreSQL and a Redis of the test's own — the
 * Dockerfile's HEALTHCHECK command is run against them, the Kubernetes manifests are validated against
 * the Kubernetes API schemas, and the systemd unit by systemd-analyze.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml, stringify } from "yaml";
import { freshPostgres, type TestLocation } from "../support/engines.js";
import { freePort } from "../support/instances.js";
import { type RedisServer, startRedisServer } from "../support/redis-server.js";

const ROOT = join(import.meta.dirname, "../..");
const read = (p: string) => readFileSync(join(ROOT, p), "utf8");
const require = createRequire(import.meta.url);

/** The JSON array of a Dockerfile instruction (ENTRYPOINT, HEALTHCHECK's CMD), continuation lines joined. */
function instruction(df: string, name: RegExp): string[] {
  const joined = df.replace(/\\\n\s*/g, " ");
  const m = new RegExp(`^${name.source}\\s*(\\[.*\\])\\s*$`, "m").exec(joined);
  if (!m) throw new Error(`no ${name.source} in the Dockerfile`);
  return JSON.parse(m[1]!) as string[];
}

function waitForOutput(child: ChildProcess, pattern: RegExp, out: string[], ms = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out: ${out.join("")}`)), ms);
    const check = (b: Buffer) => {
      out.push(b.toString());
      if (pattern.test(out.join(""))) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    child.stderr!.on("data", check);
    child.once("exit", (code) => reject(new Error(`exited ${code}: ${out.join("")}`)));
  });
}

describe("the compose recipe, run without containers", () => {
  const env = {
    LLMUX_SERVICE_KEY: "svc-key-for-the-recipe",
    LLMUX_ADMIN_KEY: "admin-key-for-the-recipe",
    LLMUX_MASTER_KEY: "m".repeat(32),
    LLMUX_REASONING_SECRET: "r".repeat(24),
  };
  let where: TestLocation;
  let redis: RedisServer;
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  let lbPort = 0;

  beforeAll(async () => {
    where = await freshPostgres();
    redis = await startRedisServer();
    // deploy/compose/llmux.yaml as it is, with the compose service names pointed at this machine's servers.
    const dir = mkdtempSync(join(tmpdir(), "llmux-recipe-"));
    const config = parseYaml(read("deploy/compose/llmux.yaml")) as Record<string, Record<string, string>>;
    config.store!.url = where.url!;
    config.state!.url = redis.url;
    const configFile = join(dir, "llmux.yaml");
    writeFileSync(configFile, stringify(config));
    // Started as the image starts them: the Dockerfile's ENTRYPOINT (its /app is this checkout) and ENV.
    const entry = instruction(read("Dockerfile"), /ENTRYPOINT/).map((a) => a.replace(/^\/app\//, `${ROOT}/`));
    expect(entry[0]).toBe("node");
    for (const n of [1, 2]) {
      const port = await freePort();
      ports.push(port);
      const out: string[] = [];
      const child = spawn(process.execPath, entry.slice(1), {
        cwd: mkdtempSync(join(tmpdir(), `llmux-recipe-${n}-`)),
        env: {
          PATH: process.env.PATH ?? "",
          NODE_ENV: "production",
          LLMUX_CONFIG: configFile,
          PORT: String(port),
          ...env,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.push(child);
      await waitForOutput(child, /listening on/, out);
    }
    // deploy/compose/haproxy.cfg as it is, its servers and bind address pointed at this machine.
    lbPort = await freePort();
    const cfg = join(dir, "haproxy.cfg");
    writeFileSync(
      cfg,
      read("deploy/compose/haproxy.cfg")
        .replace(/bind \*:4000/, `bind 127.0.0.1:${lbPort}`)
        .replace(/llmux-(\d):4000/g, (_, n: string) => `127.0.0.1:${ports[Number(n) - 1]}`),
    );
    const lb = spawn("haproxy", ["-db", "-f", cfg], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(lb);
    const end = Date.now() + 15_000;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${lbPort}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > end) throw new Error("haproxy with deploy/compose/haproxy.cfg did not answer");
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 90_000);

  afterAll(async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once("exit", () => resolve());
            c.kill("SIGTERM");
          }),
      ),
    );
    await redis?.close();
    await where?.drop();
  });

  it("serves through its balancer: the service key works, a key minted on one instance works on the other", async () => {
    const lb = `http://127.0.0.1:${lbPort}`;
    const chat = (base: string, key: string) =>
      fetch(`${base}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: "llmux-mock", messages: [{ role: "user", content: "hello" }] }),
      });
    for (let i = 0; i < 4; i++) expect((await chat(lb, env.LLMUX_SERVICE_KEY)).status).toBe(200);
    const minted = await fetch(`http://127.0.0.1:${ports[0]}/admin/v1/keys`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${env.LLMUX_ADMIN_KEY}` },
      body: JSON.stringify({ name: "recipe" }),
    });
    expect(minted.status).toBe(201);
    const { key } = (await minted.json()) as { key: string };
    expect((await chat(`http://127.0.0.1:${ports[1]}`, key)).status).toBe(200);
  });

  it("the Dockerfile's HEALTHCHECK command passes against a running instance and fails against none", async () => {
    const check = instruction(read("Dockerfile"), /HEALTHCHECK .*CMD/).map((a) => a.replace(/^\/app\//, `${ROOT}/`));
    expect(check[0]).toBe("node");
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, check.slice(1), { env, timeout: 10_000 }).status;
    expect(run({ PORT: String(ports[0]) })).toBe(0);
    expect(run({ PORT: String(await freePort()) })).toBe(1);
    // Without PORT it asks the port of the configuration, as llmux does.
    const dir = mkdtempSync(join(tmpdir(), "llmux-health-"));
    const at = (port: number) => {
      const file = join(dir, `llmux-${port}.yaml`);
      writeFileSync(file, stringify({ server: { port } }));
      return file;
    };
    expect(run({ LLMUX_CONFIG: at(ports[1]!) })).toBe(0);
    expect(run({ LLMUX_CONFIG: at(await freePort()) })).toBe(1);
  });
});

describe("Kubernetes manifests against the Kubernetes API schemas", () => {
  const dir = join(ROOT, "deploy/kubernetes");
  // biome-ignore lint/suspicious/noExplicitAny: manifests are untyped documents
  type Manifest = Record<string, any>;
  const docs = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => ({ f, m: d.toJS() as Manifest })));

  /** The kubernetes-models class of a manifest (kubernetes-models/<group>/<version>/<Kind>). */
  function modelOf(m: Manifest): new (o: Manifest) => { validate(): void } {
    const [group, version] = String(m.apiVersion).includes("/") ? String(m.apiVersion).split("/") : ["", m.apiVersion];
    const path = group ? `kubernetes-models/${group}/${version}/${m.kind}` : `kubernetes-models/${version}/${m.kind}`;
    return (require(path) as Record<string, new (o: Manifest) => { validate(): void }>)[m.kind]!;
  }

  it("every object but the Kustomization is valid for its kind", () => {
    const objects = docs.filter((d) => d.m.kind !== "Kustomization");
    // llmux's, and SearXNG's beside it (searxng.yaml: a ConfigMap, a Deployment, a Service).
    expect(objects.map((d) => d.m.kind).sort()).toEqual(
      [
        "ConfigMap",
        "ConfigMap",
        "Deployment",
        "Deployment",
        "PodDisruptionBudget",
        "Secret",
        "Service",
        "Service",
      ].sort(),
    );
    for (const { f, m } of objects) expect(() => new (modelOf(m))(m).validate(), f).not.toThrow();
  });

  it("the validation catches what a cluster would refuse (a port as a string)", () => {
    const dep = structuredClone(docs.find((d) => d.m.kind === "Deployment" && d.m.metadata.name === "llmux")!.m);
    dep.spec.template.spec.containers[0].ports[0].containerPort = "4000";
    expect(() => new (modelOf(dep))(dep).validate()).toThrow(/containerPort/);
  });
});

describe("the systemd unit", () => {
  const verify = (file: string) =>
    spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8", timeout: 30_000 });

  it("passes systemd-analyze verify without a word, where a broken unit does not", () => {
    if (spawnSync("systemd-analyze", ["--version"]).error)
      throw new Error("systemd-analyze is not installed (Debian package systemd)");
    const dir = mkdtempSync(join(tmpdir(), "llmux-unit-"));
    const unit = join(dir, "llmux.service");
    writeFileSync(unit, read("deploy/systemd/llmux.service"));
    const ok = verify(unit);
    expect(`${ok.stdout}${ok.stderr}`.trim()).toBe("");
    const broken = join(dir, "broken.service");
    writeFileSync(
      broken,
      read("deploy/systemd/llmux.service").replace("KillSignal=SIGTERM", "KillSignal=SIGTERMINATE"),
    );
    expect(`${verify(broken).stdout}${verify(broken).stderr}`).toMatch(/KillSignal|signal/i);
    expect(execFileSync("systemd-analyze", ["--version"], { encoding: "utf8" })).toMatch(/^systemd \d+/);
  });
});
