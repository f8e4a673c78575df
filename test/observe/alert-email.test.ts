/**
 * Alerts by email: a gateway whose `alerts.destinations` has an `email` destination hands the alert to a real
 * SMTP server running in this process (the `smtp-server` package), which asks for a login and refuses the
 * first mails (a 451, as a busy relay does): llmux retries with backoff, and the mail that is accepted has
 * the alert's subject, its message and figures in the body, and the configured sender and recipients. The
 * SMTP password is sealed by `llmux secrets seal` (the configuration never holds it), opened in memory, and in
 * no log line and no API answer.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { alertEmail } from "../../src/observe/alert-email.js";
import { Alerts } from "../../src/observe/alerts.js";
import { MemoryState } from "../../src/state/memory.js";
import { llmux } from "../cli/run.js";
import { type Harness, startHarness, tempStorePath } from "../support/gateway.js";
import { ADMIN, admin, MASTER, within } from "../support/team.js";

const USER = "alerts@example.com";
const PASSWORD = `smtp-${randomBytes(12).toString("hex")}`;

interface Received {
  from: string;
  to: string[];
  raw: string;
  accepted: boolean;
}

/** An SMTP server that wants USER / PASSWORD and answers 451 to its first `failures` mails. */
async function smtp(failures: number) {
  const got: Received[] = [];
  const logins: string[] = [];
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      logins.push(`${auth.username}:${auth.password}`);
      if (auth.username === USER && auth.password === PASSWORD) cb(null, { user: auth.username });
      else cb(Object.assign(new Error("Invalid login"), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      let raw = "";
      stream.setEncoding("utf8");
      stream.on("data", (c: string) => (raw += c));
      stream.on("end", () => {
        const accepted = got.length >= failures;
        got.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          accepted,
        });
        if (accepted) cb(null, "queued");
        else cb(Object.assign(new Error("Try again later"), { responseCode: 451 }));
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.server.address() as AddressInfo).port;
  return { port, got, logins, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** The text of a mail: its headers unfolded, its body with quoted-printable soft breaks and escapes undone. */
function readMail(raw: string): { headers: Record<string, string>; body: string } {
  const [head = "", ...rest] = raw.split(/\r?\n\r?\n/);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = rest.join("\n\n");
  if (/quoted-printable/i.test(headers["content-transfer-encoding"] ?? ""))
    body = body
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return { headers, body: body.replace(/\r\n/g, "\n") };
}

async function sealed(value: string): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), "llmux-seal-")), "llmux.yaml");
  writeFileSync(file, JSON.stringify({ secrets: { master_key: MASTER } }));
  const r = await llmux(["secrets", "seal", "--config", file, "--value", value]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe("alerts by email through a real SMTP server", { timeout: 60_000 }, () => {
  let h: Harness;
  let server: Awaited<ReturnType<typeof smtp>>;
  let password: string;
  beforeAll(async () => {
    server = await smtp(2);
    password = await sealed(PASSWORD);
    expect(password).toMatch(/^sealed:/);
    h = await startHarness(
      () => ({
        store: { path: tempStorePath() },
        admin: { keys: [ADMIN] },
        secrets: { master_key: MASTER },
        alerts: {
          destinations: {
            oncall: {
              type: "email",
              smtp: { host: "127.0.0.1", port: server.port, secure: false, user: USER, password },
              from: "llmux <llmux@example.com>",
              to: ["oncall@example.com", "lead@example.com"],
            },
          },
          rules: [{ on: "deployment_down", to: ["oncall"] }],
        },
      }),
      {},
      { alertBackoffMs: [50, 100, 200] },
    );
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await server?.close();
  });

  it("sends the alert once it is accepted, after two refusals, with its subject, body and recipients", async () => {
    const k = (await admin(h, "POST", "/keys", { name: `m-${randomBytes(3).toString("hex")}` })).body;
    h.mock.enqueue({ httpError: { status: 429, message: "slow down", retryAfter: "30" } });
    const status = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${k.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "via-anthropic", messages: [{ role: "user", content: "hi" }] }),
    }).then(async (r) => {
      await r.text();
      return r.status;
    });
    expect(status).toBe(429);
    expect(await within(10_000, async () => server.got.some((g) => g.accepted))).toBe(true);
    // Two refused (451), then accepted: three mails, each after logging in with the opened password.
    expect(server.got.map((g) => g.accepted)).toEqual([false, false, true]);
    expect(server.logins.length).toBeGreaterThanOrEqual(3);
    expect(new Set(server.logins)).toEqual(new Set([`${USER}:${PASSWORD}`]));
    const mail = server.got[2]!;
    expect(mail.from).toBe("llmux@example.com");
    expect(mail.to).toEqual(["oncall@example.com", "lead@example.com"]);
    const { headers, body } = readMail(mail.raw);
    expect(headers.subject).toBe("[llmux] deployment_down: deployment anthropic/claude-sonnet-4-5");
    expect(headers.from).toBe("llmux <llmux@example.com>");
    expect(headers.to).toBe("oncall@example.com, lead@example.com");
    expect(body).toMatch(/^llmux: deployment anthropic\/claude-sonnet-4-5 cools down for \d+ s: /);
    expect(body).toContain("\nrule: deployment_down\n");
    expect(body).toContain("\ndeployment: anthropic/claude-sonnet-4-5\n");
    expect(body).toMatch(/\ncooldown_ms: \d+\n/);
  });

  it("lists the delivery with its attempts and the server's reply; the password is in no log line or answer", async () => {
    const list = await admin(h, "GET", "/alerts?rule=deployment_down");
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({
      state: "sent",
      deliveries: [{ destination: "oncall", state: "sent", attempts: 3, status: 250 }],
    });
    for (const text of [JSON.stringify(list.body), JSON.stringify(h.logs)]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(password);
    }
  });

  it("a server that is not there: tried with backoff, then failed; the password in no log line", async () => {
    const closed = await smtp(0);
    await closed.close();
    const lines: string[] = [];
    const logger = pino(
      { level: "info", base: undefined },
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          lines.push(chunk.toString("utf8"));
          cb();
        },
      }),
    );
    const config = parseConfig(
      {
        alerts: {
          destinations: {
            gone: {
              type: "email",
              smtp: { host: "127.0.0.1", port: closed.port, user: USER, password: PASSWORD },
              from: "llmux@example.com",
              to: ["oncall@example.com"],
            },
          },
          rules: [{ on: "alias_down", to: ["gone"] }],
        },
      },
      {},
    );
    const rows: { deliveries: { state: string; attempts: number; status?: number | undefined }[]; state: string }[] =
      [];
    const alerts = new Alerts(config.alerts, new MemoryState(), logger, [20, 40], {
      claim: async (claimed) => claimed.map((r) => r.id),
      closed: async (_id, deliveries, state) => {
        rows.push({ deliveries, state });
      },
      spoolDir: mkdtempSync(join(tmpdir(), "llmux-alerts-")),
    });
    await alerts.fire({
      rule: "alias_down",
      scope: "alias",
      id: "coder",
      window: "w",
      message: "every deployment down",
    });
    await alerts.close();
    expect(rows).toEqual([
      { deliveries: [{ destination: "gone", state: "failed", attempts: 3, status: 0 }], state: "failed" },
    ]);
    const failed = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === "alert not delivered after retries");
    expect(failed).toMatchObject({ destination: "gone", status: 0 });
    expect(String(failed?.error)).toMatch(/ECONNREFUSED|connect/i);
    expect(lines.join("")).not.toContain(PASSWORD);
  });

  it("a plain mapper: the mail of an event, whatever the transport", () => {
    const d = parseConfig(
      {
        alerts: {
          destinations: { m: { type: "email", smtp: { host: "mail" }, from: "a@example.com", to: ["b@example.com"] } },
        },
      },
      {},
    ).alerts.destinations.m!;
    expect(d).toMatchObject({ smtp: { port: 587, secure: false } });
    if (d.type !== "email") throw new Error("an email destination");
    const m = alertEmail(
      d,
      {
        rule: "budget_blocked",
        scope: "key",
        id: "key_1",
        window: "w",
        message: "key one is blocked",
        fields: { spent_usd: 5, period: "day" },
      },
      Date.UTC(2026, 0, 2),
    );
    expect(m).toEqual({
      from: "a@example.com",
      to: ["b@example.com"],
      subject: "[llmux] budget_blocked: key key_1",
      text: "llmux: key one is blocked\n\nrule: budget_blocked\nkey: key_1\nat: 2026-01-02T00:00:00.000Z\nspent_usd: 5\nperiod: day\n",
    });
  });
});
