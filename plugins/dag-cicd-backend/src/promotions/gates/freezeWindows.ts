import { InputError } from '@backstage/errors';
import { JsonObject, JsonValue } from '@backstage/types';
import { CronExpressionParser } from 'cron-parser';
import { DateTime, IANAZone } from 'luxon';
import { Frequency, RRule } from 'rrule';
import { parseDuration } from '../../service/durations';
import { isJsonObject } from './options';

/**
 * A recurring window in which nothing is promoted: it starts at every
 * occurrence of an RRULE or a cron expression, read as wall-clock time in
 * `timezone`, and lasts `duration` of elapsed time.
 */
export interface FreezeWindow {
  /** How detail names the window; by default its rule. */
  name?: string;
  rrule?: string;
  cron?: string;
  /** ISO 8601 duration, e.g. `PT64H`. */
  duration: string;
  /** IANA time zone, e.g. `Europe/Berlin`. */
  timezone: string;
}

/** One occurrence of a window: `start <= t < end`. */
export interface WindowSpan {
  start: Date;
  end: Date;
}

const WINDOW_FIELDS = ['name', 'rrule', 'cron', 'duration', 'timezone'];

// DST shifts wall clocks by at most two hours (one almost everywhere); the
// occurrences are searched this far around the evaluated instant.
const SLACK_MS = 3 * 3600_000;
// An upper bound on occurrences examined, so that no rule can make an
// evaluation loop for long.
const MAX_OCCURRENCES = 10_000;

// Coarser than daily only: RRULE enumerates from its DTSTART, and finer
// recurrences are what cron is for.
const RRULE_FREQUENCIES = [
  Frequency.YEARLY,
  Frequency.MONTHLY,
  Frequency.WEEKLY,
  Frequency.DAILY,
];

/** The wall-clock time of an instant in a zone, as a UTC-coded Date. */
function toWall(instant: Date, zone: string): Date {
  const t = DateTime.fromJSDate(instant, { zone });
  return new Date(
    Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second),
  );
}

/**
 * The instant a wall-clock time (UTC-coded) denotes in a zone. A time that
 * does not exist (skipped at the start of DST) moves forward by the gap; a
 * time that exists twice (at the end of DST) is the earlier instant.
 */
function fromWall(wall: Date, zone: string): Date {
  return DateTime.fromObject(
    {
      year: wall.getUTCFullYear(),
      month: wall.getUTCMonth() + 1,
      day: wall.getUTCDate(),
      hour: wall.getUTCHours(),
      minute: wall.getUTCMinutes(),
      second: wall.getUTCSeconds(),
    },
    { zone },
  ).toJSDate();
}

function parseRRule(at: string, text: string, wallNow: Date): RRule {
  let options;
  try {
    options = RRule.parseString(text);
  } catch (error) {
    throw new InputError(
      `${at}.rrule ${JSON.stringify(text)} is not an RRULE: ${
        (error as Error).message
      }`,
    );
  }
  if (options.freq === undefined || !RRULE_FREQUENCIES.includes(options.freq)) {
    throw new InputError(
      `${at}.rrule must have FREQ=YEARLY, MONTHLY, WEEKLY or DAILY; use "cron" for finer recurrences`,
    );
  }
  if (/DTSTART[^:=]*[:=]\d{8}T\d{6}Z/i.test(text)) {
    throw new InputError(
      `${at}.rrule: give DTSTART as local time in the window's timezone (no "Z")`,
    );
  }
  if (!options.dtstart) {
    // Without a DTSTART, whatever RRULE would take from it must be stated,
    // so that the rule means the same whenever it is evaluated.
    if ((options.interval ?? 1) !== 1 || options.count) {
      throw new InputError(
        `${at}.rrule uses INTERVAL or COUNT, which count from a start: add a DTSTART`,
      );
    }
    if (options.freq === Frequency.WEEKLY && !options.byweekday) {
      throw new InputError(
        `${at}.rrule is weekly without BYDAY: name the day, e.g. BYDAY=FR, or add a DTSTART`,
      );
    }
    // January 1st, midnight, of the year before: bounded enumeration, and
    // the same month, day and time of day as any earlier anchor would give.
    options.dtstart = new Date(Date.UTC(wallNow.getUTCFullYear() - 1, 0, 1));
  }
  // Evaluated on wall-clock time; the zone is applied to each occurrence.
  return new RRule({ ...options, tzid: null });
}

