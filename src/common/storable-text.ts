/**
 * Text PostgreSQL cannot keep as sent, in one place for every door it comes through (query,
 * path, bodies, ingested records, the run history). A NUL (U+0000) is refused by `text` and
 * `jsonb` alike, so one such value sinks the whole statement it travels in. A lone UTF-16
 * surrogate (JSON allows `"\ud800"`) is silently turned into U+FFFD on its way to a `text`
 * column — two different ids would become one — and is refused inside `jsonb`.
 */

/** Why PostgreSQL cannot store the text as it is (to follow a field's name), or null when it can. */
export function unstorableText(value: string): string | null {
  // One scan each, both native: this runs for every text field of every ingested record.
  if (value.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  if (!value.isWellFormed()) return 'must be valid Unicode text (it holds a lone UTF-16 surrogate)';
  return null;
}

/**
 * The text made safe to store and show, for messages that quote what a client sent (an unknown
 * column, a broken line, a refused key): NUL written as `\u0000`, a lone surrogate as U+FFFD,
 * and, given `max`, cut to at most that many characters with an ellipsis, never between the
 * halves of a pair.
 */
export function storableText(value: string, max = Infinity): string {
  const clean = value.replaceAll('\u0000', '\\u0000').toWellFormed();
  if (clean.length <= max) return clean;
  return (
    clean
      .slice(0, max - 1)
      .toWellFormed()
      .replace(/\uFFFD$/, '') + '…'
  );
}
