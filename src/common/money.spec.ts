import { roundCents, roundedParts, splitRounded } from './money';

describe('money rounding', () => {
  it('rounds half up to cents', () => {
    expect(roundCents('0.005')).toBe(0.01);
    expect(roundCents('0.004999999999')).toBe(0);
    expect(roundCents('720')).toBe(720);
    expect(roundCents('33.333333333333')).toBe(33.33);
  });

  it('splits a total so that the rounded parts add up to the rounded whole', () => {
    // 0.004 + 0.004 = 0.008: rounded separately 0 + 0, but the whole is a cent.
    expect(splitRounded('0.004', '0.004')).toEqual({ allocated: 0, unallocated: 0.01, total: 0.01 });
    expect(splitRounded('900.000000000000', '300.0000')).toEqual({ allocated: 900, unallocated: 300, total: 1200 });
  });

  it('never makes the idle part negative', () => {
    expect(splitRounded('10.005', '0')).toEqual({ allocated: 10.01, unallocated: 0, total: 10.01 });
  });

  it('rounds three parts so that every prefix adds up to its rounded sum', () => {
    // 0.004 each: 0.00, 0.01 (0.008), 0.00 (0.012 is still 0.01).
    expect(roundedParts('0.004', '0.004', '0.004')).toEqual([0, 0.01, 0]);
    expect(roundedParts('100.125', '0.125', '899.75')).toEqual([100.13, 0.12, 899.75]);
  });
});
