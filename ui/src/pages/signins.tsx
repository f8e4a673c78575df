import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { DangerConfirm } from "../components/danger-confirm";
import { Dialog } from "../components/dialog";
import { ErrorNotice } from "../components/notice";
import { PageHead } from "../components/page";
import { api } from "../lib/api";
import { when, whenShort } from "../lib/format";
import type { Page } from "../lib/pages";
import { useScope } from "../lib/session";
import type { SigninSession, SigninSessionList, TeamList } from "../lib/types";

/** Who is signed in from Claude Code (`signin:`), from which client, since when; an admin can end a session. */
export function Signins() {
  const scope = useScope();
  const client = useQueryClient();
  const [ending, setEnding] = useState<SigninSession>();
  const sessions = useQuery({
    queryKey: ["signin-sessions"],
    queryFn: () => api<SigninSessionList>("/admin/v1/signin-sessions"),
  });
  const teams = useQuery({ queryKey: ["teams"], queryFn: () => api<TeamList>("/admin/v1/teams") });
  const teamName = new Map((teams.data?.data ?? []).map((t) => [t.id, t.name]));
  const end = useMutation({
    mutationFn: (s: SigninSession) => api(`/admin/v1/signin-sessions/${s.id}`, { method: "DELETE" }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["signin-sessions"] });
      setEnding(undefined);
    },
  });
  return (
    <>
      <PageHead title="Signed in from Claude Code" />
      {sessions.isError && <ErrorNotice error={sessions.error} what="the sign-in sessions" />}
      {sessions.isPending && <p className="loading">Loading…</p>}
      {sessions.data && (
        <div className="table-wrap">
          <table aria-label="Sign-in sessions, newest first">
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Team</th>
                <th scope="col" className="hide-narrow">
                  Groups
                </th>
                <th scope="col" className="hide-narrow">
                  Client
                </th>
                <th scope="col">Since</th>
                <th scope="col">Ends</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.data.length === 0 && (
                <tr>
                  <td colSpan={7} className="muted">
                    Nobody is signed in from Claude Code.
                  </td>
                </tr>
              )}
              {sessions.data.data.map((s) => (
                <tr key={s.id}>
                  <td>
                    {s.email}
                    {s.name && <span className="muted small"> {s.name}</span>}
                  </td>
                  <td>{s.team_id ? (teamName.get(s.team_id) ?? s.team_id) : "—"}</td>
                  <td className="hide-narrow small">{s.groups.join(", ") || "—"}</td>
                  <td className="hide-narrow small">{s.user_agent ?? s.surface ?? "—"}</td>
                  <td title={when(s.created_at)}>{whenShort(s.created_at)}</td>
                  <td title={when(s.expires_at)}>{whenShort(s.expires_at)}</td>
                  <td>
                    {scope.canEdit && (
                      <button type="button" className="danger" onClick={() => setEnding(s)}>
                        End session
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog
        open={ending !== undefined}
        title={ending ? `End ${ending.email}'s session?` : ""}
        onClose={() => setEnding(undefined)}
      >
        {ending && (
          <DangerConfirm
            error={end.error}
            pending={end.isPending}
            action="End session"
            onCancel={() => setEnding(undefined)}
            onConfirm={() => end.mutate(ending)}
          >
            Claude Code on that device is refused from now on (on every instance within two seconds); the person signs
            in again with /login.
          </DangerConfirm>
        )}
      </Dialog>
    </>
  );
}

export const page: Page = {
  path: "/signins",
  order: 110,
  title: "Sign-ins",
  roles: "admins",
  listed: "whole",
  component: Signins,
};
