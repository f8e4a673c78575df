/**
 * What the configuration routes read and check: the stored layer (at a version, or the latest), the merged
 * view as the API shows it (every credential replaced, each entry saying where it comes from), and a change
 * checked against the merged whole before anything is written.
 */
import { z } from "zod";
import { mergeLayer, providerSecrets, type StoredLayer } from "../config/merge-entries.js";
import type { Config } from "../config/schema.js";
import {
  appendConfigChanges,
  type ConfigChange,
  type ConfigKind,
  configEntriesAt,
  type EntryBasis,
  SEALED_VALUE,
  withoutSecrets,
} from "../data/config-entries.js";
import type { Data } from "../data/data.js";
import { NoMasterKey } from "../data/keys.js";
import { storedRoutingRules } from "../data/routing-rules.js";
import type { Keyring } from "../secrets/cipher.js";
import { AdminError } from "./route.js";

export const ConfigEntryAnswer = z
  .object({
    kind: z.enum(["providers", "models"]),
    name: z.string(),
    source: z
      .enum(["llmux.yaml", "stored"])
      .describe("llmux.yaml: the file's (read-only here); stored: set through the API, over the file's by name."),
    overrides_file: z.boolean().describe("A stored entry in place of the file's of the same name."),
    version: z.number().int().nullable().describe("The configuration version that set it (null: the file's)."),
    settings: z.looseObject({}).describe('Its settings, as in llmux.yaml; credentials are "[sealed]".'),
  })
  .meta({ id: "ConfigEntry" });

export type ConfigEntryView = z.infer<typeof ConfigEntryAnswer>;

/** The stored layer with each entry's version (latest, or as at `upTo`). */
export async function readLayer(
  data: Data,
  keyring: Keyring | undefined,
  upTo?: number,
): Promise<{ version: number; layer: StoredLayer; versions: Map<string, number> }> {
  const { version, entries } = await configEntriesAt(data, keyring, upTo);
  const layer: StoredLayer = { providers: {}, models: {} };
  const versions = new Map<string, number>();
  for (const e of entries) {
    layer[e.kind][e.name] = e.body;
    versions.set(`${e.kind}\0${e.name}`, e.version);
  }
  return { version, layer, versions };
}

/** Settings as the API shows them: a provider's credentials (the file's too) replaced by "[sealed]". */
export function shownSettings(kind: ConfigKind, settings: unknown): Record<string, unknown> {
  const secrets = kind === "providers" ? new Set(providerSecrets(settings)) : new Set<string>();
  return withoutSecrets(settings, secrets) as Record<string, unknown>;
}

/** Every entry in force, the file's and the stored, by kind and name. */
export function mergedView(
  base: Config,
  stored: { layer: StoredLayer; versions: Map<string, number> },
): { providers: ConfigEntryView[]; models: ConfigEntryView[] } {
  const of = (kind: ConfigKind): ConfigEntryView[] => {
    const names = [...new Set([...Object.keys(base[kind] ?? {}), ...Object.keys(stored.layer[kind])])].sort();
    return names.map((name) => entryView(base, stored, kind, name)!);
  };
  return { providers: of("providers"), models: of("models") };
}

export function entryView(
  base: Config,
  stored: { layer: StoredLayer; versions: Map<string, number> },
  kind: ConfigKind,
  name: string,
): ConfigEntryView | undefined {
  const mine = Object.hasOwn(stored.layer[kind], name) ? stored.layer[kind][name] : undefined;
  const file = Object.hasOwn(base[kind] ?? {}, name) ? (base[kind] as Record<string, unknown>)[name] : undefined;
  if (mine === undefined && file === undefined) return undefined;
  return {
    kind,
    name,
    source: mine !== undefined ? "stored" : "llmux.yaml",
    overrides_file: mine !== undefined && file !== undefined,
    version: mine !== undefined ? (stored.versions.get(`${kind}\0${name}`) ?? null) : null,
    settings: shownSettings(kind, mine ?? file),
  };
}

/**
 * The merged configuration of a layer; problems refused as a 400 naming the first one's field. `named` rewrites
 * a problem line or field (a deployment's index in its alias's list to its name).
 */
export async function checkedMerge(
  data: Data,
  base: Config,
  layer: StoredLayer,
  named: (line: string) => string = (line) => line,
): Promise<Config> {
  const rules = await storedRoutingRules(data);
  const { config, problems } = mergeLayer(base, layer, rules ? JSON.parse(rules.rules) : undefined);
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new AdminError(400, problems.map(named).join("; "), named(first.slice(0, first.indexOf(":"))));
  }
  return config;
}

/** What the configuration routes change: the store, its keyring, the file's configuration, and who applies it. */
export interface LayerParts {
  data: Data;
  keyring: Keyring | undefined;
  base: Config;
  changed: (() => Promise<void> | undefined) | undefined;
}

/** Writes changes as one version once the merged whole is checked; this instance applies them at once. */
export async function commitLayer(
  p: LayerParts,
  changes: ConfigChange[],
  actor: string,
  what: string,
  layer: StoredLayer,
  named?: (line: string) => string,
  unchanged?: EntryBasis,
): Promise<number> {
  await checkedMerge(p.data, p.base, layer, named);
  const version = await appendConfigChanges(p.data, p.keyring, changes, actor, what, unchanged).catch((err) => {
    throw err instanceof NoMasterKey ? new AdminError(400, err.message, "secrets.master_key") : err;
  });
  await p.changed?.();
  return version;
}

/**
 * A provider's new settings, where a "[sealed]" value (as GET shows it) keeps the stored one at that place:
 * settings can be read, edited and written back without the credential ever being shown.
 */
export function keepSealed(given: unknown, stored: unknown, path: string): unknown {
  if (given === SEALED_VALUE) {
    if (typeof stored !== "string")
      throw new AdminError(400, `${path}: "${SEALED_VALUE}" keeps the stored value, and none is stored`, path);
    return stored;
  }
  if (Array.isArray(given))
    return given.map((x, i) => keepSealed(x, Array.isArray(stored) ? stored[i] : undefined, `${path}.${i}`));
  if (given && typeof given === "object") {
    const s = stored && typeof stored === "object" ? (stored as Record<string, unknown>) : {};
    return Object.fromEntries(Object.entries(given).map(([k, v]) => [k, keepSealed(v, s[k], `${path}.${k}`)]));
  }
  return given;
}
