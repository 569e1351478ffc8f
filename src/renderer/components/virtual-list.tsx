import type { VNode } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface VirtualListProps {
  count: number;
  /** Every row is this tall, in CSS pixels, unless `offsets` says otherwise. */
  rowHeight: number;
  /** Variable heights (wrapped lines): `offsets[i]` is where row i starts, `offsets[count]` the total height. */
  offsets?: Float64Array | undefined;
  renderRow: (index: number, height: number) => VNode;
  /** Keep the newest row in view as rows are added. */
  follow: boolean;
  /** The user scrolled: `atBottom` tells whether the newest row is in view. */
  onScrolled: (atBottom: boolean) => void;
  /** The user scrolled to the very top. */
  onReachTop?: () => void;
  /**
   * Rows were inserted above the ones in view: `{ key, rows }` changes once per insertion, and
   * the view moves down by their height so what the user reads stays put.
   */
  insertedAbove?: { key: number; rows: number } | undefined;
  label: string;
}

/** Rows drawn beyond the visible ones, so fast scrolling shows no blank gap. */
const OVERSCAN = 12;

/** The last row starting at or before `y`. */
function rowAt(offsets: Float64Array, count: number, y: number): number {
  let low = 0;
  let high = count;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (offsets[middle]! <= y) low = middle;
    else high = middle - 1;
  }
  return Math.min(low, Math.max(0, count - 1));
}

/**
 * A list that draws only the rows in view, so 100k lines scroll like 100. The container is a
 * focusable scroll region: arrow keys, Page Up/Down, Home and End work.
 */
export function VirtualList({ count, rowHeight, offsets, renderRow, follow, onScrolled, onReachTop, insertedAbove, label }: VirtualListProps) {
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(0);
  /** Scrolls the list makes itself (following) are not the user's. */
  const ownScroll = useRef(false);
  /** The height at the last scroll: a scroll that comes with a new height is the browser clamping to it, not the user. */
  const heightAtScroll = useRef(0);
  const top = (index: number) => (offsets ? offsets[index]! : index * rowHeight);
  const total = top(count);

  useLayoutEffect(() => {
    const element = viewport.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    setHeight(element.clientHeight);
    return () => observer.disconnect();
  }, []);

  useLayoutEffect(() => {
    const element = viewport.current;
    if (!element || !follow) return;
    const bottom = Math.max(0, total - element.clientHeight);
    if (Math.abs(element.scrollTop - bottom) > 1) {
      ownScroll.current = true;
      element.scrollTop = bottom;
      setScrollTop(element.scrollTop);
    }
  }, [total, follow, height]);

  useLayoutEffect(() => {
    const element = viewport.current;
    if (!element || !insertedAbove || insertedAbove.rows === 0 || follow) return;
    ownScroll.current = true;
    element.scrollTop += top(insertedAbove.rows);
    setScrollTop(element.scrollTop);
  }, [insertedAbove?.key]);

  const onScroll = () => {
    const element = viewport.current;
    if (!element) return;
    setScrollTop(element.scrollTop);
    if (ownScroll.current) {
      ownScroll.current = false;
      heightAtScroll.current = total;
      return;
    }
    // Only a list that got shorter makes the browser clamp its scroll position; new lines below do not.
    const clamped = total < heightAtScroll.current;
    heightAtScroll.current = total;
    if (element.scrollTop <= 0 && !clamped) onReachTop?.();
    onScrolled(element.scrollTop + element.clientHeight >= element.scrollHeight - rowHeight);
  };

  const firstVisible = offsets ? rowAt(offsets, count, scrollTop) : Math.floor(scrollTop / rowHeight);
  const lastVisible = offsets ? rowAt(offsets, count, scrollTop + height) + 1 : Math.ceil((scrollTop + height) / rowHeight);
  const first = Math.max(0, firstVisible - OVERSCAN);
  const last = Math.min(count, lastVisible + OVERSCAN);
  const rows: VNode[] = [];
  for (let index = first; index < last; index++) rows.push(renderRow(index, top(index + 1) - top(index)));

  return (
    <div ref={viewport} class="vlist" tabIndex={0} role="region" aria-label={label} onScroll={onScroll}>
      <div class="vlist__spacer" style={{ height: `${total}px` }}>
        <div class="vlist__window" style={{ transform: `translateY(${top(first)}px)` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
