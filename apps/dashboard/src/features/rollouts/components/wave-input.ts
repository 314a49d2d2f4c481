import type { RolloutWave } from '@tinymlops/contracts';

/**
 * Reads waves typed as `3, 10%, 50%, 100%` (a bare number is a device count); null when a part
 * is neither.
 * @example
 * parseWaves('1%, 10%, 100%'); // [{ percent: 1 }, { percent: 10 }, { percent: 100 }]
 */
export function parseWaves(text: string): RolloutWave[] | null {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const waves = parts.map((p): RolloutWave | null => {
    const m = /^(\d+(?:\.\d+)?)\s*(%|devices?)?$/.exec(p);
    if (!m) return null;
    return m[2] === '%' ? { percent: Number(m[1]) } : { devices: Number(m[1]) };
  });
  return waves.length && waves.every((w) => w !== null) ? (waves as RolloutWave[]) : null;
}

/** The waves as the form shows them. */
export const formatWaves = (waves: readonly RolloutWave[]) =>
  waves.map((w) => ('percent' in w ? `${w.percent}%` : String(w.devices))).join(', ');
