import { scheduleSummary } from './AirflowV1Client';

describe('scheduleSummary', () => {
  it('speaks Airflow 3’s timetable_summary for Airflow 2’s schedule_interval', () => {
    expect(
      scheduleSummary({ __type: 'CronExpression', value: '0 6 * * *' }),
    ).toBe('0 6 * * *');
    // As Python prints a timedelta.
    expect(
      scheduleSummary({
        __type: 'TimeDelta',
        days: 1,
        seconds: 0,
        microseconds: 0,
      }),
    ).toBe('1 day, 0:00:00');
    expect(
      scheduleSummary({
        __type: 'TimeDelta',
        days: 2,
        seconds: 3725,
        microseconds: 5,
      }),
    ).toBe('2 days, 1:02:05.000005');
    expect(
      scheduleSummary({
        __type: 'TimeDelta',
        days: 0,
        seconds: 21600,
        microseconds: 0,
      }),
    ).toBe('6:00:00');
    expect(
      scheduleSummary({
        __type: 'RelativeDelta',
        years: 0,
        months: 1,
        days: -1,
        leapdays: 0,
        hours: 0,
        minutes: 0,
        seconds: 0,
        microseconds: 0,
      }),
    ).toBe('relativedelta(months=+1, days=-1)');
  });

  it('has nothing to say for no schedule (dataset-triggered or manual)', () => {
    expect(scheduleSummary(null)).toBeUndefined();
    expect(scheduleSummary(undefined)).toBeUndefined();
  });
});
