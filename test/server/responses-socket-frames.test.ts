/**
 * A Responses WebSocket frame is read as a request body is: a frame nested 16,000 deep (32 KB) overflowed the
 * stack when its turn was serialised, nothing caught it, and the process ended (found by the fuzz suite, fuzz/).
 * It is refused with an error frame naming the depth; so is a frame of more arrays and objects than a body may
 * hold; the socket and the process go on serving.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JSON_CONTAINER_LIMIT } from "../../src/http/json-containers.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { codexTurn, ResponsesSocket, textOf, userText } from "../support/ws-client.js";

const last = (f: { type?: unknown }) => f.type === "response.completed" || f.type === "error";

describe("Responses WebSocket frames read within a body's bounds", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("refuses a frame nested 16,000 deep with an error frame, then serves the next turn", async () => {
    const s = await ResponsesSocket.open(h.url, undefined);
    try {
      const deep = `${"[".repeat(16_000)}1${"]".repeat(16_000)}`;
      s.ws.send(`{"type":"response.create","model":${deep},"input":"hi"}`);
      const refused = await s.until(0, last);
      expect(refused.at(-1)).toMatchObject({ type: "error", status: 400 });
      expect(JSON.stringify(refused.at(-1))).toMatch(/The frame nests arrays and objects deeper than 128 levels/);
      const turn = await s.turn(codexTurn("via-openai-chat", [userText("still here?")]));
      expect(turn.at(-1)?.type).toBe("response.completed");
      expect(textOf(turn).length).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  });

  it("names a frame type that is not a string without converting it, and goes on serving", async () => {
    // `String([{toString: false}])` throws: thrown from the socket's message handler, it ended the process
    // (found by the fuzz suite).
    const s = await ResponsesSocket.open(h.url, undefined);
    try {
      s.ws.send('{"type":[{"toString":false}],"model":"via-openai-chat"}');
      const refused = await s.until(0, last);
      expect(refused.at(-1)).toMatchObject({ type: "error", status: 400 });
      expect(JSON.stringify(refused.at(-1))).toContain("Unsupported frame type (an array)");
      const turn = await s.turn(codexTurn("via-openai-chat", [userText("still here?")]));
      expect(turn.at(-1)?.type).toBe("response.completed");
    } finally {
      await s.close();
    }
  });

  it("refuses a frame of more arrays and objects than a body may hold", async () => {
    const s = await ResponsesSocket.open(h.url, undefined);
    try {
      s.ws.send(
        `{"type":"response.create","model":"via-openai-chat","metadata":[${"{},".repeat(JSON_CONTAINER_LIMIT)}{}]}`,
      );
      const refused = await s.until(0, last);
      expect(refused.at(-1)).toMatchObject({ type: "error", status: 400 });
      expect(JSON.stringify(refused.at(-1))).toMatch(
        new RegExp(`more than ${JSON_CONTAINER_LIMIT.toLocaleString("en-US")} arrays and objects`),
      );
    } finally {
      await s.close();
    }
  });
});
