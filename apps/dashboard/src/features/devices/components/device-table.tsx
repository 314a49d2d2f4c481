import { useCallback, useDeferredValue, useState } from 'react';
import { useNavigate } from 'react-router';
import { QueryState } from '../../../components/query-state';
import { VirtualTable, type Sort } from '../../../components/virtual-table';
import { useDeviceTable, type DeviceTableQuery } from '../api/get-device-table';
import { DEVICE_COLUMNS } from './device-columns';

/** Searchable, filterable, sortable device table; the server filters, sorts and pages. */
export function DeviceTable() {
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const q = useDeferredValue(search);
  const [filter, setFilter] = useState<Omit<DeviceTableQuery, 'q' | 'sort' | 'dir'>>({});
  const [sort, setSort] = useState<Sort>({ key: 'name', dir: 'asc' });
  const query = useDeviceTable({
    ...filter,
    ...(q ? { q } : {}),
    sort: sort.key as DeviceTableQuery['sort'],
    dir: sort.dir,
  });
  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];
  const total = query.data?.pages[0]?.total ?? 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const more = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  const pick =
    <K extends keyof typeof filter>(k: K) =>
    (e: React.ChangeEvent<HTMLSelectElement>) =>
      setFilter((f) => {
        const next = { ...f };
        if (e.target.value) next[k] = e.target.value as (typeof filter)[K];
        else delete next[k];
        return next;
      });
  return (
    <div className="stack">
      <div className="row" role="search">
        <label>
          Search
          <input
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="name, hardware or device id"
            style={{ width: 260 }}
          />
        </label>
        <label>
          Connectivity
          <select value={filter.connectivity ?? ''} onChange={pick('connectivity')}>
            <option value="">any</option>
            <option value="online">online</option>
            <option value="offline">offline</option>
          </select>
        </label>
        <label>
          Health
          <select value={filter.status ?? ''} onChange={pick('status')}>
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="degraded">degraded</option>
            <option value="error">error</option>
          </select>
        </label>
        <label>
          Mode
          <select value={filter.mode ?? ''} onChange={pick('mode')}>
            <option value="">any</option>
            <option value="monitoring-only">monitoring-only</option>
            <option value="autonomous">autonomous</option>
            <option value="server-assisted">server-assisted</option>
          </select>
        </label>
        <span className="muted small" style={{ alignSelf: 'flex-end', marginLeft: 'auto' }} aria-live="polite">
          {query.isFetching ? 'Updating… ' : ''}
          {rows.length} of {total} devices
        </span>
      </div>
      <QueryState
        query={query}
        isEmpty={() => total === 0}
        empty={{
          title: search || Object.keys(filter).length ? 'No device matches these filters' : 'No devices enrolled yet',
          hint:
            search || Object.keys(filter).length
              ? 'Clear the search or filters.'
              : 'Create an enrolment token in Settings and start a device with it.',
        }}
      >
        {() => (
          <VirtualTable
            label="Devices"
            rows={rows}
            columns={DEVICE_COLUMNS}
            rowKey={(r) => r.device.deviceId}
            onOpen={(r) => navigate(`/devices/${r.device.deviceId}`)}
            onEndReached={more}
            sort={sort}
            onSort={setSort}
            height={600}
          />
        )}
      </QueryState>
    </div>
  );
}
