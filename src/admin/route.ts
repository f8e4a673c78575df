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
  /** undefined: the id names nothing (404). */
  run(input: RouteInput): Promise<unknown>;
}
