import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { DeviceTablePage, type DEVICE_TABLE_SORTS } from '@tinymlops/contracts';
import { apiGet, withQuery } from '../../../lib/api-client';

/** Filters and sort of the device table (all applied by the server). */
export interface DeviceTableQuery {
  q?: string;
  connectivity?: 'online' | 'offline';
  status?: 'ok' | 'degraded' | 'error';
  mode?: 'monitoring-only' | 'autonomous' | 'server-assisted';
  sort: (typeof DEVICE_TABLE_SORTS)[number];
  dir: 'asc' | 'desc';
}

const PAGE = 100;

/** Fetches one page of the device table. */
export const getDeviceTable = (q: DeviceTableQuery, offset: number) =>
  apiGet(withQuery('/api/v1/fleet/devices', { ...q, offset, limit: PAGE }), DeviceTablePage);

/** The device table, paged by the server (next page loads as the table scrolls). */
export function useDeviceTable(q: DeviceTableQuery) {
  return useInfiniteQuery({
    queryKey: ['device-table', q],
    queryFn: ({ pageParam }) => getDeviceTable(q, pageParam),
    initialPageParam: 0,
    getNextPageParam: (last) => (last.offset + last.items.length < last.total ? last.offset + PAGE : undefined),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
}
