import { addDays, daysInRange, isCalendarDate, isCalendarDay, monthAfter } from './calendar';

describe('calendar dates', () => {
  it('accepts real dates, including 29 February of a leap year', () => {
    expect(isCalendarDate('2026-01-31')).toBe(true);
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2000-02-29')).toBe(true);
  });

  it('refuses impossible dates and other spellings', () => {
    for (const bad of [
      '2026-02-29',
      '1900-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-04-31',
      '2026-01-00',
      '2026-1-5',
      '2026-01-01T00:00:00Z',
      '20260101',
      '',
      20260101,
    ]) {
      expect(isCalendarDate(bad)).toBe(false);
    }
  });

  it('agrees with the Date object on every day of a leap and a common year', () => {
    for (const year of [2026, 2028]) {
      for (let month = 1; month <= 12; month++) {
        for (let day = 1; day <= 31; day++) {
          const date = new Date(Date.UTC(year, month - 1, day));
          expect(isCalendarDay(year, month, day)).toBe(date.getUTCDate() === day);
        }
      }
    }
  });

  it('counts both ends of a range', () => {
    expect(daysInRange('2026-01-01', '2026-01-01')).toBe(1);
    expect(daysInRange('2026-01-01', '2026-12-31')).toBe(365);
    expect(daysInRange('2026-03-29', '2026-03-30')).toBe(2);
  });

  it('steps across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
  });

  it('names the first day of the next month', () => {
    expect(monthAfter('2026-01')).toBe('2026-02-01');
    expect(monthAfter('2026-09')).toBe('2026-10-01');
    expect(monthAfter('2026-12')).toBe('2027-01-01');
  });
});
