import { useQuery } from "@tanstack/react-query";
import { ErrorNotice } from "../components/notice";
import { PageHead } from "../components/page";
import { api } from "../lib/api";
import { ms, pct } from "../lib/format";
import type { Page } from "../lib/pages";
import type { Deployment, DeploymentList } from "../lib/types";

function health(d: Deployment): { word: string; cls: string } {
  if (d.healthy) return { word: d.half_open ? "probing" : "healthy", cls: d.half_open ? "warn" : "ok" };
  const left = d.cooling_until ? Math.max(0, Math.ceil((Date.parse(d.cooling_until) - Date.now()) / 1000)) : 0;
  return { word: `cooling down · ${left} s`, cls: "bad" };
}

const used = (n: number | null, of: number | null) => (of === null ? "—" : `${n ?? 0} / ${of}`);

export function Deployments() {
  const q = useQuery({
    queryKey: ["deployments"],
    queryFn: () => api<DeploymentList>("/admin/v1/deployments"),
    refetchInterval: 2000,
    staleTime: 0,
  });
  return (
    <>
      <PageHead title="Deployments">
        <span className="muted small" aria-live="off">
          {q.dataUpdatedAt ? `live · updated ${new Date(q.dataUpdatedAt).toLocaleTimeString()}` : ""}
        </span>
      </PageHead>
      {q.isError && <ErrorNotice error={q.error} what="the deployments" />}
      {q.data && (
        <div className="table-wrap">
          <table aria-label="Deployments">
            <thead>
              <tr>
                <th scope="col">Deployment</th>
                <th scope="col" className="hide-narrow">
                  Aliases
                </th>
                <th scope="col">Health</th>
                <th scope="col" className="num">
                  Error rate
                </th>
                <th scope="col" className="num">
                  TTFT
                </th>
                <th scope="col" className="num hide-narrow">
                  In flight
                </th>
                <th scope="col" className="num hide-narrow">
                  rpm used
                </th>
                <th scope="col" className="num hide-narrow">
                  tpm used
                </th>
                <th scope="col" className="num hide-narrow">
                  Weight
                </th>
              </tr>
            </thead>
            <tbody>
              {q.data.data.length === 0 && (
                <tr>
                  <td colSpan={9} className="muted">
                    No deployments are configured.
                  </td>
                </tr>
              )}
              {q.data.data.map((d) => {
                const h = health(d);
                return (
                  <tr key={d.id} data-deployment={d.id}>
                    <td>
                      <strong>{d.name}</strong>
                      <div className="muted small">
                        {d.provider} · {d.model}
                      </div>
                    </td>
                    <td className="hide-narrow">{d.aliases.join(", ")}</td>
                    <td>
                      <span className={`badge status-${h.cls}`}>{h.word}</span>
                    </td>
                    <td className="num">
                      {pct(d.error_rate)}
                      <div className="muted small">
                        {d.window_errors} of {d.window_requests}
                      </div>
                    </td>
                    <td className="num">{ms(d.ttft_ms)}</td>
                    <td className="num hide-narrow">{d.in_flight}</td>
                    <td className="num hide-narrow">{used(d.rpm_used, d.rpm)}</td>
                    <td className="num hide-narrow">{used(d.tpm_used, d.tpm)}</td>
                    <td className="num hide-narrow">{d.weight}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export const page: Page = {
  path: "/deployments",
  order: 70,
  title: "Deployments",
  roles: "whole",
  component: Deployments,
};
