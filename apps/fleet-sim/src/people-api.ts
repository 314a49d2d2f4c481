import type {
  AdaptationReviewRequest,
  AdaptationReviewResult,
  AdaptationSummary,
  DeploymentStatus,
  DeviceSettingsView,
  DeviceSummary,
  FieldMetricsResult,
  MlflowImport,
  DriftEpisodeSummary,
  DriftSampleSummary,
  FeedbackDelivery,
  ModelVersionSummary,
  OperationalMode,
  ValidationRequest,
} from '@tinymlops/contracts';

/** One row of `GET /api/v1/packages`. */
export interface PackageRow {
  device_id: string;
  package_id: string;
  sha256: string;
  status: 'queued' | 'processing' | 'ingested' | 'failed';
  types: string[] | null;
  error: string | null;
}

/**
 * The few calls of TinySphere's people API (`/api/v1`) the demo and the end-to-end tests make,
 * with an API token. Every non-2xx answer throws with the server's error message.
 * @example
 * const api = new PeopleApi('http://127.0.0.1:8080', token);
 * const episodes = await api.episodes(deviceId);
 */
export class PeopleApi {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  versions(modelId: string): Promise<ModelVersionSummary[]> {
    return this.call<{ items: ModelVersionSummary[] }>('GET', `/models/${modelId}/versions`).then((r) => r.items);
  }

  uploadBundle(tgz: Buffer): Promise<ModelVersionSummary> {
    return this.call('POST', '/models/bundles', tgz, 'application/gzip');
  }

  assign(deviceId: string, modelId: string, version: string): Promise<unknown> {
    return this.call('POST', '/deployments', { target: { kind: 'device', deviceId }, modelId, version });
  }

  deployments(): Promise<DeploymentStatus[]> {
    return this.call<{ items: DeploymentStatus[] }>('GET', '/deployments').then((r) => r.items);
  }

  episodes(deviceId: string): Promise<DriftEpisodeSummary[]> {
    return this.call<{ items: DriftEpisodeSummary[] }>('GET', `/drift/episodes?deviceId=${deviceId}&limit=500`).then(
      (r) => r.items,
    );
  }

  samples(deviceId: string): Promise<DriftSampleSummary[]> {
    return this.call<{ items: DriftSampleSummary[] }>('GET', `/drift/samples?deviceId=${deviceId}&limit=500`).then(
      (r) => r.items,
    );
  }

  validate(deviceId: string, sampleId: string, body: ValidationRequest): Promise<unknown> {
    return this.call('POST', `/drift/samples/${deviceId}/${sampleId}/validation`, body);
  }

  /** What the device did with each item sent to it (newest first). */
  deliveries(deviceId: string): Promise<FeedbackDelivery[]> {
    return this.items(`/feedback/deliveries?deviceId=${deviceId}&limit=500`);
  }

  device(deviceId: string): Promise<DeviceSummary> {
    return this.call('GET', `/devices/${deviceId}`);
  }

  /** The device's adaptations, newest first. */
  adaptations(deviceId: string): Promise<AdaptationSummary[]> {
    return this.items(`/adaptations?deviceId=${deviceId}&limit=500`);
  }

  review(deviceId: string, seq: number, body: AdaptationReviewRequest): Promise<AdaptationReviewResult> {
    return this.call('POST', `/adaptations/${deviceId}/${seq}/review`, body);
  }

  /** Sets (or with null clears) the server's mode for one device. */
  setMode(deviceId: string, mode: OperationalMode | null): Promise<DeviceSettingsView> {
    return this.call('PUT', `/settings/devices/${deviceId}`, { mode });
  }

  packages(deviceId: string): Promise<PackageRow[]> {
    return this.call<{ items: PackageRow[] }>('GET', `/packages?deviceId=${deviceId}&limit=500`).then((r) => r.items);
  }

  mlflowImports(): Promise<MlflowImport[]> {
    return this.items<MlflowImport>('/mlflow/imports');
  }

  logFieldMetrics(): Promise<FieldMetricsResult> {
    return this.call('POST', '/mlflow/field-metrics');
  }

  /** The validated-samples export (a field dataset .tar.gz) for a query string like `modelId=…`. */
  async exportSamples(query: string): Promise<Buffer> {
    const r = await fetch(`${this.baseUrl}/api/v1/exports/validated-samples?${query}`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    if (!r.ok) throw new Error(`export: ${r.status} ${(await r.text()).slice(0, 500)}`);
    return Buffer.from(await r.arrayBuffer());
  }

  private async items<T>(path: string): Promise<T[]> {
    return (await this.call<{ items: T[] }>('GET', path)).items;
  }

  private async call<T>(method: string, path: string, body?: unknown, type = 'application/json'): Promise<T> {
    const r = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': type }) },
      ...(body === undefined ? {} : { body: Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} /api/v1${path}: ${r.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
