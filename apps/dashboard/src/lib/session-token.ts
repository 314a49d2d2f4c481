const KEY = 'tinysphere.apiToken';
const listeners = new Set<() => void>();

/** The API token of this browser tab (sessionStorage: gone when the tab closes). */
export function readToken(): string | null {
  return sessionStorage.getItem(KEY);
}

/** Stores or (with null) forgets the token and tells subscribers. */
export function writeToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, token);
  for (const l of listeners) l();
}

/** Subscribes to token changes (for useSyncExternalStore). */
export function subscribeToken(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
