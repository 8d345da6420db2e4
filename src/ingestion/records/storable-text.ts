/**
 * Text PostgreSQL cannot keep as sent. A NUL (U+0000) is refused by `text` and `jsonb` alike,
 * so one such value sinks the whole batch it travels in. A lone UTF-16 surrogate (JSON allows
 * `"\ud800"`) is silently turned into U+FFFD on its way to a `text` column — two different ids
 * would become one — and is refused inside `jsonb`. Both are refused at the door instead.
 */
export function unstorableText(value: string): string | null {
  // One scan each, both native: this runs for every text field of every record.
  if (value.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  if (!value.isWellFormed()) return 'must be valid Unicode text (it holds a lone UTF-16 surrogate)';
  return null;
}

/**
 * The same text made safe to store and show: NUL written as `\u0000`, lone surrogates as
 * U+FFFD. For messages that quote what a client sent (an unknown column, a broken line).
 */
export function storable(value: string): string {
  return value.replaceAll('\u0000', '\\u0000').toWellFormed();
}
