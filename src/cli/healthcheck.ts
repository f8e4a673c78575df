/**
 * The image's health check (Dockerfile HEALTHCHECK): exit 0 when GET /health on llmux's port answers 200,
 * else 1. The port is found as `llmux start` finds it (src/cli/health-port.ts).
 */
import { healthPort } from "./health-port.js";

const port = healthPort(process.env);
fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2500) }).then(
  (r) => process.exit(r.ok ? 0 : 1),
  () => process.exit(1),
);
