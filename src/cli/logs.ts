import type { RequestDetail, RequestRow } from "../requestlog/view.js";
import { ADMIN_OPTIONS, type AdminClient, withClient } from "./admin-client.js";
import type { Command, CommandInput } from "./command.js";
import { stringOption, UsageError } from "./command.js";
import { requestsOf } from "./refs.js";
import { optFlag, optString } from "./values.js";

/**
 * How often --follow asks for new requests, and how far back it looks: a request is logged when it ends, by
 * when it started, so a stream that ran this long still shows when it ends.
 */
const FOLLOW_MS = 1000;
const FOLLOW_WINDOW_MS = 2 * 3600_000;
/** Pages of 500 read at most per look (the rest waits for the next look). */
const FOLLOW_PAGES = 20;

function limitOf(input: CommandInput): number {
  const v = optString(input, "limit");
  if (v === undefined) return 10;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new UsageError(`--limit must be 1 to 500, got '${v}'`, "logs");
  return n;
}

function colourOf(input: CommandInput): boolean {
  if (optFlag(input, "color")) return true;
  if (optFlag(input, "no-color")) return false;
  return process.stdout.isTTY === true && !input.env.NO_COLOR;
}

type Page = { rows: RequestRow[]; next_before: string | null };

/** The rows asked for (newest first), from the list route. */
async function page(c: AdminClient, query: Record<string, string>): Promise<RequestRow[]> {
  return ((await c.call("GET", "/admin/v1/requests", undefined, query)) as Page).rows;
}

/**
 * The rows of the window not shown yet (newest first): page after page while a page holds any, so that a
 * burst of more than a page between two looks is shown whole.
 */
async function unseen(c: AdminClient, query: Record<string, string>, seen: Map<string, number>): Promise<RequestRow[]> {
  const fresh: RequestRow[] = [];
  let before: string | null = null;
  for (let n = 0; n < FOLLOW_PAGES; n++) {
    const p = (await c.call("GET", "/admin/v1/requests", undefined, {
      ...query,
      limit: "500",
      ...(before ? { before } : {}),
    })) as Page;
    const mine = p.rows.filter((r) => !seen.has(r.id));
    fresh.push(...mine);
    before = p.next_before;
    if (!before || mine.length === 0) break;
  }
  return fresh;
}

export const logsCommand: Command = {
  name: "logs",
  summary: "Show logged requests: who, model and route, timings, tokens, cost, and the conversation.",
  description: [
    "Reads the request log from the configured store, or from a running llmux with --url (and --admin-key or",
    "$LLMUX_ADMIN_KEY). Each request is shown as a block: who called, which model and route, timings, tokens",
    "and cost, then the conversation as the model saw it (system prompt folded, Markdown rendered, code",
    "highlighted, tool calls with their arguments, tool results cut short, reasoning dimmed) and the answer.",
    "The conversation needs the bodies: set logging.bodies to errors or all. Oldest first, like a log;",
    "--follow keeps printing requests as they finish. Colours on a terminal, or with --color.",
  ].join("\n"),
  options: {
    ...ADMIN_OPTIONS,
    follow: { type: "boolean", short: "f", description: "Keep printing requests as they finish." },
    key: stringOption("KEY", "Only this key's requests (its name, its id key_…, or its holder's user label)."),
    user: stringOption("USER", "Only the requests of keys held by this user label."),
    model: stringOption("MODEL", "Only requests for this alias or model."),
    errors: { type: "boolean", description: "Only failed and refused requests." },
    limit: { type: "string", short: "n", value: "N", description: "How many of the latest requests (default 10)." },
    full: { type: "boolean", description: "Every line of long messages and tool results." },
    color: { type: "boolean", description: "Colours even when not writing to a terminal." },
    "no-color": { type: "boolean", description: "No colours, even on a terminal." },
  },
  arguments: [{ name: "id", optional: true, description: "One request's id (req_…): that request only." }],
  examples: [
    "llmux logs",
    "llmux logs -f --errors",
    "llmux logs --key alice-laptop --model claude-sonnet-4-5 -n 3",
    "llmux logs --user alice --errors",
    "llmux logs req_3kTf9… --full",
    "llmux logs --url http://127.0.0.1:4000 --follow",
  ],
  run: (input) => {
    const limit = limitOf(input);
    const colour = colourOf(input);
    const json = optFlag(input, "json");
    const width = process.stdout.columns ?? 100;
    return withClient(input, async (c) => {
      const { renderRequest } = await import("../requestlog/render.js");
      const detail = async (id: string) =>
        (await c.call("GET", `/admin/v1/requests/${encodeURIComponent(id)}`)) as RequestDetail;
      const show = async (row: RequestRow) => {
        const d = row.has_bodies ? await detail(row.id) : row;
        if (json) process.stdout.write(`${JSON.stringify(d)}\n`);
        else process.stdout.write(`${renderRequest(d, { colour, width, full: optFlag(input, "full") })}\n\n`);
      };
      const id = input.args[0];
      if (id) {
        const d = await detail(id);
        if (json) process.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
        else process.stdout.write(`${renderRequest(d, { colour, width, full: optFlag(input, "full") })}\n`);
        return;
      }
      const query: Record<string, string> = {};
      const key = optString(input, "key");
      if (key) Object.assign(query, await requestsOf(c, key));
      const user = optString(input, "user");
      if (user) query.user = user;
      const model = optString(input, "model");
      if (model) query.model = model;
      if (optFlag(input, "errors")) query.errors = "true";
      // What was shown, by id, with when it started: forgotten once the window no longer reaches it.
      const seen = new Map<string, number>();
      const shown = async (rows: RequestRow[]) => {
        for (const row of rows.reverse()) {
          seen.set(row.id, Date.parse(row.time));
          await show(row);
        }
      };
      await shown(await page(c, { ...query, limit: String(limit) }));
      if (!optFlag(input, "follow")) return;
      // What the log holds already is not new, shown or not (--limit shows only the latest of it).
      const from = new Date(Date.now() - FOLLOW_WINDOW_MS).toISOString();
      for (const row of await unseen(c, { ...query, from }, seen)) seen.set(row.id, Date.parse(row.time));
      for (;;) {
        await new Promise((r) => setTimeout(r, FOLLOW_MS));
        const since = Date.now() - FOLLOW_WINDOW_MS;
        await shown(await unseen(c, { ...query, from: new Date(since).toISOString() }, seen));
        for (const [id, at] of seen) if (at < since) seen.delete(id);
      }
    });
  },
};
