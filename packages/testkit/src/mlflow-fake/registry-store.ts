import { invalid, MlflowFakeError, notFound } from './mlflow-fake-error.js';
import type { KeyValue } from './tracking-store.js';

/** `ModelVersion` (model_registry.proto), as MLflow's server writes it. */
export interface ModelVersionJson {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  current_stage: string;
  description: string;
  source: string;
  run_id: string;
  status: 'READY';
  tags: KeyValue[];
  run_link: string;
  aliases: string[];
}

interface RegisteredModelRecord {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string;
  tags: KeyValue[];
  versions: ModelVersionJson[];
  aliases: Map<string, string>;
}

/** What a registry change tells webhook subscribers (`mlflow/webhooks/types.py` payloads). */
export type RegistryEvent =
  | {
      entity: 'registered_model';
      action: 'created';
      data: { name: string; tags: Record<string, string>; description: string | null };
    }
  | {
      entity: 'model_version';
      action: 'created';
      data: {
        name: string;
        version: string;
        source: string;
        run_id: string | null;
        tags: Record<string, string>;
        description: string | null;
      };
    }
  | { entity: 'model_version_alias'; action: 'created'; data: { name: string; alias: string; version: string } }
  | { entity: 'model_version_alias'; action: 'deleted'; data: { name: string; alias: string } };

/**
 * Registered models, versions (numbered "1", "2", … per model, status READY at once) and aliases
 * of the MLflow fake, following `mlflow/protos/model_registry.proto`.
 */
export class RegistryStore {
  readonly models = new Map<string, RegisteredModelRecord>();

  constructor(
    private readonly now: () => number,
    private readonly emit: (e: RegistryEvent) => void,
  ) {}

  createModel(name: string, tags: KeyValue[], description: string | undefined) {
    if (this.models.has(name)) {
      throw new MlflowFakeError('RESOURCE_ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`);
    }
    const t = this.now();
    this.models.set(name, {
      name,
      creation_timestamp: t,
      last_updated_timestamp: t,
      description: description ?? '',
      tags,
      versions: [],
      aliases: new Map(),
    });
    this.emit({
      entity: 'registered_model',
      action: 'created',
      data: { name, tags: record(tags), description: description ?? null },
    });
    return this.modelJson(name);
  }

  model(name: string): RegisteredModelRecord {
    const m = this.models.get(name);
    if (!m) throw notFound(`Registered Model with name=${name} not found`);
    return m;
  }

  modelJson(name: string) {
    const m = this.model(name);
    const latest = m.versions.at(-1);
    return {
      name: m.name,
      creation_timestamp: m.creation_timestamp,
      last_updated_timestamp: m.last_updated_timestamp,
      description: m.description,
      latest_versions: latest ? [this.versionJson(name, latest.version)] : [],
      tags: m.tags,
      aliases: [...m.aliases].map(([alias, version]) => ({ alias, version })),
    };
  }

  createVersion(
    name: string,
    v: { source: string; run_id?: string; tags?: KeyValue[]; run_link?: string; description?: string },
  ) {
    const m = this.model(name);
    const t = this.now();
    const version: ModelVersionJson = {
      name,
      version: String(m.versions.length + 1),
      creation_timestamp: t,
      last_updated_timestamp: t,
      current_stage: 'None',
      description: v.description ?? '',
      source: v.source,
      run_id: v.run_id ?? '',
      status: 'READY',
      tags: v.tags ?? [],
      run_link: v.run_link ?? '',
      aliases: [],
    };
    m.versions.push(version);
    m.last_updated_timestamp = t;
    this.emit({
      entity: 'model_version',
      action: 'created',
      data: {
        name,
        version: version.version,
        source: v.source,
        run_id: v.run_id ?? null,
        tags: record(version.tags),
        description: v.description ?? null,
      },
    });
    return this.versionJson(name, version.version);
  }

  versionJson(name: string, version: string): ModelVersionJson {
    const v = this.model(name).versions.find((x) => x.version === version);
    if (!v) throw notFound(`Model Version (name=${name}, version=${version}) not found`);
    const aliases = [...this.model(name).aliases].filter(([, ver]) => ver === version).map(([a]) => a);
    return { ...v, aliases };
  }

  setVersionTag(name: string, version: string, key: string, value: string): void {
    const v = this.model(name).versions.find((x) => x.version === version);
    if (!v) throw notFound(`Model Version (name=${name}, version=${version}) not found`);
    v.tags = [...v.tags.filter((t) => t.key !== key), { key, value }];
  }

  setAlias(name: string, alias: string, version: string): void {
    this.versionJson(name, version);
    if (/^v\d+$/i.test(alias) || alias.toLowerCase() === 'latest') {
      throw invalid(`'${alias}' is a reserved alias name`);
    }
    this.model(name).aliases.set(alias, version);
    this.emit({ entity: 'model_version_alias', action: 'created', data: { name, alias, version } });
  }

  deleteAlias(name: string, alias: string): void {
    this.model(name).aliases.delete(alias);
    this.emit({ entity: 'model_version_alias', action: 'deleted', data: { name, alias } });
  }

  versionByAlias(name: string, alias: string): ModelVersionJson {
    const version = this.model(name).aliases.get(alias);
    if (version === undefined) throw invalid(`Registered model alias ${alias} not found.`);
    return this.versionJson(name, version);
  }

  /** `name='x'` (the one filter form TinySphere and the retrain script use); no filter: every version. */
  searchVersions(filter: string | undefined): ModelVersionJson[] {
    const m = filter ? /^\s*name\s*=\s*'([^']*)'\s*$/.exec(filter) : null;
    if (filter && !m) throw invalid(`Unsupported filter in this fake: ${filter}`);
    const models = m ? [this.models.get(m[1] as string)].filter((x) => x !== undefined) : [...this.models.values()];
    return models.flatMap((x) => x.versions.map((v) => this.versionJson(x.name, v.version)));
  }
}

function record(tags: KeyValue[]): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.key, t.value]));
}
