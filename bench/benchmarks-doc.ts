/**
 * docs/benchmarks.md, where every `npm run bench…` script appends its dated results.
 */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DOC = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));

/**
 * Appends `text` to docs/benchmarks.md, creating the file with its heading on a fresh checkout.
 * @example
 * appendBenchmarks(`\n## bench:server — ${new Date().toISOString()}\n\n| db | … |\n`);
 */
export function appendBenchmarks(text: string): void {
  if (!existsSync(DOC))
    writeFileSync(DOC, '# Benchmarks\n\nRows are appended by the `npm run bench…` scripts; each names its machine.\n');
  appendFileSync(DOC, text);
}
