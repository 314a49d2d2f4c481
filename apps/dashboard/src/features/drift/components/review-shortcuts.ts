import { useEffect } from 'react';

/** Handlers for the review page's single-key shortcuts. */
export interface ReviewKeys {
  move: (delta: number) => void;
  toggle: () => void;
  selectAll: () => void;
  clear: () => void;
  pickClass: (index: number) => void;
  newClass: () => void;
  falseAlarm: () => void;
  undo: () => void;
}

/** Binds j/k/arrows, x/space, a, Esc, 1–9, n, f and u on the window (ignored while typing in a field). */
export function useReviewShortcuts(keys: ReviewKeys): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT')) return;
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      const k = e.key;
      if (k === 'j' || k === 'ArrowRight' || k === 'ArrowDown') keys.move(1);
      else if (k === 'k' || k === 'ArrowLeft' || k === 'ArrowUp') keys.move(-1);
      else if (k === 'x' || k === ' ') keys.toggle();
      else if (k === 'a') keys.selectAll();
      else if (k === 'Escape') keys.clear();
      else if (k === 'n') keys.newClass();
      else if (k === 'f') keys.falseAlarm();
      else if (k === 'u') keys.undo();
      else if (/^[1-9]$/.test(k)) keys.pickClass(Number(k) - 1);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [keys]);
}
