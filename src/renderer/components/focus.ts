import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * Moves focus once the next render is on screen: after an action replaces the control that had
 * focus (a confirmation, a deleted row), focus goes to what took its place, never to the page body.
 * `find` runs after that render and may return nothing, then focus is left alone.
 */
export function useFocusAfterRender(): (find: () => HTMLElement | null | undefined) => void {
  const pending = useRef<(() => HTMLElement | null | undefined) | null>(null);
  const [, rerender] = useState(0);
  useEffect(() => {
    const find = pending.current;
    if (!find) return;
    pending.current = null;
    find()?.focus();
  });
  return (find) => {
    pending.current = find;
    rerender((count) => count + 1);
  };
}
