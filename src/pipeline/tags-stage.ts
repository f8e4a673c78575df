import type { Stage } from "../request/stage.js";
import { answerError } from "./exchange.js";
import type { Generation } from "./generation.js";
import { requestTags } from "./request-tags.js";

/** The tag check: a request whose llmux-tags header names a key twice is refused before it is planned. */
export const tagCheck: Stage<Generation> = {
  name: "tag check",
  run(g) {
    const duplicate = g.trail.duplicateTag;
    if (duplicate === undefined) return;
    answerError(g.ex, g.client, {
      status: 400,
      kind: "invalid_request",
      message: `The llmux-tags header names the tag key '${duplicate}' more than once: give each key one value.`,
      param: "llmux-tags",
    });
    return true;
  },
};

/**
 * The request's tags: its key's and team's defaults, its own, the config's rules (budgets on a tag apply),
 * with a warning for the entries it ignored.
 */
export const tags: Stage<Generation> = {
  name: "tags",
  run(g) {
    const { trail, planned } = g;
    if (trail.badTags)
      planned!.warnings.add(
        "tag_ignored",
        `llmux-tags entries that are not key=value were ignored: ${trail.badTags.join(", ")}`,
        "llmux-tags",
      );
    const tagged = requestTags(
      g.deps.config.tag_rules ?? [],
      { own: trail.tags, principal: g.principal, tool: trail.clientTool, model: trail.requested },
      g.deps.config.tags,
    );
    trail.tags = tagged.tags;
    if (tagged.overridden.length > 0)
      planned!.warnings.add(
        "tag_overridden",
        `llmux-tags entries set by the key, its team or a budgeted tag rule were ignored: ${tagged.overridden.join(", ")}`,
        "llmux-tags",
      );
    return undefined;
  },
};
