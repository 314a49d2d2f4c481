import { readToken } from './session-token';

/** Requests started before the app loaded, by path; each is handed out once. */
const started = new Map<string, Promise<Response>>();

/**
 * Starts `GET path` at once (with the tab's token), for the API client to pick up when the page
 * asks for the same path: the request then runs while the app's code is still being evaluated,
 * instead of after it. Does nothing when signed out. Unclaimed requests are dropped after 30 s.
 * @example
 * fetchEarly(overviewPath(since, 3600)); // in the entry script, before the app is imported
 */
export function fetchEarly(path: string): void {
  const token = readToken();
  if (!token) return;
  const pending = fetch(path, { headers: { accept: 'application/json', authorization: `Bearer ${token}` } });
  pending.catch(() => {}); // a failure is reported to whoever claims it
  started.set(path, pending);
  setTimeout(() => started.get(path) === pending && started.delete(path), 30_000);
}

/** The early request for `path`, if one was started and not yet claimed. */
export function claimEarly(path: string): Promise<Response> | undefined {
  const pending = started.get(path);
  started.delete(path);
  return pending;
}
