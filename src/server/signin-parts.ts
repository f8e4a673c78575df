import type { Config } from "../config/schema.js";
import type { Logger } from "../log/logger.js";
import { Signin } from "../signin/signin.js";
import type { HotState } from "../state/hot-state.js";
import type { PathOwner } from "./serve.js";
import type { TeamParts } from "./team-parts.js";

/**
 * Claude Code sign-in (`signin:`), on the team's data layer: the sign-in part, and the path owner that serves
 * its paths before the admin API's and the UI's. Without `signin:` (or without a data layer): none.
 */
export function signinOf(
  config: Config,
  team: TeamParts | undefined,
  logger?: Logger,
  hot?: HotState,
): { signin: Signin | undefined; owner: PathOwner | undefined } {
  if (!config.signin || !team) return { signin: undefined, owner: team };
  const signin = new Signin(config.signin, team.data, process.env, logger, hot);
  // A signed-in person mints and revokes their own keys (/admin/v1/me/keys) with their sign-in token.
  team.members = async (token) => {
    const s = await signin.resolver.session(token);
    if ("refused" in s) return { refused: s.message };
    return { member: { email: s.email, teamId: s.teamId ?? undefined, groups: s.groups, via: "signin" } };
  };
  return {
    signin,
    owner: {
      owns: (path) => signin.owns(path) || team.owns(path),
      serve: (req, res, path, note) =>
        signin.owns(path) ? signin.serve(req, res, path, note) : team.serve(req, res, path, note),
    },
  };
}
