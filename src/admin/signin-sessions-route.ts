import { z } from "zod";
import type { Data } from "../data/data.js";
import { type SigninSession, SigninStore } from "../data/signin.js";
import type { Given } from "./context.js";
import type { AdminModule, AdminRoute } from "./route.js";

const iso = (s: number) => new Date(s * 1000).toISOString();

const SigninSessionSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    subject: z.string().describe("The identity provider's subject (sub) of the person."),
    groups: z.array(z.string()).describe("The person's groups at the identity provider when they signed in."),
    team_id: z.string().nullable(),
    surface: z.string().nullable().describe("The client that signed in, as it names itself (claude_code)."),
    user_agent: z.string().nullable().describe("The device's client and version (claude-code/2.1.330)."),
    created_at: z.string().describe("When the person signed in."),
    refreshed_at: z.string().describe("When the client last refreshed its token."),
    expires_at: z.string().describe("The end of the session lifetime (signin.session_hours)."),
  })
  .meta({ id: "SigninSession" });

const SigninSessionList = z.object({ data: z.array(SigninSessionSchema) }).meta({ id: "SigninSessionList" });

const Ended = z.object({ id: z.string(), ended: z.literal(true) }).meta({ id: "SigninSessionEnded" });

function shown(s: SigninSession): z.infer<typeof SigninSessionSchema> {
  return {
    id: s.id,
    email: s.email,
    name: s.name,
    subject: s.subject,
    groups: s.groups,
    team_id: s.teamId,
    surface: s.surface,
    user_agent: s.userAgent,
    created_at: iso(s.createdAt),
    refreshed_at: iso(s.refreshedAt),
    expires_at: iso(s.expiresAt),
  };
}

/** Who is signed in from Claude Code (`signin:`), from which device, since when; and ending a session. */
export function signinSessionRoutes(data: Data): AdminRoute[] {
  const store = new SigninStore(data);
  return [
    {
      method: "GET",
      path: "/admin/v1/signin-sessions",
      summary: "List the people signed in from Claude Code (live sessions, newest first)",
      status: 200,
      answer: SigninSessionList,
      run: async () => ({ data: (await store.live()).map(shown) }),
    },
    {
      method: "DELETE",
      path: "/admin/v1/signin-sessions/{id}",
      summary: "End a sign-in session (its tokens are refused on every instance within two seconds)",
      audit: {
        action: "signin_session.end",
        target: "signin_session",
        read: async (id) => {
          const s = await store.bySessionId(id);
          return s ? { ...shown(s), name: s.email } : undefined;
        },
      },
      status: 200,
      answer: Ended,
      byId: true,
      run: async ({ params }) => ((await store.revoke(params.id!)) ? { id: params.id!, ended: true } : undefined),
    },
  ];
}

/** Claude Code sign-ins. */
export const admin: AdminModule<Given<"data">> = {
  needs: ["data"],
  routes: (c) => signinSessionRoutes(c.data),
};
