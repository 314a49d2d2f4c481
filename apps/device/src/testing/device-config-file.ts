// Test helper: device.json files on the committed model bundle in temp folders. Test-only: the
// program never imports it.
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's model bundle; tests skip when it is absent. */
export const TEST_BUNDLE = fileURLToPath(new URL('../../../../models/fashion-mnv2', import.meta.url));
export const HAS_TEST_BUNDLE = existsSync(path.join(TEST_BUNDLE, 'bundle.json'));

/** The dataset's held-out-class scenario: unknown objects from `driftAfterFrames` on. */
export const heldOutSource = (driftAfterFrames: number) => ({
  type: 'dataset',
  name: 'fashion-mnist-sample',
  scenario: 'held-out-classes',
  seed: 1,
  driftAfterFrames,
});

/** Writes `device.json` (schema version and the test bundle filled in) to a new temp folder. */
export async function deviceConfigFile(config: object): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'device-test-'));
  const file = path.join(dir, 'device.json');
  await writeFile(file, JSON.stringify({ schemaVersion: 1, model: { bundle: TEST_BUNDLE }, ...config }));
  return { dir, file };
}
