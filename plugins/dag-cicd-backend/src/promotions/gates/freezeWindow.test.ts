import { freezeWindowGate as gate } from './freezeWindow';
import { occurrence } from './freezeWindows';
import { gateContext } from './__testUtils__/gateContext';

const BERLIN = 'Europe/Berlin';
const weekend = {
  name: 'weekend',
  cron: '0 16 * * 5',
  duration: 'PT64H',
  timezone: BERLIN,
};

describe('freeze windows', () => {
  it('finds the occurrence that contains an instant, in the window time zone', () => {
    // Friday 2026-11-27 16:00 in Berlin is 15:00 UTC (CET, +01:00).
    expect(
      occurrence(weekend, new Date('2026-11-27T14:59:59Z')),
    ).toBeUndefined();
    expect(occurrence(weekend, new Date('2026-11-27T15:00:00Z'))).toEqual({
      start: new Date('2026-11-27T15:00:00Z'),
      end: new Date('2026-11-30T07:00:00Z'),
    });
    expect(occurrence(weekend, new Date('2026-11-30T06:59:59Z'))).toBeDefined();
    expect(
      occurrence(weekend, new Date('2026-11-30T07:00:00Z')),
    ).toBeUndefined();
  });

  it('follows the wall clock across a DST change, for cron and RRULE alike', () => {
    // Berlin moves to CEST (+02:00) on Sunday 2026-03-29: 09:00 local is
    // 08:00 UTC on the Saturday and 07:00 UTC on the Monday.
    for (const rule of [
      { cron: '0 9 * * *' },
      { rrule: 'FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0' },
    ]) {
      const daily = { ...rule, duration: 'PT1H', timezone: BERLIN };
      expect(
        occurrence(daily, new Date('2026-03-28T07:30:00Z')),
      ).toBeUndefined();
      expect(
        occurrence(daily, new Date('2026-03-28T08:30:00Z'))?.start,
      ).toEqual(new Date('2026-03-28T08:00:00Z'));
      expect(
        occurrence(daily, new Date('2026-03-30T07:30:00Z'))?.start,
      ).toEqual(new Date('2026-03-30T07:00:00Z'));
      expect(
        occurrence(daily, new Date('2026-03-30T08:30:00Z')),
      ).toBeUndefined();
    }
  });

  it('moves a start that does not exist (skipped by DST) forward by the gap', () => {
    // 02:30 does not exist in Berlin on 2026-03-29: it becomes 03:30 CEST.
    const night = { cron: '30 2 * * *', duration: 'PT30M', timezone: BERLIN };
    expect(occurrence(night, new Date('2026-03-29T01:45:00Z'))?.start).toEqual(
      new Date('2026-03-29T01:30:00Z'),
    );
  });

  it('reads an RRULE with a DTSTART in the window time zone', () => {
    const quarterEnd = {
      rrule:
        'DTSTART:20260301T000000\nRRULE:FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1',
      duration: 'P1D',
      timezone: 'America/New_York',
    };
    // 2026-03-31 00:00 in New York (EDT, -04:00) is 04:00 UTC.
    expect(
      occurrence(quarterEnd, new Date('2026-03-31T12:00:00Z'))?.start,
    ).toEqual(new Date('2026-03-31T04:00:00Z'));
    expect(
      occurrence(quarterEnd, new Date('2026-04-30T12:00:00Z')),
    ).toBeUndefined();
  });
});

describe('freeze-window', () => {
  it('refuses bad windows, naming the field and the fix', () => {
    const refused = (windows: unknown) => () =>
      gate.validateOptions({ windows } as any);
    expect(refused(undefined)).toThrow(/windows must be a non-empty list/);
    expect(refused([{ duration: 'PT1H', timezone: 'UTC' }])).toThrow(
      /windows\[0\] must have exactly one of rrule .* and cron/,
    );
    expect(refused([{ ...weekend, timezone: 'Mars/Olympus' }])).toThrow(
      /windows\[0\]\.timezone must be an IANA time zone/,
    );
    expect(refused([{ ...weekend, cron: '0 16 * *' }])).toThrow(
      /windows\[0\]\.cron "0 16 \* \*" must have five fields/,
    );
    expect(refused([{ ...weekend, cron: '0 25 * * 5' }])).toThrow(
      /windows\[0\]\.cron "0 25 \* \* 5" is not a cron expression/,
    );
    expect(refused([{ ...weekend, duration: 'PT0S' }])).toThrow(
      /windows\[0\]\.duration must be longer than zero/,
    );
    expect(
      refused([{ rrule: 'FREQ=HOURLY', duration: 'PT1H', timezone: 'UTC' }]),
    ).toThrow(/FREQ=YEARLY, MONTHLY, WEEKLY or DAILY/);
    expect(
      refused([
        { rrule: 'FREQ=WEEKLY;BYHOUR=9', duration: 'PT1H', timezone: 'UTC' },
      ]),
    ).toThrow(/weekly without BYDAY/);
    expect(refused([{ ...weekend, color: 'red' }])).toThrow(
      /unknown field "color"/,
    );
  });

  it('fails inside a window, naming it and when it ends', async () => {
    const outcome = await gate.evaluate(
      { windows: [weekend] },
      gateContext({ now: new Date('2026-11-28T12:00:00Z') }),
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.detail).toBe(
      'production is frozen by weekend until 2026-11-30 08:00 Europe/Berlin (1d 19h from now); promote after it ends.',
    );
    expect(outcome.inputs).toMatchObject({
      now: '2026-11-28T12:00:00.000Z',
      active: [
        {
          window: 'weekend',
          start: '2026-11-27T15:00:00.000Z',
          end: '2026-11-30T07:00:00.000Z',
        },
      ],
    });
  });

  it('passes outside every window, recording the windows evaluated', async () => {
    const outcome = await gate.evaluate(
      {
        windows: [
          weekend,
          {
            rrule: 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24',
            duration: 'P3D',
            timezone: 'UTC',
          },
        ],
      },
      gateContext({ now: new Date('2026-11-25T12:00:00Z') }),
    );
    expect(outcome.status).toBe('passed');
    expect(outcome.inputs.windows).toHaveLength(2);
    expect(outcome.inputs.active).toEqual([]);
  });
});
