import { migration } from "./migration.js";

/**
 * Self-service keys (src/data/member-caps.ts): a team's caps on what its members mint for themselves
 * (`member_caps`, one row per team, the caps as JSON), and who minted each such key (`member_keys`: the
 * member's email and team), so that a member lists and revokes their own and their caps count them.
 * Additive: the release before neither reads nor writes them.
 */
export const m120 = migration("120_member_caps", async (s) => {
  await s.table("member_caps", "team_id text primary key, caps text not null, updated_at bigint not null");
  await s.table(
    "member_keys",
    "key_id text primary key, team_id text not null, member text not null, created_at bigint not null",
    { indexes: { member_keys_member: "team_id, member" } },
  );
});
