/**
 * Every key llmux keeps in the hot state (memory, or Redis shared by instances), in one place: who writes it,
 * what it holds, and how long it lives. The engines add their own prefix (`state.prefix`). Modules build
 * keys only through these functions, so two rooms can never pick the same name for different things.
 *
 * Braces are Redis Cluster hash tags, not placeholders: in the table, `{…}` marks the part of the key that
 * decides its hash slot, so keys read or written together (a deployment's health, a caller's rate buckets,
 * a caller's guardrail masks, an alert window's counts) sit on one node and one command or script can take
 * them all. Elsewhere `{name}` stands for a value. One server ignores the tags; the prefix lies outside them,
 * so two prefixes never share a key.
 *
 * | key | owner | holds | lifetime |
 * |---|---|---|---|
 * | `alert:budget:{scope}:{id}:{windowStart}` | limits (budget) | the budget-share warning was logged (budgets themselves are kept by the database) | the window, plus a day |
 * | `conc:{scope:id}` | limits (admission) | requests in flight for a key, team or user | 10 min |
 * | `rpm:{scope:id}`, `tpm:{scope:id}` | limits (admission) | GCRA bucket of a key, team or user | a minute's refill |
 * | `rpm:{deployment}`, `tpm:{deployment}` | routing (quota) | GCRA bucket of a deployment's declared quota | a minute's refill |
 * | `cool:{deployment}` | routing (health) | why a deployment cools down | the cooldown |
 * | `open:{deployment}` | routing (health) | the breaker tripped: the next request after the cooldown is a probe | cooldown + 10 windows |
 * | `probe:{deployment}` | routing (health) | one instance's claim of the half-open probe | 60 s |
 * | `inflight:{deployment}` | routing (health) | requests in flight on a deployment | 15 min |
 * | `ttft:{deployment}` | routing (health) | moving average of time to first token, ms | 1 h |
 * | `reqs:{deployment}:bucket`, `errs:…`, `fails:…` | routing (health) | requests, errors and breaker failures in an error window | 2 windows |
 * | `seen-deployments` | routing (seen) | a set: each deployment an alias pattern resolved to (`alias`, provider, model) | 7 days, renewed |
 * | `aff:{alias}:{conversation}` | pipeline (attempts) | the deployment a conversation is bound to | 1 h |
 * | `resp:{response id}` | pipeline (attempts, settle) | the deployment that made a Response | store.retention_days |
 * | `resp-owner:{id}` | responses (ownership) | the caller that owns an upstream-kept Response or item | store.retention_days |
 * | `rsn:{fingerprint}` | routing (reasoning marks) | the provider account that made a piece of opaque reasoning | 24 h |
 * | `alert-sent:{rule}:{scope}:{id}:{window}` | observe (alert claims) | one instance's claim to send an alert, only without a store (with one, the alert log's row decides) | the budget window, plus a day |
 * | `alert-window:{rule:subject:window_s:n}:count` | observe (alert watch) | `requests`, `failed`, `input`, `cache_read` of every instance in measuring window `n` of an `error_rate` (a deployment) or `cache_hit_rate` (a model) rule | 2 windows |
 * | `session-cost:{owner}:{session}` | pipeline (settle, cost headers) | nano-dollars a caller's coding session has cost so far | 7 days from its first request |
 * | `mcp-calls:{owner}` | mcp (limits) | GCRA bucket of a caller's MCP tool calls (`mcp.calls_per_minute`) | a minute's refill |
 * | `tool-use:{owner}:{tool_use id}` | pipeline (respond), read by mcp (sessions) | the coding session (JSON: session, agent) whose answer gave that tool_use: Claude Code's MCP calls name it in `_meta["claudecode/toolUseId"]` | 1 h |
 * | `mcp-session:{id}` | mcp (sessions) | the owner an MCP session belongs to, for any instance to continue it | `mcp.session_ttl_minutes`, renewed |
 * | `signin-wrong:{address}:{window}` | signin (attempts) | wrong user codes from an address in a 10-minute window | the window |
 * | `signin-wrong-all` | signin (attempts) | wrong user codes from anywhere (each pending code is measured against it) | a day |
 * | `signin-code:{user code}` | signin (attempts) | `signin-wrong-all` when the code was made | the code's lifetime |
 * | `signin-starts:{address}:{window}` | signin (attempts) | device authorizations from an address in a 10-minute window | the window |
 * | `ops:instance:n` (one server), `ops:{group}:instance:n` (a Redis Cluster) | state (redis, resilient) | a bitmap: which of an instance's counter operations `n·65536…` Redis applied (a replay of one is not applied again); in a Cluster, numbered per `group` (the counter's hash tag: RedisState.opGroup), in its hash slot | 10 min after that instance's last operation in it |
 * | `embed:{alias}:{digest}` | embeddings (cache) | a cached vector (base64 float32) of an alias with `embeddings.cache.store: hot` | `ttl_hours` |
 * | `guard:{digest}` | guardrails (verdicts) | the hits (rule, group, offsets; never a value) of a scanned text, by the hash of the rule set and the text | 24 h |
 * | `guard-masks:{owner}` | guardrails (mapping) | a set: the placeholders masked for a caller | `guardrails.mapping_ttl_hours`, renewed |
 * | `guard-mask:{owner}:placeholder` | guardrails (mapping) | the secret a placeholder stands for, sealed with the caller's own secret | `guardrails.mapping_ttl_hours` |
 * | `embed-count:{alias}` | embeddings (cache) | vectors written for the alias since the counter started (writes stop at `max_entries`) | `ttl_hours` from its first write |
 * | `web-calls:{owner}` | search (limits) | GCRA bucket of a caller's web searches and fetches run by llmux (`search.calls_per_minute`) | a minute's refill |
 */
