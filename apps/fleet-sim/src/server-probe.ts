/**
 * Asks a TinySphere server whether it is ready (`GET /readyz`), within `timeoutMs`. Never throws:
 * an unreachable server is a normal situation for devices, reported as `{ ok: false, reason }`.
 * @example
 * const p = await probeServer('http://127.0.0.1:8080');
 * if (!p.ok) console.error(`offline: ${p.reason}`);
 */
export async function probeServer(
  baseUrl: string,
  timeoutMs = 3000,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const r = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
    return r.ok ? { ok: true } : { ok: false, reason: `GET /readyz answered ${r.status}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { ok: false, reason: cause ?? (err as Error).message };
  }
}
