import { migration } from "./migration.js";

/**
 * Why an admin action was refused (an entry whose outcome is `refused`: 401, 403, or a 400/409 validation
 * refusal), in llmux's words and never with a secret. A new nullable column only.
 */
export const m106 = migration("106_audit_reason", async (s) => {
  await s.add("audit_log", "reason text");
});
