/** The Overview's API path for a drift-rate window (no imports: index.html's inline script uses it). */
export const overviewPath = (since: string, bucketSeconds: number) =>
  `/api/v1/overview?${new URLSearchParams({ since, bucketSeconds: String(bucketSeconds) })}`;
