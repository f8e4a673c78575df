/** Self-service keys' tables (120_member_caps): src/data/member-caps.ts. */

/** A team's caps on its members' own keys (JSON: src/data/member-caps.ts `MemberCaps`). */
export interface MemberCapsTable {
  team_id: string;
  caps: string;
  updated_at: number;
}

/** A key a member minted for themselves: the member (their email, lower case) and their team. */
export interface MemberKeysTable {
  key_id: string;
  team_id: string;
  member: string;
  created_at: number;
}
