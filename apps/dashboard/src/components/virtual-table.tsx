import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type ReactNode } from 'react';

/** A column of a VirtualTable; `sortKey` makes its header a sort button. */
export interface Column<T> {
  header: string;
  width: string;
  render: (row: T) => ReactNode;
  sortKey?: string;
}

/** Current sort of a table. */
export interface Sort {
  key: string;
  dir: 'asc' | 'desc';
}

/**
 * A virtualised table: only the visible rows are in the DOM, so thousands of rows scroll
 * smoothly. Rows are focusable; Enter opens them. `onEndReached` loads the next page.
 */
export function VirtualTable<T>(props: {
  label: string;
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  onOpen?: (row: T) => void;
  onEndReached?: () => void;
  sort?: Sort;
  onSort?: (sort: Sort) => void;
  /** Maximum height in px; shorter when there are few rows. */
  height?: number;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const rowHeight = 40;
  const v = useVirtualizer({
    count: props.rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 12,
  });
  const items = v.getVirtualItems();
  const last = items.at(-1)?.index ?? -1;
  const { onEndReached, rows } = props;
  useEffect(() => {
    if (onEndReached && last >= rows.length - 5 && rows.length > 0) onEndReached();
  }, [last, rows.length, onEndReached]);
  const grid = props.columns.map((c) => c.width).join(' ');
  const sortButton = (c: Column<T>) => {
    if (!c.sortKey || !props.onSort) return c.header;
    const active = props.sort?.key === c.sortKey;
    const dir = active && props.sort?.dir === 'asc' ? 'desc' : 'asc';
    return (
      <button
        className="th-sort"
        onClick={() => props.onSort?.({ key: c.sortKey ?? '', dir })}
        aria-label={`Sort by ${c.header}`}
      >
        {c.header} {active ? (props.sort?.dir === 'asc' ? '↑' : '↓') : ''}
      </button>
    );
  };
  return (
    <div
      ref={scroller}
      className="vscroll"
      style={{ height: Math.min(props.height ?? 560, 38 + props.rows.length * rowHeight + 2), minHeight: 120 }}
      role="table"
      aria-label={props.label}
      aria-rowcount={props.rows.length}
    >
      <div className="vrow vhead" role="row" style={{ gridTemplateColumns: grid, height: 36 }}>
        {props.columns.map((c) => (
          <div key={c.header} role="columnheader">
            {sortButton(c)}
          </div>
        ))}
      </div>
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {items.map((item) => {
          const row = props.rows[item.index] as T;
          const open = props.onOpen;
          return (
            <div
              key={props.rowKey(row)}
              role="row"
              tabIndex={open ? 0 : -1}
              className={`vrow${open ? ' clickable' : ''}`}
              style={{
                gridTemplateColumns: grid,
                height: rowHeight,
                position: 'absolute',
                top: 0,
                left: 0,
                right: 0,
                transform: `translateY(${item.start}px)`,
              }}
              onClick={open ? () => open(row) : undefined}
              onKeyDown={open ? (e) => e.key === 'Enter' && open(row) : undefined}
            >
              {props.columns.map((c) => (
                <div key={c.header} role="cell">
                  {c.render(row)}
                </div>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}
