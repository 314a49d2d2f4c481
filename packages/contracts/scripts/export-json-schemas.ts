/**
 * Writes docs/schemas/<Name>.schema.json for every top-level contracts schema.
 * Run: npm run schemas  (a test fails when the committed files are stale).
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderJsonSchemas } from '../src/json-schemas.js';

const outDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/schemas');
await mkdir(outDir, { recursive: true });
const files = renderJsonSchemas();
for (const old of await readdir(outDir)) if (!(old in files)) await rm(path.join(outDir, old));
for (const [name, text] of Object.entries(files)) await writeFile(path.join(outDir, name), text);
console.log(`wrote ${Object.keys(files).length} JSON Schemas to ${path.relative(process.cwd(), outDir)}`);
