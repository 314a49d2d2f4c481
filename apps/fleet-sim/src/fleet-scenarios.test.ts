import { describe, expect, it } from 'vitest';
import { deviceSchedule } from './fleet-scenarios.js';

describe('deviceSchedule', () => {
  it('mixed plays held-out-class, lighting and gradual-mix in turn; lighting alternates brightness and contrast', () => {
    const s = [0, 1, 2, 3, 4].map((i) => deviceSchedule('mixed', i, 1, 600));
    expect(s.map((x) => x.scenario)).toEqual([
      'held-out-class',
      'lighting',
      'gradual-mix',
      'held-out-class',
      'lighting',
    ]);
    expect([s[1]?.stream, s[4]?.stream]).toEqual(['brightness', 'contrast']);
    expect(deviceSchedule('lighting', 1, 1, 600).stream).toBe('contrast');
  });

  it('places one episode per cycle, after the calm part, shifted per device and reproducible', () => {
    const a = deviceSchedule('held-out-class', 0, 1, 900);
    expect(a.episodes).toHaveLength(3);
    for (const [c, e] of a.episodes.entries()) {
      expect(e.start).toBeGreaterThanOrEqual(c * 300 + 150);
      expect(e.end - e.start).toBe(100);
    }
    expect(deviceSchedule('held-out-class', 0, 1, 900)).toEqual(a);
    expect(deviceSchedule('held-out-class', 1, 1, 900).episodes).not.toEqual(a.episodes);
    expect(deviceSchedule('no-drift', 0, 1, 900).episodes).toEqual([]);
  });
});
