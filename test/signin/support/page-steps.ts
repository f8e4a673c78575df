import { request } from "node:http";
import type { FakeIssuer } from "../../ui/support/fake-issuer.js";

/**
 * The verification page's steps with plain HTTP (no browser): from a chosen loopback address (127.0.0.x: the
 * gateway counts wrong codes per address), with the page's cookie sent back as a browser would.
 */
export interface Sent {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export function send(
  url: string,
  opts: { method?: string; form?: Record<string, string>; cookie?: string; from?: string } = {},
): Promise<Sent> {
  const body = opts.form ? new URLSearchParams(opts.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? (body !== undefined ? "POST" : "GET"),
        ...(opts.from ? { localAddress: opts.from } : {}),
        headers: {
          ...(body !== undefined ? { "content-type": "application/x-www-form-urlencoded" } : {}),
          ...(opts.cookie ? { cookie: opts.cookie } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** The confirm page of a code: its form token and the cookie set with it. */
export async function confirmPage(base: string, userCode: string, from?: string) {
  const page = await send(`${base}/device?user_code=${encodeURIComponent(userCode)}`, from ? { from } : {});
  const csrf = /name="csrf" value="([^"]*)"/.exec(page.text)?.[1] ?? "";
  const set = ([] as string[]).concat(page.headers["set-cookie"] ?? []);
  const cookie = set.map((c) => c.split(";")[0]!).join("; ");
  return { page, csrf, cookie };
}

/**
 * The whole browser step without a browser: the confirm page, "continue", the identity provider's form with
 * an email, and llmux's callback. The callback's answer (200 "Signed in", 403 refused).
 */
export async function signInAs(base: string, issuer: FakeIssuer, userCode: string, email: string): Promise<Sent> {
  const { csrf, cookie } = await confirmPage(base, userCode);
  const started = await send(`${base}/device`, { form: { user_code: userCode, csrf }, cookie });
  if (started.status !== 303) throw new Error(`continue answered ${started.status}: ${started.text}`);
  const asked = new URL(String(started.headers.location)).searchParams;
  const form: Record<string, string> = { email };
  for (const k of ["redirect_uri", "state", "nonce", "code_challenge"]) form[k] = asked.get(k) ?? "";
  const back = await send(`${issuer.url}/authorize/submit`, { form });
  return send(String(back.headers.location));
}
