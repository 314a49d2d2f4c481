import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries (DESIGN §2) are enforced by `npm run lint`', () => {
  it('rejects an import from apps/ inside packages/tinylcm', async () => {
    const errors = await boundaryErrors(
      'packages/tinylcm/src/pipeline-probe.ts',
      "import { x } from '../../../apps/tinysphere/src/app.js';\nexport const y = x;\n",
    );
    expect(errors.join('\n')).toMatch(/never imports an app/);
  });

  it('rejects an app package import inside packages/tinylcm', async () => {
    const errors = await boundaryErrors(
      'packages/tinylcm/src/probe.ts',
      "import { x } from '@tinymlops/tinysphere';\nexport const y = x;\n",
    );
    expect(errors.length).toBe(1);
  });

  it('allows tinylcm to import contracts', async () => {
    const errors = await boundaryErrors(
      'packages/tinylcm/src/probe.ts',
      "import { Id } from '@tinymlops/contracts';\nexport const y = Id;\n",
    );
    expect(errors).toEqual([]);
  });

  it('rejects any import of ours inside contracts', async () => {
    const errors = await boundaryErrors(
      'packages/contracts/src/probe.ts',
      "import { x } from '@tinymlops/tinylcm';\nexport const y = x;\n",
    );
    expect(errors.join('\n')).toMatch(/contracts imports nothing of ours/);
  });

  it('rejects one app importing another', async () => {
    const errors = await boundaryErrors(
      'apps/device/src/probe.ts',
      "import { x } from '../../tinysphere/src/app.js';\nexport const y = x;\n",
    );
    expect(errors.join('\n')).toMatch(/apps never import each other/);
  });
});
