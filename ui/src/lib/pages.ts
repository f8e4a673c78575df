import type { ComponentType } from "react";

/**
 * Who is shown a page: everyone signed in, admins (not a key holder), those who see the whole gateway, or
 * members (a person signed in with single sign-on, who may mint keys of their own; not a key).
 */
export type Who = "everyone" | "admins" | "whole" | "members";

/** The one who looks: a key holder sees their own data; a team admin their team; the others the whole gateway. */
export interface Viewer {
  own: boolean;
  whole: boolean;
  /** A person signed in with single sign-on (an admin key, even a team admin's, is not one). */
  member: boolean;
}

/**
 * One page of the web UI, declared by its own module as `page` (ui/src/pages/*.tsx): where it is, what the
 * navigation calls it, who may open it, what draws it. The router (app.tsx) and the navigation
 * (components/layout.tsx) both read PAGES; nothing else lists a page.
 */
export interface Page {
  path: string;
  /** Its place in the navigation (lower first). */
  order: number;
  /** Its link's words (they may differ for a key holder or a team admin); none: not a link (a detail page). */
  title?: string | ((v: Viewer) => string);
  /** Who may open it. */
  roles: Who;
  /** Who sees its link, when not all who may open it. */
  listed?: Who;
  component: ComponentType;
}

// Every page module but the heavy views, which their page loads when first opened (`*-view.tsx`).
const modules = import.meta.glob<{ page?: Page }>(["../pages/*.tsx", "!../pages/*-view.tsx"], { eager: true });

/** Every page, in the navigation's order. */
export const PAGES: readonly Page[] = Object.values(modules)
  .map((m) => m.page)
  .filter((p): p is Page => p !== undefined)
  .sort((a, b) => a.order - b.order);

export function shown(who: Who, v: Viewer): boolean {
  if (who === "members") return v.member && !v.own;
  return who === "everyone" || (who === "admins" ? !v.own : v.whole);
}

/** The pages a viewer may open. */
export const pagesFor = (v: Viewer) => PAGES.filter((p) => shown(p.roles, v));

/** The navigation's links for a viewer: [path, words]. */
export function linksFor(v: Viewer): [string, string][] {
  return PAGES.filter((p) => p.title !== undefined && shown(p.listed ?? p.roles, v)).map((p) => [
    p.path,
    typeof p.title === "function" ? p.title(v) : p.title!,
  ]);
}
