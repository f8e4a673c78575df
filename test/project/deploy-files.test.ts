import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { healthPort } from "../../src/cli/health-port.js";
import { parseConfig } from "../../src/config/load.js";

const ROOT = join(import.meta.dirname, "../..");
const read = (p: string) => readFileSync(join(ROOT, p), "utf8");

/**
 * The deployment recipes cannot be built into images here (no base-image registry), so they are checked
 * the way a reviewer would: parsed by the YAML library, the HAProxy file by HAProxy itself, the llmux
 * configurations by llmux's own schema, and the properties that matter asserted.
 */
describe("Dockerfile", () => {
  const df = read("Dockerfile");
  it("builds in one stage and runs as the unprivileged node user with a health check on /health", () => {
    expect(df.match(/^FROM /gm)).toHaveLength(2);
    expect(df).toMatch(/^USER node$/m);
    expect(df).toMatch(/^HEALTHCHECK .*\n?.*\/health/m);
    expect(df).toMatch(/npm prune --omit=dev/);
    expect(df).toMatch(/ENTRYPOINT \["node", "\/app\/dist\/bundle\/llmux\.js", "start", "--host", "0\.0\.0\.0"\]/);
    // The entry is built: the compile is followed by the bundles (Kysely's, then the command's).
    expect(df).toMatch(
      /tsc -p tsconfig\.build\.json && node scripts\/vendor-bundle\.mjs && node scripts\/serve-bundle\.mjs/,
    );
  });
  it("copies only what the image needs (.dockerignore keeps tests, caches and local data out)", () => {
    const ignore = read(".dockerignore").split("\n");
    for (const p of ["node_modules", "dist", ".git", ".llmux", "test", "llmux.yaml"]) expect(ignore).toContain(p);
  });
});

describe("docker-compose.yml", () => {
  const compose = parseYaml(read("docker-compose.yml"), { merge: true }) as {
    services: Record<
      string,
      { image?: string; build?: string; pull_policy?: string; depends_on?: unknown; environment?: object }
    >;
  };
  it("runs two llmux instances of one image, built once, behind HAProxy, with PostgreSQL, Redis and SearXNG", () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      "haproxy",
      "llmux-1",
      "llmux-2",
      "postgres",
      "redis",
      "searxng",
    ]);
    const [one, two] = [compose.services["llmux-1"]!, compose.services["llmux-2"]!];
    expect(one.build).toBe(".");
    expect(two.build).toBeUndefined();
    expect(one.image).toBe("llmux:local");
    expect(two.image).toBe(one.image);
    expect(two.pull_policy).toBe("never");
  });
  it("passes a real provider's secret through the environment, and HAProxy tells llmux the client's address", () => {
    for (const n of ["llmux-1", "llmux-2"])
      expect(compose.services[n]!.environment).toMatchObject({ ANTHROPIC_API_KEY: `\${ANTHROPIC_API_KEY:-}` });
    expect(read("deploy/compose/llmux.yaml")).toContain(`api_key: "\${ANTHROPIC_API_KEY}"`);
    expect(read("deploy/compose/haproxy.cfg")).toMatch(/^\s+option forwardfor$/m);
  });
  it("listens where HAProxy and the health check look: the configuration's port", () => {
    const port = (parseYaml(read("deploy/compose/llmux.yaml")) as { server: { port: number } }).server.port;
    const servers = [...read("deploy/compose/haproxy.cfg").matchAll(/^\s+server \S+ llmux-\d:(\d+) /gm)];
    expect(servers).toHaveLength(2);
    for (const m of servers) expect(Number(m[1])).toBe(port);
    expect(read("Dockerfile")).toMatch(/^\s+CMD \["node", "\/app\/dist\/cli\/healthcheck\.js"\]$/m);
    expect(healthPort({ LLMUX_CONFIG: join(ROOT, "deploy/compose/llmux.yaml") })).toBe(port);
  });
  it("gives both instances a configuration llmux accepts, sharing PostgreSQL and Redis", () => {
    const env = {
      LLMUX_SERVICE_KEY: "s",
      LLMUX_ADMIN_KEY: "a",
      LLMUX_MASTER_KEY: "m".repeat(32),
      LLMUX_REASONING_SECRET: "r".repeat(16),
    };
    const config = parseConfig(parseYaml(read("deploy/compose/llmux.yaml")), env);
    expect(config.store.url).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(config.state.url).toBe("redis://redis:6379");
    expect(config.reasoning.secret).toBeDefined();
    expect(config.search?.providers.searxng).toMatchObject({ kind: "searxng", url: "http://searxng:8080" });
  });
  it("runs SearXNG with its JSON API on, its settings mounted, on the compose network only", () => {
    const sx = compose.services.searxng as { volumes?: string[]; ports?: unknown; environment?: object };
    expect(sx.volumes).toContain("./deploy/compose/searxng/settings.yml:/etc/searxng/settings.yml:ro");
    expect(sx.ports).toBeUndefined();
    expect(sx.environment).toHaveProperty("SEARXNG_SECRET");
    const settings = parseYaml(read("deploy/compose/searxng/settings.yml")) as { search: { formats: string[] } };
    expect(settings.search.formats).toContain("json");
  });
  it("has an HAProxy configuration HAProxy itself accepts", () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-haproxy-"));
    const cfg = join(dir, "haproxy.cfg");
    // The compose service names do not resolve here; the check is of the file's syntax and semantics.
    writeFileSync(cfg, read("deploy/compose/haproxy.cfg").replace(/llmux-(\d):4000/g, "127.0.0.1:400$1"));
    const out = execFileSync("haproxy", ["-c", "-f", cfg], { encoding: "utf8", stdio: "pipe" });
    expect(out).toMatch(/Configuration file is valid/);
  });
});