export const hotKeys = {
  budgetAlert: (scope: string, id: string, windowStart: number) => `alert:budget:${scope}:${id}:${windowStart}`,
  concurrency: (scope: string, id: string) => `conc:{${scope}:${id}}`,
  rpm: (owner: string) => `rpm:{${owner}}`,
  tpm: (owner: string) => `tpm:{${owner}}`,
  cooling: (deployment: string) => `cool:{${deployment}}`,
  halfOpen: (deployment: string) => `open:{${deployment}}`,
  probe: (deployment: string) => `probe:{${deployment}}`,
  inflight: (deployment: string) => `inflight:{${deployment}}`,
  ttft: (deployment: string) => `ttft:{${deployment}}`,
  windowRequests: (deployment: string, bucket: string) => `reqs:{${deployment}}:${bucket}`,
  windowErrors: (deployment: string, bucket: string) => `errs:{${deployment}}:${bucket}`,
  windowFailures: (deployment: string, bucket: string) => `fails:{${deployment}}:${bucket}`,
  seenDeployments: () => "seen-deployments",
  affinity: (alias: string, conversation: string) => `aff:${alias}:${conversation}`,
  responseDeployment: (responseId: string) => `resp:${responseId}`,
  responseOwner: (id: string) => `resp-owner:${id}`,
  reasoningMark: (fingerprint: string) => `rsn:${fingerprint}`,
  sessionCost: (owner: string, session: string) => `session-cost:${owner}:${session}`,
  mcpCalls: (owner: string) => `mcp-calls:${owner}`,
  mcpSession: (id: string) => `mcp-session:${id}`,
  toolUse: (owner: string, id: string) => `tool-use:${owner}:${id}`,
  signinWrong: (address: string, window: number) => `signin-wrong:${address}:${window}`,
  signinWrongAll: () => "signin-wrong-all",
  signinCodeSeen: (userCode: string) => `signin-code:${userCode}`,
  signinStarts: (address: string, window: number) => `signin-starts:${address}:${window}`,
  embedding: (alias: string, digest: string) => `embed:${alias}:${digest}`,
  guardVerdict: (digest: string) => `guard:${digest}`,
  guardMasks: (owner: string) => `guard-masks:{${owner}}`,
  guardMask: (owner: string, placeholder: string) => `guard-mask:{${owner}}:${placeholder}`,
  embeddingCount: (alias: string) => `embed-count:${alias}`,
  webCalls: (owner: string) => `web-calls:${owner}`,
  alertSent: (rule: string, scope: string, id: string, window: string) => `alert-sent:${rule}:${scope}:${id}:${window}`,
  alertWindow: (rule: string, subject: string, windowS: number, n: number, count: string) =>
    `alert-window:{${rule}:${subject}:${windowS}:${n}}:${count}`,
  opsSeen: (instance: string, chunk: number) => `ops:${instance}:${chunk}`,
  opsSeenIn: (group: string, instance: string, chunk: number) => `ops:{${group}}:${instance}:${chunk}`,
} as const;

/**
 * Counters whose operations made while Redis is away are replayed to it when it returns (each once: by its
 * operation id): the rate limits (rpm, tpm: GCRA buckets; concurrency slots), so the shared counters count
 * what every instance admitted meanwhile. Budgets are not among them: the database keeps them.
 */
export function isReplayed(key: string): boolean {
  return key.startsWith("rpm:") || key.startsWith("tpm:") || key.startsWith("conc:");
}

/**
 * The hash tag of a key as Redis Cluster reads it: the text between the first `{` and the first `}` after
 * it, when not empty (undefined: the whole key decides its slot).
 */
export function hashTag(key: string): string | undefined {
  const open = key.indexOf("{");
  if (open < 0) return undefined;
  const close = key.indexOf("}", open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}
