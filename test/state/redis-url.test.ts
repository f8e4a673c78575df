/**
 * `state.url` read as a Redis topology (src/state/redis-url.ts): one server, Sentinels naming a primary, or a
 * Redis Cluster's nodes. A URL llmux cannot read is refused naming `state.url` and what is wrong, never with
 * its password; the configuration refuses a list of hosts under redis:// and names the schemes that take one.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { hashTag } from "../../src/state/keys.js";
import { describeRedisTarget, parseRedisTarget, safeRedisUrl } from "../../src/state/redis-url.js";

describe("state.url topologies", () => {
  it("one server: the URL as it is", () => {
    expect(parseRedisTarget("rediss://:pw@cache:6380/2")).toEqual({ kind: "single", url: "rediss://:pw@cache:6380/2" });
  });

  it("Sentinel: the Sentinels, the primary's name, the database and the passwords", () => {
    expect(
      parseRedisTarget(
        "redis+sentinel://app:s%40cret@10.0.0.1:26379,[::1]:26380,sentinel-c/mymaster?db=3&sentinel_password=sp",
      ),
    ).toEqual({
      kind: "sentinel",
      sentinels: [
        { host: "10.0.0.1", port: 26379 },
        { host: "::1", port: 26380 },
        { host: "sentinel-c", port: 26379 },
      ],
      name: "mymaster",
      db: 3,
      username: "app",
      password: "s@cret",
      sentinelPassword: "sp",
      tls: false,
    });
  });

  it("Cluster: the nodes, TLS with rediss+cluster", () => {
    expect(parseRedisTarget("rediss+cluster://:pw@h1:7000,h2:7001,h3")).toEqual({
      kind: "cluster",
      nodes: [
        { host: "h1", port: 7000 },
        { host: "h2", port: 7001 },
        { host: "h3", port: 6379 },
      ],
      username: undefined,
      password: "pw",
      tls: true,
    });
  });

  it.each([
    ["redis://a:6379,b:6379", /a list of hosts needs redis\+sentinel/],
    ["redis+sentinel://a:26379,b:26379", /name the primary/],
    ["redis+sentinel://a:26379/mymaster?db=x", /db "x" is not a database number/],
    ["redis+sentinel://a:26379/mymaster?timeout=3", /unknown parameter "timeout"/],
    ["redis+cluster://a:7000,b:7001/0", /a Redis Cluster has only database 0/],
    ["redis+cluster://a:7000?db=1", /a cluster URL takes none/],
    ["redis+cluster://", /no cluster node listed/],
    ["redis+cluster://a:70000", /port 70000/],
    ["redis+cluster://a b:7000", /is not host:port/],
    ["memcached://a:11211", /use redis:\/\//],
  ])("%s is refused, naming state.url and what is wrong", (url, why) => {
    expect(() => parseRedisTarget(url)).toThrow(/^state\.url /);
    expect(() => parseRedisTarget(url)).toThrow(why);
  });

  it("errors and messages never carry the password", () => {
    const url = "redis+sentinel://user:hunter2@a:26379/mymaster?db=x";
    expect(() => parseRedisTarget(url)).toThrow(/user:\*\*\*@/);
    expect(() => parseRedisTarget(url)).not.toThrow(/hunter2/);
    expect(safeRedisUrl("redis+cluster://:hunter2@a:7000,b:7001")).toBe("redis+cluster://:***@a:7000,b:7001");
  });

  it("the configuration takes the Sentinel and Cluster schemes and names them for a bare list", () => {
    const base = { providers: {}, models: {} };
    expect(parseConfig({ ...base, state: { url: "redis+sentinel://a:26379/m" } }, {}).state.url).toBe(
      "redis+sentinel://a:26379/m",
    );
    expect(parseConfig({ ...base, state: { url: "redis+cluster://a:7000,b:7001" } }, {}).state.url).toBe(
      "redis+cluster://a:7000,b:7001",
    );
    expect(() => parseConfig({ ...base, state: { url: "redis://a:7000,b:7001" } }, {})).toThrow(/state\.url/);
  });

  it("the start line names the topology without secrets", () => {
    expect(describeRedisTarget("redis://:pw@127.0.0.1:6379")).toBe("redis 127.0.0.1:6379");
    expect(describeRedisTarget("redis+sentinel://:pw@a:26379,[::1]:26380/mymaster")).toBe(
      "redis sentinel mymaster via a:26379,[::1]:26380",
    );
    expect(describeRedisTarget("rediss+cluster://:pw@a:7000,b:7001")).toBe("rediss cluster a:7000,b:7001");
    expect(describeRedisTarget("redis+cluster://")).toBe("(unreadable URL)");
  });

  it("hash tags are read as Redis Cluster reads them", () => {
    expect(hashTag("llmux:rpm:{key:1}")).toBe("key:1");
    expect(hashTag("llmux:x:{}:{a}")).toBeUndefined();
    expect(hashTag("llmux:x:{a")).toBeUndefined();
    expect(hashTag("a{b}{c}")).toBe("b");
  });
});
