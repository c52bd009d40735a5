// Column names that hold an event's time, when the caller names none.
const TIMESTAMP_NAME = /^(ts|timestamp|event_time|.+_at)$/i;

/** Whether a column name reads like a timestamp: ts, timestamp, event_time, *_at. */
export function isTimestampName(name: string): boolean {
  return TIMESTAMP_NAME.test(name);
}

// ISO 8601 as written by databases, Python's isoformat and JavaScript's
// toISOString: a date, optionally a time (seconds and fraction optional) and
// a zone. The zone is kept as written: moving the wall-clock time and moving
// the instant are the same thing under a fixed offset.
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:([Tt ])(\d{2}):(\d{2})(?::(\d{2})(?:([.,])(\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

// Epoch numbers: seconds, milliseconds, microseconds or nanoseconds, told
// apart by magnitude (seconds reach 1e11 only in the year 5138).
const EPOCH = /^(-?)(\d{1,19})(?:\.(\d{1,9}))?$/;

const DAY_MS = 86_400_000;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return DAYS_IN_MONTH[month - 1] + (month === 2 && leap ? 1 : 0);
}

const two = (value: number) => (value < 10 ? `0${value}` : `${value}`);

function shiftIso(match: RegExpExecArray, byMs: number): string | undefined {
  const [, y, mo, d, separator, h, mi, s, point, fraction = '', zone = ''] =
    match;
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  const [hours, minutes, seconds] = [
    Number(h ?? 0),
    Number(mi ?? 0),
    Number(s ?? 0),
  ];
  // Not a real date or time (2026-02-30, 24:00), not a timestamp.
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hours > 23 ||
    minutes > 59 ||
    seconds > 59
  ) {
    return undefined;
  }
  // Date.UTC reads years 0 to 99 as 1900 to 1999; 400 years later the
  // calendar repeats exactly.
  const cycles = year < 100 ? 1 : 0;
  const wallClock =
    Date.UTC(year + 400 * cycles, month - 1, day, hours, minutes, seconds) -
    cycles * 146_097 * DAY_MS +
    Number(fraction.slice(0, 3).padEnd(3, '0'));
  const t = new Date(wallClock - byMs);
  const shiftedYear = t.getUTCFullYear();
  if (shiftedYear < 0 || shiftedYear > 9999) {
    return undefined;
  }
  const date = `${String(shiftedYear).padStart(4, '0')}-${two(
    t.getUTCMonth() + 1,
  )}-${two(t.getUTCDate())}`;
  if (separator === undefined) {
    // A date alone moves by whole days: 3 days back, or 1 hour back to the
    // day before.
    return date;
  }
  // Keep the input's precision; add seconds or milliseconds only when the
  // shift needs them. Digits beyond milliseconds are kept as written.
  const ms = t.getUTCMilliseconds();
  const msDigits = String(ms).padStart(3, '0');
  let fractionOut = '';
  if (fraction.length >= 3) {
    fractionOut = msDigits + fraction.slice(3);
  } else if (ms !== 0 || fraction.length > 0) {
    fractionOut =
      fraction.length > 0 && /^0*$/.test(msDigits.slice(fraction.length))
        ? msDigits.slice(0, fraction.length)
        : msDigits.replace(/0+$/, '');
  }
  const withSeconds =
    s !== undefined || t.getUTCSeconds() !== 0 || fractionOut !== '';
  const time = `${two(t.getUTCHours())}:${two(t.getUTCMinutes())}`;
  const secondsOut = withSeconds ? `:${two(t.getUTCSeconds())}` : '';
  const subseconds = fractionOut ? `${point ?? '.'}${fractionOut}` : '';
  return `${date}${separator}${time}${secondsOut}${subseconds}${zone}`;
}

function shiftEpoch(match: RegExpExecArray, byMs: number): string {
  const [, sign, whole, fraction = ''] = match;
  const magnitude = Number(whole);
  // How many of the number's units make one millisecond, as a ratio.
  let [unitsPerMs, msPerUnit] = [1n, 1n];
  if (magnitude < 1e11) msPerUnit = 1000n;
  else if (magnitude >= 1e17) unitsPerMs = 1_000_000n;
  else if (magnitude >= 1e14) unitsPerMs = 1000n;
  // Seconds moved by a shift that is not whole seconds gain decimals.
  let decimals = fraction.length;
  if (msPerUnit === 1000n) {
    let needed = 3;
    while (needed > 0 && byMs % 10 ** (4 - needed) === 0) needed--;
    decimals = Math.max(decimals, needed);
  }
  const scale = 10n ** BigInt(decimals);
  const value = BigInt(`${sign}${whole}${fraction.padEnd(decimals, '0')}`);
  const shift = (BigInt(byMs) * unitsPerMs * scale) / msPerUnit;
  const result = value - shift;
  const digits = (result < 0n ? -result : result)
    .toString()
    .padStart(decimals + 1, '0');
  const text =
    decimals === 0
      ? digits
      : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return result < 0n ? `-${text}` : text;
}

/**
 * A timestamp moved back by `byMs` milliseconds, written the way it was
 * written: ISO 8601 keeps its separator, precision and zone; an epoch number
 * keeps its unit. Undefined for text that is not a timestamp.
 */
export function shiftTimestamp(text: string, byMs: number): string | undefined {
  const iso = ISO.exec(text);
  if (iso) {
    return shiftIso(iso, byMs);
  }
  const epoch = EPOCH.exec(text);
  return epoch ? shiftEpoch(epoch, byMs) : undefined;
}
