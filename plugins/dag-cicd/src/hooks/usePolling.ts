import { useEffect, useRef } from 'react';

/**
 * Calls `poll` every `intervalMs` while `active`, never overlapping: the
 * next call is scheduled when the previous one settled, so a slow backend
 * is not flooded. Stops when the component unmounts or `active` turns false.
 *
 * @public
 */
export function usePolling(
  poll: () => Promise<unknown> | unknown,
  options: { active: boolean; intervalMs?: number },
): void {
  const { active, intervalMs = 5000 } = options;
  // The newest callback, without restarting the timer on every render.
  const latest = useRef(poll);
  latest.current = poll;

  useEffect(() => {
    if (!active) return undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const schedule = () => {
      timer = setTimeout(async () => {
        try {
          await latest.current();
        } catch {
          // The caller shows its own errors; polling just tries again.
        }
        if (!stopped) schedule();
      }, intervalMs);
    };
    schedule();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [active, intervalMs]);
}
