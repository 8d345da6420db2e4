import { daysInRange, isCalendarDate } from './date-range.query';

describe('calendar dates', () => {
  it('accepts real dates, including 29 February of a leap year', () => {
    expect(isCalendarDate('2026-01-31')).toBe(true);
    expect(isCalendarDate('2028-02-29')).toBe(true);
  });

  it('refuses impossible dates and other spellings', () => {
    for (const bad of ['2026-02-29', '2026-13-01', '2026-1-5', '2026-01-01T00:00:00Z', '20260101', '', 20260101]) {
      expect(isCalendarDate(bad)).toBe(false);
    }
  });

  it('counts both ends of a range', () => {
    expect(daysInRange('2026-01-01', '2026-01-01')).toBe(1);
    expect(daysInRange('2026-01-01', '2026-12-31')).toBe(365);
    expect(daysInRange('2026-03-29', '2026-03-30')).toBe(2);
  });
});
