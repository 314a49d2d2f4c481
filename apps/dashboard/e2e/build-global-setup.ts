import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const APP = fileURLToPath(new URL('..', import.meta.url));
const CONTRACTS = fileURLToPath(new URL('../../../packages/contracts/src', import.meta.url));

function newest(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = 0;
  for (const e of readdirSync(p)) m = Math.max(m, newest(path.join(p, e)));
  return m;
}

/** True when dist/ is missing or older than any source the bundle is built from. */
export function dashboardBuildIsStale(): boolean {
  const index = path.join(APP, 'dist', 'index.html');
  if (!existsSync(index)) return true;
  const sources = [
    path.join(APP, 'src'),
    path.join(APP, 'index.html'),
    path.join(APP, 'vite.config.ts'),
    path.join(APP, 'preload-app-chunks.ts'),
    path.join(APP, 'inline-early-requests.ts'),
    CONTRACTS,
  ];
  return Math.max(...sources.map(newest)) > statSync(index).mtimeMs;
}

/** vitest globalSetup of the browser tests: builds the dashboard with Vite when dist/ is missing or stale. */
export default async function setup(): Promise<void> {
  if (!dashboardBuildIsStale()) return;
  const { build } = await import('vite');
  // vitest sets NODE_ENV=test, which would make this a development build of React (and the benches
  // reuse a build that is not stale): the tests and benches exercise what TinySphere serves.
  const before = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({ configFile: path.join(APP, 'vite.config.ts'), root: APP, logLevel: 'warn', mode: 'production' });
  } finally {
    if (before === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = before;
  }
}
