import { adminSecrets } from "../config/admin-keys.js";
import type { Config } from "../config/schema.js";
import { Identifier, type Resolver } from "../identity/identify.js";
import { configResolvers } from "../identity/resolvers.js";
import type { Signin } from "../signin/signin.js";
import type { TeamParts } from "./team-parts.js";

/**
 * Who is calling, asked of the resolvers in order: the embedder's, Claude Code sign-in's, the minted keys',
 * then the configuration's own keys (auth.keys, pass-through, open). A gateway that asks no key of its own is
 * closed once keys are minted, and, with sign-in on, to callers who did not sign in.
 */
export function gatewayIdentifier(
  config: Config,
  extra: readonly Resolver[] | undefined,
  signin: Signin | undefined,
  team: TeamParts | undefined,
): Identifier {
  const open = config.auth.keys.length === 0 && !config.auth.passthrough && !config.auth.passthrough_providers?.length;
  return new Identifier([
    ...(extra ?? []),
    ...(signin ? [signin.resolver] : []),
    ...(team?.resolvers ?? []),
    ...(open && team ? [team.directory.closedOnceMinted()] : []),
    ...(open && signin ? [signin.resolver.closed()] : []),
    ...configResolvers(config.auth, [
      ...adminSecrets(config.admin.keys),
      ...(config.metrics.key ? [config.metrics.key] : []),
    ]),
  ]);
}
