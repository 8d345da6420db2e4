import { roundCents, splitRounded } from './money';

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
});
