import { useQuery } from "@tanstack/react-query";
import { api } from "./api";
import type { KeyList, TeamList } from "./types";

/**
 * The gateway's keys and teams (`GET /admin/v1/keys`, `/admin/v1/teams`), as every page that names an owner reads
 * them: one cache entry each (["keys"], ["teams"]), which a page that changes them invalidates. `enabled`: false
 * for a viewer the admin API does not answer (a key holder).
 */
export const useKeys = (enabled = true) =>
  useQuery({ queryKey: ["keys"], queryFn: () => api<KeyList>("/admin/v1/keys"), enabled });

export const useTeams = (enabled = true) =>
  useQuery({ queryKey: ["teams"], queryFn: () => api<TeamList>("/admin/v1/teams"), enabled });

/** Owners' names by id, from a list that may not have come yet. */
export const namesById = (list: { data: { id: string; name: string }[] } | undefined) =>
  new Map((list?.data ?? []).map((o) => [o.id, o.name]));
