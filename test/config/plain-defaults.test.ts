/**
 * The configuration's defaults a started gateway reads as plain values (so that it never loads the schema,
 * nor zod: src/cli/config-aside.ts) are the schema's own: routing, the WebSocket settings, a recording given
 * as a directory, and the values the schema and the gateway share.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { recordSettings } from "../../src/config/record-settings.js";
import { ROUTING_DEFAULTS } from "../../src/config/routing-defaults.js";
import { RecordSchema } from "../../src/config/schema-observe.js";
import { RoutingSchema } from "../../src/config/schema-routing.js";
import { WebsocketSchema } from "../../src/config/schema-websocket.js";
import { noteSecrets, secretsOf } from "../../src/config/secrets-of.js";
import { WEBSOCKET_DEFAULTS, websocketSettings } from "../../src/config/websocket-settings.js";

describe("plain defaults, as the schema has them", () => {
  it("an alias's routing", () => {
    expect(RoutingSchema.parse({})).toEqual(ROUTING_DEFAULTS);
  });

  it("server.websocket, given as true, false or an empty object", () => {
    expect(WebsocketSchema.parse({})).toEqual(WEBSOCKET_DEFAULTS);
    expect(websocketSettings(WebsocketSchema.parse(undefined))).toEqual(websocketSettings(WebsocketSchema.parse({})));
    expect(websocketSettings(WebsocketSchema.parse(false))).toEqual({
      ...websocketSettings(undefined),
      enabled: false,
    });
  });

  it("logging.record given as a directory", () => {
    const dir = "/tmp/recordings";
    expect(recordSettings(RecordSchema.parse(dir))).toEqual(RecordSchema.parse({ dir }));
  });
});

describe("a configuration's secrets without the schema (src/config/secrets-of.ts)", () => {
  const config = parseConfig({
    providers: { a: { type: "openai", base_url: "https://api.example.com/v1", api_key: "sk-planted-walked-1234" } },
    models: {},
  });

  it("walks a configuration validated in this process", () => {
    expect(secretsOf(config).map((s) => s.value)).toContain("sk-planted-walked-1234");
  });

  it("prefers what the validation child answered for that configuration", () => {
    const copy = { ...config };
    noteSecrets(copy, [{ value: "sk-planted-noted-5678", kind: "value", path: "providers.a.api_key" }]);
    expect(secretsOf(copy).map((s) => s.value)).toEqual(["sk-planted-noted-5678"]);
    expect(secretsOf(config).map((s) => s.value)).toContain("sk-planted-walked-1234");
  });
});