describe("Kubernetes manifests", () => {
  const dir = join(ROOT, "deploy/kubernetes");
  // biome-ignore lint/suspicious/noExplicitAny: manifests are read as untyped documents and probed by path.
  type Manifest = Record<string, any>;
  const docs = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS() as Manifest));
  // llmux's own objects (SearXNG's, searxng.yaml, are checked on their own).
  const kind = (k: string) => docs.find((d) => d.kind === k && !String(d.metadata?.name).startsWith("searxng"))!;

  it("are all well-formed objects with apiVersion and kind", () => {
    expect(docs.length).toBeGreaterThanOrEqual(6);
    for (const d of docs) {
      expect(typeof d.apiVersion).toBe("string");
      expect(typeof d.kind).toBe("string");
    }
  });
  it("probe readiness and liveness on /health, run as non-root, and survive disruptions one pod at a time", () => {
    const dep = kind("Deployment");
    const c = dep.spec.template.spec.containers[0];
    expect(c.readinessProbe.httpGet.path).toBe("/health");
    expect(c.livenessProbe.httpGet.path).toBe("/health");
    expect(dep.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(dep.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(kind("PodDisruptionBudget").spec.maxUnavailable).toBe(1);
    expect(kind("PodDisruptionBudget").spec.selector.matchLabels).toEqual(dep.spec.selector.matchLabels);
    expect(kind("Service").spec.selector).toEqual(dep.spec.selector.matchLabels);
  });
  it("ship a configuration llmux accepts", () => {
    const yaml = kind("ConfigMap").data["llmux.yaml"];
    const env = Object.fromEntries(Object.entries(kind("Secret").stringData as Record<string, string>));
    const config = parseConfig(parseYaml(yaml), env);
    expect(config.store.url).toMatch(/^postgres:/);
    expect(config.state.url).toMatch(/^redis:/);
    expect(config.search?.providers.searxng).toMatchObject({ kind: "searxng", url: "http://searxng:8080" });
  });
  it("run SearXNG beside llmux: its JSON API on, a Service on the port llmux's configuration names", () => {
    const named = (k: string) => docs.find((d) => d.kind === k && d.metadata?.name?.startsWith("searxng"))!;
    const settings = parseYaml(named("ConfigMap").data["settings.yml"]) as { search: { formats: string[] } };
    expect(settings.search.formats).toContain("json");
    const dep = named("Deployment");
    expect(named("Service").spec.selector).toEqual(dep.spec.selector.matchLabels);
    expect(named("Service").spec.ports[0].port).toBe(8080);
    expect(dep.spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key).toBe("SEARXNG_SECRET");
    expect(kind("Secret").stringData).toHaveProperty("SEARXNG_SECRET");
  });
  it("list every manifest but the example secret in the kustomization", () => {
    const k = kind("Kustomization");
    const files = readdirSync(dir).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
    expect([...k.resources, "secret.example.yaml"].sort()).toEqual(files.sort());
  });
});

describe("systemd unit", () => {
  const unit = read("deploy/systemd/llmux.service");
  it("starts one worker per core, reloads with SIGHUP and stops with SIGTERM, unprivileged", () => {
    expect(unit).toMatch(/^ExecStart=.*start --workers auto$/m);
    expect(unit).toMatch(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).toMatch(/^User=llmux$/m);
    expect(unit).toMatch(/^NoNewPrivileges=true$/m);
  });
});
