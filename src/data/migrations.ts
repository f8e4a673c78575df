import { m001 } from "./migrations/001-store.js";
import { m002 } from "./migrations/002-identity.js";
import { m003 } from "./migrations/003-ledger.js";
import { m004 } from "./migrations/004-request-log.js";
import { m005 } from "./migrations/005-upstream-owners.js";
import { m006 } from "./migrations/006-budget-nanos.js";
import { m010 } from "./migrations/010-access.js";
import { m011 } from "./migrations/011-ui-signouts.js";
import { m015 } from "./migrations/015-client-request-id.js";
import { m040 } from "./migrations/040-sessions.js";
import { m041 } from "./migrations/041-tags.js";
import { m042 } from "./migrations/042-default-tags.js";
import { m043 } from "./migrations/043-alerts.js";
import { m046 } from "./migrations/046-prices.js";
import { m050 } from "./migrations/050-call-kind.js";
import { m051 } from "./migrations/051-audit-log.js";
import { m060 } from "./migrations/060-mcp.js";
import { m061 } from "./migrations/061-mcp-servers.js";
import { m062 } from "./migrations/062-signin.js";
import { m080 } from "./migrations/080-request-rollup.js";
import { m090 } from "./migrations/090-budget-leases.js";
import { m091 } from "./migrations/091-budget-unledgered.js";
import { m093 } from "./migrations/093-request-web-calls.js";
import { m095 } from "./migrations/095-spend-rollup.js";
import { m105 } from "./migrations/105-signin-idp-tokens.js";
import { m106 } from "./migrations/106-audit-reason.js";
import { m110 } from "./migrations/110-embedding-cache.js";
import { m111 } from "./migrations/111-ledger-kind.js";
import { m112 } from "./migrations/112-config-entries.js";
import { m120 } from "./migrations/120-member-caps.js";
import { m130 } from "./migrations/130-guardrail-policies.js";
import { m131 } from "./migrations/131-guardrail-findings.js";
import { m140 } from "./migrations/140-routing-rules.js";
import { m141 } from "./migrations/141-budget-downgrade.js";
import { m142 } from "./migrations/142-rollup-model-kinds.js";
import type { Migration } from "./migrations/migration.js";

export type { Migration } from "./migrations/migration.js";

/** Every migration, in order (one file each, under migrations/). */
export const MIGRATIONS: readonly Migration[] = [
  m001,
  m002,
  m003,
  m004,
  m005,
  m006,
  m010,
  m011,
  m015,
  m040,
  m041,
  m042,
  m043,
  m046,
  m050,
  m051,
  m060,
  m061,
  m062,
  m080,
  m090,
  m091,
  m093,
  m095,
  m105,
  m106,
  m110,
  m111,
  m112,
  m120,
  m130,
  m131,
  m140,
  m141,
  m142,
];