function parseCron(at: string, text: string, wallNow: Date) {
  if (text.trim().split(/\s+/).length !== 5) {
    throw new InputError(
      `${at}.cron ${JSON.stringify(
        text,
      )} must have five fields: minute hour day-of-month month day-of-week`,
    );
  }
  try {
    return CronExpressionParser.parse(text, {
      currentDate: new Date(wallNow.getTime() + SLACK_MS),
      tz: 'UTC',
    });
  } catch (error) {
    throw new InputError(
      `${at}.cron ${JSON.stringify(text)} is not a cron expression: ${
        (error as Error).message
      }`,
    );
  }
}

/**
 * Checks one window of the `windows` option.
 *
 * @throws InputError naming the field and what to fix
 */
export function parseFreezeWindow(value: JsonValue, at: string): FreezeWindow {
  if (!isJsonObject(value)) {
    throw new InputError(
      `${at} must be an object with rrule or cron, duration and timezone`,
    );
  }
  for (const field of Object.keys(value)) {
    if (!WINDOW_FIELDS.includes(field)) {
      throw new InputError(
        `${at}: unknown field ${JSON.stringify(
          field,
        )}; the fields are ${WINDOW_FIELDS.join(', ')}`,
      );
    }
  }
  const { name, rrule, cron, duration, timezone } = value;
  for (const [field, v] of Object.entries({
    name,
    rrule,
    cron,
    duration,
    timezone,
  })) {
    if (v !== undefined && (typeof v !== 'string' || v.trim() === '')) {
      throw new InputError(`${at}.${field} must be a non-empty string`);
    }
  }
  if ((rrule === undefined) === (cron === undefined)) {
    throw new InputError(
      `${at} must have exactly one of rrule (e.g. "FREQ=WEEKLY;BYDAY=FR;BYHOUR=16") and cron (e.g. "0 16 * * 5")`,
    );
  }
  if (duration === undefined) {
    throw new InputError(`${at}.duration is missing, e.g. "PT64H"`);
  }
  if (parseDuration(`${at}.duration`, duration as string) <= 0) {
    throw new InputError(`${at}.duration must be longer than zero`);
  }
  if (timezone === undefined || !IANAZone.isValidZone(timezone as string)) {
    throw new InputError(
      `${at}.timezone must be an IANA time zone such as "Europe/Berlin" or "UTC", not ${JSON.stringify(
        timezone,
      )}`,
    );
  }
  const window = value as unknown as FreezeWindow;
  // Parse now, so a bad rule is refused with the policy, not at evaluation.
  occurrence(window, new Date(), at);
  return {
    ...(name !== undefined && { name: name as string }),
    ...(rrule !== undefined && { rrule: rrule as string }),
    ...(cron !== undefined && { cron: cron as string }),
    duration: duration as string,
    timezone: timezone as string,
  };
}

/** How detail names a window. */
export function windowName(window: FreezeWindow): string {
  return (
    window.name ??
    `${window.rrule ? `RRULE ${window.rrule}` : `cron "${window.cron}"`} (${
      window.timezone
    }, ${window.duration})`
  );
}

/**
 * The occurrence of the window that contains `now`, if any; the one that
 * ends last when occurrences overlap.
 */
export function occurrence(
  window: FreezeWindow,
  now: Date,
  at = 'window',
): WindowSpan | undefined {
  const durationMs = parseDuration(`${at}.duration`, window.duration);
  const wallNow = toWall(now, window.timezone);
  const earliest = new Date(wallNow.getTime() - durationMs - SLACK_MS);
  const latest = new Date(wallNow.getTime() + SLACK_MS);
  let found: WindowSpan | undefined;
  // Returns whether to look at earlier occurrences.
  const consider = (wallStart: Date): boolean => {
    const start = fromWall(wallStart, window.timezone);
    const end = new Date(start.getTime() + durationMs);
    if (start <= now && now < end && (!found || end > found.end)) {
      found = { start, end };
    }
    return wallStart >= earliest;
  };

  if (window.rrule !== undefined) {
    const rule = parseRRule(at, window.rrule, wallNow);
    let seen = 0;
    rule.between(earliest, latest, true, date => {
      consider(date);
      return ++seen < MAX_OCCURRENCES;
    });
  } else {
    const expression = parseCron(at, window.cron!, wallNow);
    for (let i = 0; i < MAX_OCCURRENCES && expression.hasPrev(); i++) {
      if (!consider(expression.prev().toDate())) break;
    }
  }
  return found;
}

/** `2026-11-30 08:00 Europe/Berlin`: an instant as the window's zone reads it. */
export function formatInZone(instant: Date, zone: string): string {
  return `${DateTime.fromJSDate(instant, { zone }).toFormat(
    'yyyy-MM-dd HH:mm',
  )} ${zone}`;
}

/** A window as an evaluation records it. */
export function windowInput(window: FreezeWindow): JsonObject {
  return { ...window };
}
