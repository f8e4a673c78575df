/**
 * Every `llmux` command, in the order `llmux help` lists them. A command lives in its own file and declares its
 * options and help there (see command.ts); adding one is one import and one line here.
 */
import { auditCommand } from "./audit.js";
import type { Command } from "./command.js";
import { configCommand } from "./config.js";
import { modelsCommand, providersCommand } from "./config-entries.js";
import { cursorCommand } from "./cursor.js";
import { doctorCommand } from "./doctor.js";
import { envCommand } from "./env.js";
import { guardrailsCommand } from "./guardrails.js";
import { keysCommand } from "./keys.js";
import { claudeCommand, codexCommand, copilotCommand, geminiCommand, opencodeCommand } from "./launch.js";
import { loginCommand, logoutCommand } from "./login.js";
import { logsCommand } from "./logs.js";
import { mcpCommand } from "./mcp.js";
import { mockCommand } from "./mock.js";
import { pricesCommand } from "./prices.js";
import { routeCommand } from "./route.js";
import { schemaCommand } from "./schema.js";
import { secretsCommand } from "./secrets.js";
import { sessionsCommand } from "./sessions.js";
import { spendCommand } from "./spend.js";
import { startCommand } from "./start.js";
import { teamsCommand } from "./teams.js";

export const COMMANDS: readonly Command[] = [
  startCommand,
  claudeCommand,
  codexCommand,
  opencodeCommand,
  geminiCommand,
  copilotCommand,
  cursorCommand,
  envCommand,
  loginCommand,
  logoutCommand,
  doctorCommand,
  routeCommand,
  mockCommand,
  schemaCommand,
  keysCommand,
  teamsCommand,
  modelsCommand,
  providersCommand,
  configCommand,
  mcpCommand,
  secretsCommand,
  guardrailsCommand,
  spendCommand,
  pricesCommand,
  sessionsCommand,
  logsCommand,
  auditCommand,
];
