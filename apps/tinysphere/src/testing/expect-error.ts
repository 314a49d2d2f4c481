import { ErrorEnvelope } from '@tinymlops/contracts';
import { expect } from 'vitest';
import { readJson } from './test-server.js';

/**
 * Asserts that a response is the error envelope with `status` and `code`.
 * @example
 * await expectError(await s.call('GET', '/api/v1/devices'), 401, 'UNAUTHENTICATED');
 */
export async function expectError(r: Response, status: number, code: string): Promise<void> {
  const body = await readJson(r);
  expect({ status: r.status, code: body?.error?.code }).toEqual({ status, code });
  expect(ErrorEnvelope.safeParse(body).success).toBe(true);
}
