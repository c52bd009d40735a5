/** The 7-character abbreviation people know a commit by. */
export function shortSha(commit: string): string {
  return commit.slice(0, 7);
}

/** `n thing` or `n things`. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** A span of time as a person reads it: `2d 3h`, `5h 12m`, `40s`. */
export function formatSpan(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [
    d && `${d}d`,
    h && `${h}h`,
    m && `${m}m`,
    // Seconds only matter when less than an hour is left.
    !d && !h && s && `${s}s`,
  ].filter(Boolean);
  return parts.length ? parts.slice(0, 2).join(' ') : '0s';
}

/** The first few items of a list, and how many more there are. */
export function firstFew(items: string[], few = 3): string {
  const shown = items.slice(0, few).join('; ');
  return items.length > few
    ? `${shown}; and ${items.length - few} more`
    : shown;
}
