import type { VNode } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface VirtualListProps {
  count: number;
  /** Every row is exactly this tall, in CSS pixels. */
  rowHeight: number;
  renderRow: (index: number) => VNode;
  /** Keep the newest row in view as rows are added. */
  follow: boolean;
  /** The user scrolled: `atBottom` tells whether the newest row is in view. */
  onScrolled: (atBottom: boolean) => void;
  label: string;
}

/** Rows drawn beyond the visible ones, so fast scrolling shows no blank gap. */
const OVERSCAN = 12;

/**
 * A list that draws only the rows in view, so 100k lines scroll like 100. The container is a
 * focusable scroll region: arrow keys, Page Up/Down, Home and End work.
 */
export function VirtualList({ count, rowHeight, renderRow, follow, onScrolled, label }: VirtualListProps) {
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(0);
  /** Scrolls the list makes itself (following) are not the user's. */
  const ownScroll = useRef(false);

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
    const bottom = Math.max(0, count * rowHeight - element.clientHeight);
    if (Math.abs(element.scrollTop - bottom) > 1) {
      ownScroll.current = true;
      element.scrollTop = bottom;
      setScrollTop(element.scrollTop);
    }
  }, [count, rowHeight, follow, height]);

  const onScroll = () => {
    const element = viewport.current;
    if (!element) return;
    setScrollTop(element.scrollTop);
    if (ownScroll.current) {
      ownScroll.current = false;
      return;
    }
    onScrolled(element.scrollTop + element.clientHeight >= element.scrollHeight - rowHeight);
  };

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const rows: VNode[] = [];
  for (let index = first; index < last; index++) rows.push(renderRow(index));

  return (
    <div ref={viewport} class="vlist" tabIndex={0} role="region" aria-label={label} onScroll={onScroll}>
      <div class="vlist__spacer" style={{ height: `${count * rowHeight}px` }}>
        <div class="vlist__window" style={{ transform: `translateY(${first * rowHeight}px)` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
