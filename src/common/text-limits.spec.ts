import { longerThan } from './text-limits';

describe('longerThan', () => {
  it('counts a character outside the BMP (two UTF-16 units) as one', () => {
    const emoji = '😀';
    expect(emoji.length).toBe(2);
    expect(longerThan(emoji.repeat(256), 256)).toBe(false);
    expect(longerThan(emoji.repeat(257), 256)).toBe(true);
  });

  it('counts plain text by its length', () => {
    expect(longerThan('a'.repeat(256), 256)).toBe(false);
    expect(longerThan('a'.repeat(257), 256)).toBe(true);
    expect(longerThan(`${'a'.repeat(255)}😀`, 256)).toBe(false);
    expect(longerThan(`${'a'.repeat(256)}😀`, 256)).toBe(true);
  });

  it('counts a lone surrogate as one character', () => {
    expect(longerThan('\ud800'.repeat(3), 3)).toBe(false);
    expect(longerThan('\ud800'.repeat(4), 3)).toBe(true);
  });
});
