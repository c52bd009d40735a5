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

// Days since 1970-01-01 of a date in the proleptic Gregorian calendar, and
// back: H. Hinnant's integer algorithms, exact for every year, which spares
// building a Date (and Date.UTC's reading of years 0 to 99 as 1900 to 1999).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear =
    Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 +
    Math.floor(yearOfEra / 4) -
    Math.floor(yearOfEra / 100) +
    dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The date of a day since 1970-01-01 as `YYYY-MM-DD`; undefined outside years 0 to 9999. */
function civilDate(days: number): string | undefined {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra -
    (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shifted = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shifted + 2) / 5) + 1;
  const month = shifted < 10 ? shifted + 3 : shifted - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) {
    return undefined;
  }
  return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}`;
}

/** Whether a date and time read from ISO 8601 exist: not 2026-02-30, not 24:00. */
function isReal(
  year: number,
  month: number,
  day: number,
  hours: number,
  minutes: number,
  seconds: number,
): boolean {
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hours <= 23 &&
    minutes <= 59 &&
    seconds <= 59
  );
}

/** The number that the two digits at `at` write. */
function twoDigits(text: string, at: number): number {
  return (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;
}

/**
 * An ISO 8601 text (one that matched ISO) moved back by whole days, the
 * default lateness: only the date changes, so the time of day, precision
 * and zone after it stay as written, and the digits are read where ISO
 * puts them instead of through the match's captures.
 */
function shiftIsoDays(text: string, days: number): string | undefined {
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const timed = text.length > 10;
  const hours = timed ? twoDigits(text, 11) : 0;
  const minutes = timed ? twoDigits(text, 14) : 0;
  const seconds = text.charCodeAt(16) === 0x3a ? twoDigits(text, 17) : 0;
  if (!isReal(year, month, day, hours, minutes, seconds)) return undefined;
  const date = civilDate(daysFromCivil(year, month, day) - days);
  return date === undefined ? undefined : date + text.slice(10);
}

function shiftIso(match: RegExpExecArray, byMs: number): string | undefined {
  const [, y, mo, d, separator, h, mi, s, point, fraction = '', zone = ''] =
    match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hours = Number(h ?? 0);
  const minutes = Number(mi ?? 0);
  const seconds = Number(s ?? 0);
  if (!isReal(year, month, day, hours, minutes, seconds)) {
    return undefined;
  }
  const wallClock =
    daysFromCivil(year, month, day) * DAY_MS +
    ((hours * 60 + minutes) * 60 + seconds) * 1000 +
    Number(fraction.slice(0, 3).padEnd(3, '0'));
  const t = wallClock - byMs;
  const days = Math.floor(t / DAY_MS);
  const date = civilDate(days);
  if (date === undefined || separator === undefined) {
    // A date alone moves by whole days: 3 days back, or 1 hour back to the
    // day before.
    return date;
  }
  // Keep the input's precision; add seconds or milliseconds only when the
  // shift needs them. Digits beyond milliseconds are kept as written.
  const msOfDay = t - days * DAY_MS;
  const ms = msOfDay % 1000;
  const secondsOfDay = (msOfDay - ms) / 1000;
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
  const shiftedSeconds = secondsOfDay % 60;
  const withSeconds =
    s !== undefined || shiftedSeconds !== 0 || fractionOut !== '';
  const time = `${two(Math.floor(secondsOfDay / 3600))}:${two(
    Math.floor(secondsOfDay / 60) % 60,
  )}`;
  const secondsOut = withSeconds ? `:${two(shiftedSeconds)}` : '';
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
  if (byMs % DAY_MS === 0) {
    if (ISO.test(text)) return shiftIsoDays(text, byMs / DAY_MS);
  } else {
    const iso = ISO.exec(text);
    if (iso) return shiftIso(iso, byMs);
  }
  const epoch = EPOCH.exec(text);
  return epoch ? shiftEpoch(epoch, byMs) : undefined;
}
