/**
 * llmux's configuration for a benchmark run. It only uses keys that every build the benchmark may compare with
 * (`--compare REV`) understands: providers, models, admin and service keys, logging and the server address.
 */
import { BENCH_ADMIN_KEY } from "./minted-key.js";
import { BENCH_SERVICE_KEY, BENCH_SOCKET_KEYS } from "./service-key.js";

/** The upstream model the bench's mock answers with a long stream (the long-stream lane, bench/lanes.ts). */
export const LONG_MODEL = "bench-long";
/** How many text deltas that long stream has (the bench's other replies have PACE.deltas). */
export const LONG_DELTAS = 240;

/** llmux's configuration for the benchmark: every provider is the mock (`hosts` gives extra upstream origins). */
export function llmuxConfig(mockPort: number, hosts: string[] = ["127.0.0.1"]): string {
  const lines = [
    "# Written by bench/main.ts for one benchmark run.",
    "server: { host: 127.0.0.1, port: 0 }",
    "logging: { level: info, pretty: false }",
    `admin: { keys: [${BENCH_ADMIN_KEY}] }`,
    `auth: { keys: [${[BENCH_SERVICE_KEY, ...BENCH_SOCKET_KEYS].join(", ")}] }`,
    "providers:",
    `  compat: { type: openai-compatible, base_url: "http://127.0.0.1:${mockPort}/compat/v1", api_key: bench }`,
    `  anth: { type: anthropic, base_url: "http://127.0.0.1:${mockPort}", api_key: bench }`,
    `  azure: { type: azure, base_url: "http://127.0.0.1:${mockPort}", api_key: bench, api: responses }`,
    `  compat2: { type: openai-compatible, base_url: "http://127.0.0.1:${mockPort}/compat/v1", api_key: bench }`,
  ];
  hosts.forEach((h, i) => {
    lines.push(`  anth${i + 1}: { type: anthropic, base_url: "http://${h}:${mockPort}", api_key: bench }`);
  });
  lines.push(
    "models:",
    "  bench-compat: { provider: compat, model: bench-model }",
    "  bench-azure: { provider: azure, model: gpt-5-codex }",
    `  ${LONG_MODEL}: { provider: compat, model: ${LONG_MODEL} }`,
    "  bench-routed:",
    "    deployments: [{ provider: compat, model: bench-model }, { provider: compat2, model: bench-model }]",
  );
  return `${lines.join("\n")}\n`;
}
