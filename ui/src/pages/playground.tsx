import { lazy } from "react";
import type { Page } from "../lib/pages";

// The playground carries the Markdown renderer and the code highlighter: loaded when first opened.
export const page: Page = {
  path: "/playground",
  order: 120,
  title: "Playground",
  roles: "everyone",
  component: lazy(() => import("./playground-view").then((m) => ({ default: m.Playground }))),
};
