import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderJsonSchemas } from './json-schemas.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/schemas');

describe('docs/schemas', () => {
  it('matches the contracts exactly (run `npm run schemas` after changing a schema)', async () => {
    const expected = renderJsonSchemas();
    const onDisk = (await readdir(dir)).filter((f) => f.endsWith('.schema.json')).sort();
    expect(onDisk).toEqual(Object.keys(expected).sort());
    for (const [name, text] of Object.entries(expected)) {
      expect(await readFile(path.join(dir, name), 'utf8'), `${name} is stale`).toBe(text);
    }
  });
});
