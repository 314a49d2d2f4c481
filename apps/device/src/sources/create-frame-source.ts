import path from 'node:path';
import type { DeviceConfig } from '@tinymlops/contracts';
import { cameraSource } from './camera-source.js';
import { datasetSource } from './dataset-source.js';
import { directorySource } from './directory-source.js';
import type { FrameSource } from './frame-source.js';
import { stdinSource } from './stdin-source.js';

/**
 * Builds the input source named in the device config.
 * @example
 * const source = createFrameSource(config.source, baseDir, { warn: console.warn });
 */
export function createFrameSource(
  source: DeviceConfig['source'],
  baseDir: string,
  o: { warn?: (msg: string) => void; maxFrames?: number } = {},
): FrameSource {
  const warn = o.warn ?? (() => undefined);
  switch (source.type) {
    case 'camera':
      return cameraSource({ command: source.command, mode: source.mode, warn });
    case 'directory':
      return directorySource(path.resolve(baseDir, source.path), { loop: source.loop, warn });
    case 'dataset': {
      const { scenario, seed, driftAfterFrames } = source;
      return datasetSource({ scenario, seed, driftAfterFrames, ...(o.maxFrames ? { maxFrames: o.maxFrames } : {}) });
    }
    case 'stdin':
      return stdinSource(source, process.stdin);
  }
}
