/**
 * How long a job's text fields may be, wherever they enter: ingestion refuses longer values as
 * record errors, and the filters on them refuse longer values as a 400.
 */

/** Longest accepted identifier-like value (job ids, team and model names). */
export const MAX_NAME_LENGTH = 200;
/** Longest accepted provider, GPU type or status. */
export const MAX_CODE_LENGTH = 64;

/**
 * Whether `text` has more than `max` characters, counted as Unicode code points: an emoji or a
 * CJK extension character is one character, as PostgreSQL's `length()` and class-validator's
 * `MaxLength` count it, though it is two UTF-16 units of `String.length`. Limits of what a client
 * may send say "characters" and mean these.
 */
export function longerThan(text: string, max: number): boolean {
  // A code point is one or two UTF-16 units: most texts are decided without counting.
  if (text.length <= max) return false;
  if (text.length > 2 * max) return true;
  // Each code unit but the second half of a pair starts a character.
  let characters = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const secondHalf = unit >= 0xdc00 && unit <= 0xdfff && i > 0 && isFirstHalf(text.charCodeAt(i - 1));
    if (!secondHalf && ++characters > max) return true;
  }
  return false;
}

const isFirstHalf = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
