import type { StoredLayer } from "../config/merge-entries.js";
import type { Config, ProviderConfig } from "../config/schema.js";
import { configEntriesAt, configVersion } from "../data/config-entries.js";
import type { Data } from "../data/data.js";
import { PolledLayer, VersionPoller } from "../data/version-poller.js";
import type { Logger } from "../log/logger.js";
import { createProviders, type Provider } from "../providers/index.js";
import type { ModelTable } from "../routing/model-table.js";
import type { Keyring } from "../secrets/cipher.js";
import type { SecretBook } from "../secrets/redact.js";

/** What the stored configuration is put in force on: the gateway's own providers and model table. */
export interface ConfigTargets {
  /** The gateway's providers (changed in place: whatever holds the map sees the change). */
  providers: Map<string, Provider>;
  models: ModelTable;
  /** Stored credentials are learned here, so that nothing llmux writes shows them. */
  secretBook: SecretBook;
  /** After a change is in force (the stored routing rules are checked against the aliases again). */
  changed?: ((config: Config) => void) | undefined;
}

/** The merge of stored entries (with the configuration's schema and zod), loaded once entries are stored. */
type MergeModule = typeof import("../config/merge-entries.js");

/** Stored entries as read, with the module that merges them. */
interface ReadLayer {
  readonly layer: StoredLayer;
  readonly merging: MergeModule;
}

/**
 * Models, providers and aliases stored through the admin API, put in force over the configuration file's on
 * every instance: the version is polled (every `pollMs`, 0.5 s by default, so that every instance applies a change
 * within 2 s with room for a slow read; at once on `check()`, which the instance that wrote calls before it
 * answers). A provider whose settings did not change keeps its object; a
 * request in flight keeps the deployments (and providers) its route was made with. A stored state that does not
 * fit the file (changed since) is not applied, and said so: what was in force stays.
 */
export class StoredConfig extends PolledLayer<ReadLayer> {
  protected readonly poller: VersionPoller<ReadLayer>;
  /** The merged configuration in force. */
  current: Config;
  /** Each provider in force, with the settings it was made from (JSON). */
  private readonly made = new Map<string, { json: string; provider: Provider }>();

  constructor(
    private readonly base: Config,
    data: Data,
    keyring: Keyring | undefined,
    private readonly logger: Logger,
    private readonly targets: ConfigTargets,
    pollMs = 500,
  ) {
    super();
    this.current = base;
    for (const [name, p] of targets.providers)
      this.made.set(name, { json: JSON.stringify(base.providers[name]), provider: p });
    this.poller = new VersionPoller<ReadLayer>(
      {
        what: "stored models and providers",
        version: () => configVersion(data),
        read: async () => {
          const { version, entries } = await configEntriesAt(data, keyring);
          if (version === 0) return undefined; // nothing ever stored: the file's alone, as it is
          const merging = await import("../config/merge-entries.js");
          const layer: StoredLayer = { providers: {}, models: {} };
          for (const e of entries) layer[e.kind][e.name] = e.body;
          return { version, value: { layer, merging } };
        },
        apply: (read, version) => this.apply(read, version),
      },
      logger,
      pollMs,
    );
  }

  private apply({ layer, merging }: ReadLayer, version: number): void {
    const { mergeLayer, providerSecrets } = merging;
    const { config, problems } = mergeLayer(this.base, layer);
    if (problems.length > 0) {
      this.logger.warn({ version, problems }, "the stored models and providers do not fit the configuration: not used");
      return;
    }
    this.targets.secretBook.learn(
      "stored providers",
      Object.values(layer.providers).flatMap((p) => providerSecrets(p)),
    );
    const next = new Map<string, Provider>();
    const fresh: Record<string, ProviderConfig> = {};
    for (const [name, p] of Object.entries(config.providers)) {
      const known = this.made.get(name);
      if (known && known.json === JSON.stringify(p)) next.set(name, known.provider);
      else fresh[name] = p;
    }
    for (const [name, p] of createProviders({ providers: fresh } as Config)) next.set(name, p);
    this.made.clear();
    for (const [name, p] of next) this.made.set(name, { json: JSON.stringify(config.providers[name]), provider: p });
    const map = this.targets.providers;
    for (const name of [...map.keys()]) if (!next.has(name)) map.delete(name);
    for (const [name, p] of next) map.set(name, p);
    this.targets.models.replace(config.models, map);
    this.current = config;
    this.targets.changed?.(config);
    this.logger.info(
      { version, providers: Object.keys(layer.providers).length, models: Object.keys(layer.models).length },
      "stored models and providers in force",
    );
  }
}
