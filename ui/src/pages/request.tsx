import { lazy } from "react";
import type { Page } from "../lib/pages";

// The request page carries the Markdown renderer and the code highlighter: loaded when first opened.
export const page: Page = {
  path: "/requests/:id",
  order: 21,
  roles: "everyone",
  component: lazy(() => import("./request-view").then((m) => ({ default: m.RequestPage }))),
};
