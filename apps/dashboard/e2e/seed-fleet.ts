import { encodeFloat32, type DriftEventsDocument } from '@tinymlops/contracts';
import { buildPackage } from '../../tinysphere/src/testing/package-archive.js';
import type { TestServer } from '../../tinysphere/src/testing/test-server.js';
import { garmentPng } from './png.js';

/** A device the seed enrolled, with its secret token (to check what the device API shows it). */
export interface SeededDevice {
  deviceId: string;
  deviceToken: string;
  name: string;
}

const MIN = 60_000;
const iso = (t: number) => new Date(t).toISOString();

async function waitIngested(s: TestServer, token: string, packageId: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const r = await s.call('GET', `/device/v1/packages/${packageId}`, { token });
    const status = ((await r.json()) as { status?: string }).status;
    if (status === 'ingested') return;
    if (status === 'failed') throw new Error(`package ${packageId} failed to ingest`);
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`package ${packageId} was not ingested in time`);
}

function driftDocument(episodeId: string, start: number, end: number | null, n: number, seed: number) {
  const images: Record<string, Buffer> = {};
  const samples = Array.from({ length: n }, (_, i) => {
    const sampleId = `smp_${episodeId}_${String(i).padStart(3, '0')}`;
    const path = `drift/images/${sampleId}.png`;
    images[path] = garmentPng(i % 2, seed * 100 + i);
    return {
      sampleId,
      episodeId,
      capturedAt: iso(start + i * 20_000),
      frameIndex: 1000 + i,
      prediction: { label: i % 2 ? 'sneaker' : 'pullover', confidence: 0.35 + (i % 4) / 10 },
      neighbours: [
        { label: i % 2 ? 'sneaker' : 'pullover', distance: 3.1 + i / 10 },
        { label: 'sandal', distance: 4.2 + i / 10 },
        { label: 'coat', distance: 5.0 + i / 10 },
      ],
      features: encodeFloat32(Array.from({ length: 16 }, (_, k) => Math.sin(seed + i + k))),
      image: { path, mediaType: 'image/png' as const, width: 28, height: 28 },
    };
  });
  const detector = { kind: 'knn-distance', name: 'knn-distance' };
  const events: DriftEventsDocument['events'] = [
    {
      eventId: `evs_${episodeId}`,
      episodeId,
      phase: 'start',
      at: iso(start),
      frameIndex: 1000,
      detector,
      statistics: { meanDistance: 9.4, pageHinkley: 31.2, referenceMean: 3, referenceStd: 0.4 },
      thresholds: { delta: 1.2, lambda: 30, exit: 15 },
      sampleIds: samples.map((s) => s.sampleId),
    },
  ];
  if (end !== null)
    events.push({
      eventId: `eve_${episodeId}`,
      episodeId,
      phase: 'end',
      at: iso(end),
      frameIndex: 1100,
      detector,
      statistics: { meanDistance: 3.0 },
      thresholds: { lambda: 30 },
      sampleIds: [],
    });
  return { doc: { schemaVersion: 1 as const, events, samples }, images };
}

/** Prediction samples and metrics; every third of the newest predictions carries its frame (into `images`). */
function telemetry(
  now: number,
  episode: { start: number; end: number | null },
  seed: number,
  images: Record<string, Buffer>,
) {
  const predictions = [];
  const metrics = [];
  for (let i = 0; i < 240; i++) {
    // Ten minutes without predictions: the device was restarting (charts draw a gap).
    if (i >= 60 && i < 80) continue;
    const at = now - 120 * MIN + i * 30_000;
    const drifting = at >= episode.start && (episode.end === null || at <= episode.end);
    const wobble = Math.sin(i / 7 + seed);
    const imagePath = i >= 225 && i % 3 === 0 ? `predictions/images/${i}.png` : undefined;
    if (imagePath) images[imagePath] = garmentPng(i % 2, seed * 1000 + i);
    predictions.push({
      ...(imagePath ? { imagePath } : {}),
      seq: i,
      at: iso(at),
      label: ['pullover', 'sneaker', 'coat', 'sandal'][i % 4] ?? 'coat',
      confidence: drifting ? 0.45 + 0.1 * wobble : 0.86 + 0.06 * wobble,
      knnDistance: drifting ? 8.5 + wobble : 3 + 0.4 * wobble,
      latencyMs: 38 + 4 * Math.sin(i / 5) + (i % 17 === 0 ? 9 : 0),
    });
    metrics.push({ seq: 2 * i, at: iso(at), name: 'cpu_percent', value: 31 + 6 * wobble, unit: '%' });
    metrics.push({ seq: 2 * i + 1, at: iso(at), name: 'rss_mb', value: 142 + i / 20, unit: 'MB' });
  }
  return {
    'prediction-samples': { schemaVersion: 1, records: predictions },
    metrics: { schemaVersion: 1, records: metrics },
  };
}

