import { AdminError } from "../admin/route.js";
import { resolveConfig } from "../config/resolve.js";
import { TeamParts } from "../server/team-parts.js";
import type { CommandInput, OptionSpec } from "./command.js";
import { stringOption } from "./command.js";
import { optFlag, optString } from "./values.js";

/** Options every admin command takes. */
export const ADMIN_OPTIONS: Record<string, OptionSpec> = {
  config: { type: "string", short: "c", value: "FILE", description: "The configuration file (its store is used)." },
  url: stringOption("URL", "Talk to a running llmux instead of the store directly."),
  "admin-key": stringOption("KEY", "Admin key for --url (default: $LLMUX_ADMIN_KEY)."),
  json: { type: "boolean", description: "Print JSON (for scripts) instead of a table." },
};

export interface AdminClient {
  call(method: string, path: string, body?: unknown, query?: Record<string, string>): Promise<unknown>;
  close(): Promise<void>;
}

/** Fails a command with the admin API's words (and the field at fault). */
export class AdminCallFailed extends Error {}

function fail(status: number | undefined, body: unknown): never {
  const e = (body as { error?: { message?: string; field?: string } })?.error;
  const words = e?.message ?? JSON.stringify(body);
  // A local operation says what went wrong, not an HTTP status; a running llmux's answer keeps its status.
  throw new AdminCallFailed(status === undefined ? words : `${status}: ${words}`);
}

/** Over HTTP to a running llmux (`--url`), with an admin key. */
function httpClient(url: string, key: string): AdminClient {
  return {
    async call(method, path, body, query) {
      const u = new URL(`${url.replace(/\/+$/, "")}${path}`);
      for (const [k, v] of Object.entries(query ?? {})) u.searchParams.set(k, v);
      const res = await fetch(u, {
        method,
        // Says the change comes from the CLI (the audit log's "from where").
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-llmux-client": "cli" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const out = (await res.json().catch(() => ({}))) as unknown;
      if (!res.ok) fail(res.status, out);
      return out;
    },
    close: async () => undefined,
  };
}

/** Straight to the configured store (works with the server down), through the same validated routes. */
function directClient(input: CommandInput): AdminClient {
  const { config } = resolveConfig({ config: optString(input, "config") }, input.env);
  const parts = new TeamParts(config, { bytes: 1 << 20, timeoutMs: 10_000 });
  return {
    async call(method, path, body, query) {
      try {
        return (await (await parts.adminApi()).call(method, path, body, query)).body;
      } catch (err) {
        if (err instanceof AdminError) fail(undefined, { error: { message: err.message } });
        throw err;
      }
    },
    close: () => parts.close(),
  };
}

export function adminClient(input: CommandInput): AdminClient {
  const url = optString(input, "url");
  if (url) {
    const key = optString(input, "admin-key") ?? input.env.LLMUX_ADMIN_KEY;
    if (!key) throw new AdminCallFailed("--url needs an admin key: --admin-key KEY or $LLMUX_ADMIN_KEY");
    return httpClient(url, key);
  }
  return directClient(input);
}

/** Prints rows as an aligned table (or JSON with --json). */
export function output(input: CommandInput, value: unknown, columns: string[]): void {
  if (optFlag(input, "json")) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  const rows = (Array.isArray(value) ? value : [value]) as Record<string, unknown>[];
  const cell = (v: unknown) =>
    v === null || v === undefined
      ? "-"
      : Array.isArray(v)
        ? v.join(",") || "-"
        : typeof v === "object"
          ? JSON.stringify(v)
          : String(v);
  const table = [columns, ...rows.map((r) => columns.map((c) => cell(r[c])))];
  const widths = columns.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const r of table)
    process.stdout.write(
      `${r
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd()}\n`,
    );
}

/** One record as `field  value` lines (or JSON with --json: the whole answer). */
export function outputFields(
  input: CommandInput,
  answer: unknown,
  row: Record<string, unknown>,
  fields: string[],
): void {
  if (optFlag(input, "json")) {
    process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    return;
  }
  const width = Math.max(...fields.map((f) => f.length));
  for (const f of fields) {
    const v = row[f];
    if (v === undefined) continue;
    process.stdout.write(`${f.padEnd(width)}  ${v === null ? "-" : String(v)}\n`);
  }
}

/** Runs an admin command: a client, the work, a clean close, and failures in words (exit 1). */
export async function withClient(input: CommandInput, work: (c: AdminClient) => Promise<void>): Promise<number> {
  let client: AdminClient | undefined;
  try {
    client = adminClient(input);
    await work(client);
    return 0;
  } catch (err) {
    if (!(err instanceof AdminCallFailed)) throw err;
    process.stderr.write(`llmux: ${err.message}\n`);
    return 1;
  } finally {
    await client?.close();
  }
}
