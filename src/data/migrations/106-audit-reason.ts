import type { Migration } from "./migration.js";

export const m106: Migration = {
  id: "106_audit_reason",
  /**
   * Why an admin action was refused (an entry whose outcome is `refused`: 401, 403, or a 400/409 validation
   * refusal), in llmux's words and never with a secret. A new nullable column only.
   */
  async up(db) {
    await db.schema.alterTable("audit_log").addColumn("reason", "text").execute();
  },
};
