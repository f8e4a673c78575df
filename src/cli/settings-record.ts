import type { Config } from "../config/schema.js";
import {
  recordSettingsAtStart,
  recordSettingsReload,
  type SettingsPrint,
  settingsPrint,
} from "../server/settings-audit.js";
import { TeamParts } from "../server/team-parts.js";

/** The store of a configuration, opened for one write and closed again (the primary of --workers serves nothing). */
async function withStore(config: Config, run: (parts: TeamParts) => Promise<void>): Promise<void> {
  const parts = new TeamParts(config, { bytes: 1 << 20, timeoutMs: 10_000 });
  try {
    await run(parts);
  } finally {
    await parts.close();
  }
}

/**
 * The settings of `llmux start --workers N` in the audit log, recorded by the primary alone (its workers
 * start with the same configuration and record nothing): at its start when they differ from the last ones
 * recorded, and on each reload of the workers (SIGHUP) with before and after.
 */
export class SettingsRecord {
  private print: SettingsPrint | undefined;

  constructor(private readonly file: string) {}

  async started(config: Config): Promise<void> {
    await withStore(config, (parts) => recordSettingsAtStart(parts.data, config, this.file).then(() => undefined));
    this.print = settingsPrint(config);
  }

  async reloaded(config: Config): Promise<void> {
    const before = this.print ?? settingsPrint(config);
    await withStore(config, (parts) => recordSettingsReload(parts.data, before, config, this.file));
    this.print = settingsPrint(config);
  }
}