/**
 * Seeds a small fleet through the device API only: three devices (one never heard from since
 * enrolment), heartbeats, drift episodes with real PNG samples and neighbours, prediction
 * samples (with a ten-minute restart gap) and metrics; then labels two samples so neighbours
 * have exemplar images.
 */
export async function seedFleet(s: TestServer): Promise<SeededDevice[]> {
  const now = Date.now();
  const specs = [
    {
      hw: 'pi-zero-0001',
      name: 'shelf-camera-1',
      mode: 'monitoring-only',
      tags: ['shelf'],
      ep: { start: now - 12 * MIN, end: null },
      n: 6,
    },
    {
      hw: 'pi-zero-0002',
      name: 'shelf-camera-2',
      mode: 'server-assisted',
      tags: ['shelf'],
      ep: { start: now - 70 * MIN, end: now - 50 * MIN },
      n: 4,
    },
    { hw: 'pi-zero-0003', name: 'door-camera-3', mode: 'autonomous', tags: ['door'], ep: null, n: 0 },
  ] as const;
  const devices: SeededDevice[] = [];
  for (const [k, spec] of specs.entries()) {
    const d = await s.enrol(spec.hw, { name: spec.name, tags: [...spec.tags] });
    devices.push({ deviceId: d.deviceId, deviceToken: d.deviceToken, name: spec.name });
    if (!spec.ep) continue;
    const hb = await s.call('POST', '/device/v1/heartbeat', {
      token: d.deviceToken,
      json: {
        schemaVersion: 1,
        sentAt: iso(now),
        status: k === 1 ? 'degraded' : 'ok',
        mode: spec.mode,
        model: { modelId: 'fashion-mnv2', version: '1.0.0' },
        stateVersion: 3 + k,
        uptimeSeconds: 7200,
        metrics: {
          framesProcessed: 600,
          inferenceMsP50: 38.2,
          inferenceMsP95: 47.9,
          rssMb: 148,
          cpuPercent: 33,
          driftActive: spec.ep.end === null,
          outboxBytes: 18_432 * (k + 1),
          outboxPackages: 2 * k + 1,
          droppedPackages: 0,
        },
      },
    });
    if (hb.status !== 200) throw new Error(`heartbeat ${hb.status}: ${await hb.text()}`);
    const episodeId = `ep_${spec.hw.replace(/-/g, '')}`;
    const { doc, images } = driftDocument(episodeId, spec.ep.start, spec.ep.end, spec.n, k + 1);
    const packageId = `pkg_${spec.hw.replace(/-/g, '')}_0001`;
    const body = await buildPackage({
      packageId,
      deviceId: d.deviceId,
      files: images,
      documents: { 'drift-events': doc, ...telemetry(now, spec.ep, k, images) },
    });
    const up = await s.upload(d.deviceToken, packageId, body);
    if (up.status !== 202) throw new Error(`upload ${up.status}: ${await up.text()}`);
    await waitIngested(s, d.deviceToken, packageId);
  }
  const second = devices[1] as SeededDevice;
  const label = (sampleId: string, l: string) =>
    s.call('POST', `/api/v1/drift/samples/${second.deviceId}/${sampleId}/validation`, {
      token: s.engineerToken,
      json: { decision: 'label', label: l },
    });
  await label('smp_ep_pizero0002_001', 'sneaker');
  await label('smp_ep_pizero0002_000', 'pullover');
  return devices;
}
