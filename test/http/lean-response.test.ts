/**
 * LeanResponse (src/http/lean-response.ts), the gateway's responses: headers set before the head wait in one
 * plain object and leave with the head. Node's own ServerResponse is the oracle: for each way a response is
 * written (headers set, then a head with its own, as an object or an array; an implicit head; headers removed
 * or appended), the bytes of the head are node's, and so are the errors. Node's store of set headers (an
 * object and an array per header, kept for the life of the response) is never made.
 */
import { createServer, type OutgoingHttpHeaders, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { LeanResponse } from "../../src/http/lean-response.js";
import { rawHead } from "../support/raw-head.js";

type Handler = (res: ServerResponse) => void;

/** The head a server with responses of `Class` sends for `handler`. */
function headOf(Class: typeof ServerResponse, handler: Handler): Promise<string> {
  return rawHead(createServer({ ServerResponse: Class }, (_req, res) => handler(res)));
}

const LEAN = LeanResponse as typeof ServerResponse;

/** A head's lines, in order of their text. */
const lines = (head: string) => head.split("\r\n").sort();

/** What node's own response and the lean one send for the same handler. */
async function both(handler: Handler): Promise<[string, string]> {
  return [await headOf(ServerResponse, handler), await headOf(LEAN, handler)];
}

/** Node's store of headers set with setHeader (null until one is set). */
function outHeaders(res: ServerResponse): unknown {
  const sym = Object.getOwnPropertySymbols(res).find((s) => s.description === "kOutHeaders");
  return sym === undefined ? undefined : (res as unknown as Record<symbol, unknown>)[sym];
}

describe("LeanResponse", () => {
  it("sends node's head for headers set before a head given its own (an object): the head's own win", async () => {
    const [node, lean] = await both((res) => {
      res.setHeader("x-request-id", "req_1");
      res.setHeader("llmux-route", "a/b");
      res.setHeader("llmux-session-cost-usd", ["0.1", "0.2"]);
      res.writeHead(200, { "content-type": "text/event-stream", "llmux-route": "c/d", "cache-control": "no-cache" });
      res.end("data: 1\n\n");
    });
    expect(lean).toBe(node);
    expect(lean).toContain("llmux-route: c/d\r\n");
    expect(lean).not.toContain("a/b");
    expect(lean).toContain("llmux-session-cost-usd: 0.1\r\nllmux-session-cost-usd: 0.2\r\n");
  });

  // Node's order of the lines differs here with V8's order of a dictionary's keys; the lines are node's.
  it("sends node's header lines for a head given as an array, with a status message", async () => {
    // (With headers set before it, node takes a flat array only.)
    for (const head of [["content-type", "application/json", "x-a", "2"]]) {
      const [node, lean] = await both((res) => {
        res.setHeader("x-a", "1");
        res.setHeader("x-b", "1");
        res.writeHead(202, "Taken", head as unknown as OutgoingHttpHeaders);
        res.end("{}");
      });
      expect(lines(lean)).toEqual(lines(node));
      expect(lean).toMatch(/^HTTP\/1\.1 202 Taken\r\n/);
      expect(lean).toContain("x-b: 1\r\n");
      expect(lean).not.toContain("x-a: 1");
    }
  });

  it("sends node's head when the head is implicit (end without writeHead), and after removeHeader and appendHeader", async () => {
    const handlers: Handler[] = [
      (res) => {
        res.statusCode = 201;
        res.setHeader("content-type", "text/plain");
        res.setHeader("x-request-id", "req_2");
        res.end("made");
      },
      (res) => {
        res.setHeader("x-gone", "1");
        res.removeHeader("x-gone");
        res.removeHeader("date");
        res.end("no date");
      },
      (res) => {
        res.appendHeader("set-cookie", "a=1");
        res.appendHeader("set-cookie", ["b=2", "c=3"]);
        res.writeHead(200);
        res.end();
      },
    ];
    for (const handler of handlers) {
      const [node, lean] = await both(handler);
      expect(lean).toBe(node);
    }
    const [, noDate] = await both(handlers[1]!);
    expect(noDate).not.toContain("<date>");
    expect(noDate).not.toContain("x-gone");
  });

  it("refuses what node refuses, when node refuses it", async () => {
    const errors = async (Class: typeof ServerResponse) => {
      const seen: string[] = [];
      await headOf(Class, (res) => {
        for (const bad of [
          () => res.setHeader("x-bad", "a\nb"),
          () => res.setHeader("bad name", "1"),
          () => res.appendHeader("x-bad", "a\r\nb"),
        ])
          try {
            bad();
            seen.push("none");
          } catch (err) {
            seen.push((err as { code?: string }).code ?? "?");
          }
        res.writeHead(200, { "content-type": "text/plain" });
        try {
          res.setHeader("x-late", "1");
          seen.push("none");
        } catch (err) {
          seen.push((err as { code?: string }).code ?? "?");
        }
        res.end();
      });
      return seen;
    };
    const node = await errors(ServerResponse);
    expect(node).toEqual(["ERR_INVALID_CHAR", "ERR_INVALID_HTTP_TOKEN", "ERR_INVALID_CHAR", "ERR_HTTP_HEADERS_SENT"]);
    expect(await errors(LEAN)).toEqual(node);
  });

  it("answers the content type after the head, and keeps no store of set headers", async () => {
    const seen: unknown[] = [];
    const handler: Handler = (res) => {
      res.setHeader("x-request-id", "req_3");
      seen.push(res.getHeader("X-Request-Id"), res.hasHeader("x-request-id"), res.getHeaderNames());
      res.writeHead(200, ["Content-Type", "text/event-stream"]);
      seen.push(res.getHeader("content-type"), outHeaders(res));
      res.end();
    };
    await headOf(LEAN, handler);
    expect(seen).toEqual(["req_3", true, ["x-request-id"], "text/event-stream", null]);
    // Node's own keeps an object with an array per header set, for the life of the response.
    seen.length = 0;
    await headOf(ServerResponse, handler);
    expect(seen[4]).toMatchObject({ "x-request-id": ["x-request-id", "req_3"] });
  });
});
