/**
 * Every `llmux` command, in the order `llmux help` lists them: its name and how its module is loaded. A command
 * lives in its own file and declares its options and help there (see command.ts); adding one is one line here.
 *
 * A command line naming a command loads that command's module alone (`llmux keys create …` does not load the
 * launchers, doctor or the gateway; `llmux claude` starts 0.4 s sooner); `llmux help`, a bare `--help` and an
 * unknown name load them all (COMMANDS).
 */
import type { Command } from "./command.js";

export const COMMAND_MODULES: Readonly<Record<string, () => Promise<Command>>> = {
  start: async () => (await import("./start.js")).startCommand,
  claude: async () => (await import("./launch.js")).claudeCommand,
  codex: async () => (await import("./launch.js")).codexCommand,
  opencode: async () => (await import("./launch.js")).opencodeCommand,
  gemini: async () => (await import("./launch.js")).geminiCommand,
  copilot: async () => (await import("./launch.js")).copilotCommand,
  cursor: async () => (await import("./cursor.js")).cursorCommand,
  env: async () => (await import("./env.js")).envCommand,
  login: async () => (await import("./login.js")).loginCommand,
  logout: async () => (await import("./login.js")).logoutCommand,
  doctor: async () => (await import("./doctor.js")).doctorCommand,
  route: async () => (await import("./route.js")).routeCommand,
  mock: async () => (await import("./mock.js")).mockCommand,
  schema: async () => (await import("./schema.js")).schemaCommand,
  keys: async () => (await import("./keys.js")).keysCommand,
  teams: async () => (await import("./teams.js")).teamsCommand,
  models: async () => (await import("./config-entries.js")).modelsCommand,
  providers: async () => (await import("./config-entries.js")).providersCommand,
  config: async () => (await import("./config.js")).configCommand,
  mcp: async () => (await import("./mcp.js")).mcpCommand,
  secrets: async () => (await import("./secrets.js")).secretsCommand,
  guardrails: async () => (await import("./guardrails.js")).guardrailsCommand,
  spend: async () => (await import("./spend.js")).spendCommand,
  prices: async () => (await import("./prices.js")).pricesCommand,
  sessions: async () => (await import("./sessions.js")).sessionsCommand,
  logs: async () => (await import("./logs.js")).logsCommand,
  audit: async () => (await import("./audit.js")).auditCommand,
};

/** The command named `name`, its module alone loaded; undefined for a name that is not a command. */
export function loadCommand(name: string): Promise<Command> | undefined {
  return Object.hasOwn(COMMAND_MODULES, name) ? COMMAND_MODULES[name]!() : undefined;
}

/** Every command, in order (each module loaded). */
export function loadCommands(): Promise<Command[]> {
  return Promise.all(Object.values(COMMAND_MODULES).map((load) => load()));
}
