import { readToken } from './session-token';

declare global {
  interface Window {
    /**
     * GET requests index.html's inline script started before the app loaded, by path: the inline
     * script and the app are separate bundles, and this is the one thing they share.
     */
    tinysphereEarly?: Map<string, Promise<Response>>;
  }
}

/**
 * Starts `GET path` at once (with the tab's token), for the API client to pick up when the page
 * asks for the same path: the request then runs while the app's code is still being fetched and
 * evaluated, instead of after it. Does nothing when signed out. Unclaimed requests are dropped
 * after 30 s.
 * @example
 * fetchEarly(overviewPath(since, 3600)); // in index.html's inline script, before the app loads
 */
export function fetchEarly(path: string): void {
  const token = readToken();
  if (!token) return;
  const started = (window.tinysphereEarly ??= new Map());
  const pending = fetch(path, { headers: { accept: 'application/json', authorization: `Bearer ${token}` } });
  pending.catch(() => {}); // a failure is reported to whoever claims it
  started.set(path, pending);
  setTimeout(() => started.get(path) === pending && started.delete(path), 30_000);
}

/** The early request for `path`, if one was started and not yet claimed (each is handed out once). */
export function claimEarly(path: string): Promise<Response> | undefined {
  const pending = window.tinysphereEarly?.get(path);
  window.tinysphereEarly?.delete(path);
  return pending;
}
