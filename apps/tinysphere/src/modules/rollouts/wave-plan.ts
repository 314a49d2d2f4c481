import { createHash } from 'node:crypto';
import type { RolloutWave } from '@tinymlops/contracts';

/**
 * How many devices have the new version once each wave has started (cumulative): a wave of N
 * devices adds N, a percentage names the share of the whole target. Every wave reaches at least
 * one more device than the one before while any are left, and the last wave always takes them all.
 * @example
 * cumulativeWaveSizes([{ devices: 2 }, { percent: 50 }, { percent: 100 }], 60); // [2, 30, 60]
 */
export function cumulativeWaveSizes(waves: readonly RolloutWave[], total: number): number[] {
  const sizes: number[] = [];
  let reached = 0;
  waves.forEach((w, i) => {
    const wanted = 'devices' in w ? reached + w.devices : Math.ceil((w.percent / 100) * total);
    const last = i === waves.length - 1;
    reached = last ? total : Math.min(total, Math.max(wanted, reached + 1));
    sizes.push(reached);
  });
  return sizes;
}

/**
 * The order in which a rollout reaches the target's devices: a stable shuffle seeded by the
 * rollout id, so the canary is not always the oldest device and a restart picks the same ones.
 * @example
 * rolloutOrder('ro_abc12345', ['dev_a', 'dev_b']); // same answer every time
 */
export function rolloutOrder(rolloutId: string, deviceIds: readonly string[]): string[] {
  const key = (id: string) => createHash('sha256').update(`${rolloutId}/${id}`).digest('hex');
  return [...deviceIds]
    .map((id) => [key(id), id] as const)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, id]) => id);
}
