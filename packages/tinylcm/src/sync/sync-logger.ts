/**
 * Where the sync module reports what it contained (network errors, rejected packages, drops).
 * `console` fits; a pino logger fits through a two-line adapter.
 * @example
 * const log: SyncLogger = { info: (m, c) => console.log(m, c), warn: (m, c) => console.warn(m, c) };
 */
export interface SyncLogger {
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
}

/**
 * A logger that discards everything (the default: the library never writes to stdout on its own).
 * @example
 * const client = new SyncClient({ ..., log: silentLogger });
 */
export const silentLogger: SyncLogger = { info: () => undefined, warn: () => undefined };
