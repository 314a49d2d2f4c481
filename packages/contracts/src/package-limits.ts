/** Limits the server enforces on package archives (also used by devices to size packages). */
export const PACKAGE_LIMITS = {
  maxArchiveBytes: 16 * 1024 * 1024,
  maxExtractedBytes: 64 * 1024 * 1024,
  maxEntries: 2_000,
  maxCompressionRatio: 100,
} as const;
