import { describe, expect, it } from 'vitest';
import { shownPath } from './shown-path.js';

describe('shownPath', () => {
  it('shows a path inside the current folder relative to it, any other absolute', () => {
    expect(shownPath('/home/pi/tinymlops/examples/data', '/home/pi/tinymlops')).toBe('examples/data');
    expect(shownPath('/home/pi/tinymlops', '/home/pi/tinymlops')).toBe('.');
    expect(shownPath('/var/lib/tinylcm', '/home/pi/tinymlops')).toBe('/var/lib/tinylcm');
    expect(shownPath('/home/pi/tinymlops-data', '/home/pi/tinymlops')).toBe('/home/pi/tinymlops-data');
  });
});
