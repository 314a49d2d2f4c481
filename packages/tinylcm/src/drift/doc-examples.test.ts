import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as tinylcm from '../index.js';

/**
 * Runs every `@example` of src/drift/*.ts and src/random/*.ts (River's doctest habit): each example
 * is plain JavaScript over the package exports, and its `// => …` lines are the exact console output.
 */
interface Example {
  file: string;
  index: number;
  code: string;
  expected: string[];
}

const SOURCE_DIRS = ['./', '../random/'];

function examplesOf(file: string, text: string): Example[] {
  const out: Example[] = [];
  for (const block of text.match(/\/\*\*[\s\S]*?\*\//g) ?? []) {
    const lines = block.split('\n').map((l) => l.replace(/^\s*\/?\*+\/?\s?/, ''));
    let current: string[] | null = null;
    const flush = (): void => {
      if (!current) return;
      const code = current.join('\n');
      const expected = current.filter((l) => l.trim().startsWith('// =>')).map((l) => l.trim().slice(5).trim());
      out.push({ file, index: out.length, code, expected });
      current = null;
    };
    for (const line of lines) {
      if (line.startsWith('@example')) {
        flush();
        current = [];
      } else if (line.startsWith('@')) flush();
      else current?.push(line);
    }
    flush();
  }
  return out;
}

function allExamples(): Example[] {
  return SOURCE_DIRS.flatMap((dir) => {
    const url = new URL(dir, import.meta.url);
    return readdirSync(fileURLToPath(url))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .flatMap((f) => examplesOf(`${dir}${f}`, readFileSync(new URL(f, url), 'utf8')));
  });
}

/** Evaluates an example with the package exports in scope and returns what it logged. */
export function runExample(code: string): string[] {
  const logged: string[] = [];
  const fakeConsole = { log: (...args: unknown[]) => logged.push(args.map(String).join(' ')) };
  const names = Object.keys(tinylcm);
  const run = new Function(...names, 'console', code) as (...args: unknown[]) => void;
  run(...names.map((n) => (tinylcm as Record<string, unknown>)[n]), fakeConsole);
  return logged;
}

const examples = allExamples();

describe('doc examples', () => {
  it('finds an example with stated output in every detector file', () => {
    const files = new Set(examples.filter((e) => e.expected.length > 0).map((e) => e.file));
    for (const f of ['page-hinkley', 'cusum', 'adwin', 'kswin', 'ewma-chart', 'ddm', 'eddm', 'hddm-a', 'hddm-w']) {
      expect(files).toContain(`./${f}.ts`);
    }
    for (const f of [
      'prediction-distribution',
      'feature-distribution',
      'mmd-drift',
      'neighbour-diversity',
      'registry',
    ]) {
      expect(files).toContain(`./${f}.ts`);
    }
  });

  it.each(examples.map((e) => [`${e.file} #${e.index}`, e] as const))('%s prints what its comment says', (_, e) => {
    expect(e.expected.length, 'every example states its output with // =>').toBeGreaterThan(0);
    expect(runExample(e.code)).toEqual(e.expected);
  });
});
