import type { z } from "zod";

/**
 * What every admin route file shares: the route's shape, its input and the error it answers with. The route
 * files import this; `routes.ts` composes them into the table the router and the OpenAPI document are made from.
 */

/** An error the admin API answers with: its status, words, and the field at fault. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Who made an admin call, and through what (the audit log's who and from where). */
export interface Actor {
  /** An admin key (`admin key abcd…`), an OIDC sign-in's email, a key's name, the CLI's user. */
  name: string;
  via: "admin_key" | "oidc" | "key" | "cli";
  source: "api" | "ui" | "cli";
  /** The client's address; null for the CLI on the store. */
  address: string | null;
}

/** What a change route records in the audit log: its action, and how to read its target before the change. */
export interface AuditSpec {
  action: string;
  target: "key" | "team" | "mcp_server" | "signin_session";
  /** The target as the API shows it, before the change (PATCH, DELETE, rotate); `query` is the route's query. */
  read?: (id: string, query: unknown) => Promise<unknown>;
}

export interface RouteInput {
  params: Record<string, string>;
  body: unknown;
  query: unknown;
  /** Self-service routes: the minted key that signed in (every answer is scoped to it). */
  self?: { keyId: string } | undefined;
}

/** One admin route: how it is called, what it answers, and what it does. The OpenAPI document is made from these. */
export interface AdminRoute {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  status: number;
  answer: z.ZodType;
  /** Whether `{id}` can name nothing (404). */
  byId?: boolean;
  /** `self`: called with a minted key (self-service, /admin/v1/me…) instead of an admin key. */
  auth?: "self";
  /** A change: recorded in the audit log with who, from where, before and after. */
  audit?: AuditSpec;
  /** undefined: the id names nothing (404). */
  run(input: RouteInput): Promise<unknown>;
}
