import { z } from "zod";
import { TAG_KEY, TAG_PATTERN, TAG_VALUE } from "../text/tag.js";
import { quotaSchema } from "./schema-quota.js";

/** Budgets and limits on a tag value (`tags:`): enforced like a key's or a team's, over every request carrying it. */
export const TagsSchema = z
  .record(
    z.string().regex(TAG_PATTERN, "a tag is key=value (letters, digits, _ . : / -), e.g. project=checkout"),
    quotaSchema("The budget of every request carrying this tag.", "Rate limits of every request carrying this tag."),
  )
  .default({})
  .describe(
    "Budgets and limits per tag value, e.g. `project=checkout: {budget: {usd: 500, period: month}}`. Requests carry tags in the llmux-tags header.",
  );

/** Tags added to requests by what is known of them (`tag_rules:`), under the request's, key's and team's own. */
export const TagRulesSchema = z
  .array(
    z
      .object({
        when: z
          .object({
            tool: z.string().min(1).optional().describe("The coding tool that sent it (claude-code, codex, …)."),
            model: z.string().min(1).optional().describe("The model asked for (a glob: `claude-*`)."),
            key: z.string().min(1).optional().describe("The minted key's name (a glob)."),
            team: z.string().min(1).optional().describe("The key's team id (team_…)."),
            user: z.string().min(1).optional().describe("The key's user label (a glob)."),
          })
          .strict()
          .default({})
          .describe("Every condition given must hold; none: every request."),
        tags: z
          .record(
            z.string().regex(TAG_KEY, "a tag key is letters, digits, _ . : / - (at most 64)"),
            z.string().regex(TAG_VALUE, "a tag value is letters, digits, _ . : / @ + - (at most 128)"),
          )
          .refine((t) => Object.keys(t).length > 0, "give at least one tag")
          .describe('The tags added, e.g. {"cost-center": "42"}.'),
      })
      .strict(),
  )
  .default([])
  .describe(
    "Rules that tag requests by tool, model, key, team or user. A tag key the request's key or team already sets is left as they set it, and one the request sets too unless that key carries a budget or limits in `tags`; the first rule naming a key wins.",
  );
