import { createRequire } from "node:module";
import type { Config } from "../config/schema.js";
import type { AlertEvent } from "./alert-event.js";

type Nodemailer = typeof import("nodemailer");
/** nodemailer, loaded when a mail is first sent (a gateway without email alerts does not carry it). */
const createTransport: Nodemailer["createTransport"] = (...args: Parameters<Nodemailer["createTransport"]>) =>
  (createRequire(import.meta.url)("nodemailer") as Nodemailer).createTransport(...args);

export type EmailDestination = Extract<Config["alerts"]["destinations"][string], { type: "email" }>;

/** The mail of an alert: a subject naming the rule and its subject, the message and its figures as text. */
export interface AlertMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

const figure = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** The mail an email destination gets for an event (pure). */
export function alertEmail(d: EmailDestination, e: AlertEvent, now = Date.now()): AlertMail {
  const lines = [
    `llmux: ${e.message}`,
    "",
    `rule: ${e.rule}`,
    `${e.scope}: ${e.id}`,
    `at: ${new Date(now).toISOString()}`,
    ...Object.entries(e.fields ?? {}).map(([k, v]) => `${k}: ${figure(v)}`),
  ];
  return {
    from: d.from,
    to: [...d.to],
    subject: `[llmux] ${e.rule}: ${e.scope} ${e.id}`,
    text: `${lines.join("\n")}\n`,
  };
}

/** How one attempt to hand a mail to the server ended: its SMTP reply code (0: none), and why it failed. */
export interface MailAttempt {
  status: number;
  error?: string;
}

/**
 * Sends alerts through one destination's SMTP server (nodemailer, a connection per mail). `password` is the
 * opened secret: it is given to the transport only, and removed from any error text before that is kept.
 */
export class AlertMailer {
  private readonly transport: ReturnType<typeof createTransport>;

  constructor(
    private readonly d: EmailDestination,
    private readonly password: string | undefined,
    timeoutMs = 10_000,
  ) {
    this.transport = createTransport({
      host: d.smtp.host,
      port: d.smtp.port,
      secure: d.smtp.secure,
      ...(d.smtp.user ? { auth: { user: d.smtp.user, pass: password ?? "" } } : {}),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      logger: false,
      debug: false,
    });
  }

  async send(e: AlertEvent): Promise<MailAttempt> {
    try {
      const info = await this.transport.sendMail(alertEmail(this.d, e));
      return { status: Number(/^(\d{3})/.exec(String(info.response ?? ""))?.[1] ?? 250) };
    } catch (err) {
      const code = (err as { responseCode?: unknown }).responseCode;
      return {
        status: typeof code === "number" ? code : 0,
        error: this.scrub(err instanceof Error ? err.message : String(err)),
      };
    }
  }

  private scrub(text: string): string {
    return this.password ? text.split(this.password).join("[password]") : text;
  }

  close(): void {
    this.transport.close();
  }
}
