import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientSessionOf } from "../../src/clients/session-headers.js";
import { eventually, type Harness, startHarness } from "../support/gateway.js";
import { codexTurn, ResponsesSocket, userText } from "../support/ws-client.js";

describe("the session a client's headers name", () => {
  it("reads session-id (Codex 0.169), session_id and conversation_id (earlier), originator and turn metadata", () => {
    expect(clientSessionOf({ "session-id": "s-1", originator: "codex_exec" })).toEqual({
      sessionId: "s-1",
      originator: "codex_exec",
      conversationId: undefined,
      turnMetadata: undefined,
    });
    expect(clientSessionOf({ session_id: "s-2", conversation_id: "c-2" })).toMatchObject({
      sessionId: "s-2",
      conversationId: "c-2",
    });
    expect(clientSessionOf({ "x-codex-turn-metadata": '{"turn_id":"t"}' })?.turnMetadata).toBe('{"turn_id":"t"}');
    expect(clientSessionOf({ "user-agent": "curl" })).toBeUndefined();
  });

  describe("on requests", () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(() => h.close());

    it("an HTTP request's log line names its session and originator; unknown top-level fields are no 400", async () => {
      for (const model of ["via-azure-responses", "via-anthropic", "via-compat"]) {
        const res = await fetch(`${h.url}/v1/responses`, {
          method: "POST",
          headers: { "content-type": "application/json", "session-id": `http-${model}`, originator: "codex_exec" },
          body: JSON.stringify({
            ...codexTurn(model, [userText("hi")]),
            stream: false,
            client_metadata: { "x-codex-turn-metadata": "{}" },
            a_field_from_next_year: { anything: true },
          }),
        });
        expect(res.status).toBe(200);
        const line = await eventually(() => h.logs.find((l) => l.session === `http-${model}`));
        expect(line.originator).toBe("codex_exec");
      }
    });

    it("a socket's turns carry the upgrade's session headers", async () => {
      const s = await ResponsesSocket.open(h.url, undefined, "/v1/responses", { "session-id": "ws-session-7" });
      await s.turn({
        ...codexTurn("via-anthropic", [userText("hi")]),
        client_metadata: { "x-codex-turn-metadata": '{"turn_id":"t-1"}' },
      });
      await s.close();
      const line = await eventually(() => h.logs.find((l) => l.session === "ws-session-7"));
      expect(line).toMatchObject({ transport: "websocket", originator: "codex_exec" });
    });
  });
});
