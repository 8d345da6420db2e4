import { decimalPlaces } from './decimal-number';

describe('decimalPlaces', () => {
  it.each([
    [50000, 0],
    [12.5, 1],
    [-0.25, 2],
    [1e21, 0],
    [1e-7, 7],
    [1.5e-7, 8],
    [0.1 + 0.2, 17],
  ])('counts the decimals of %p as %p, exponent included', (value, places) => {
    expect(decimalPlaces(value)).toBe(places);
  });
});
