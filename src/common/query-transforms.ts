/**
 * class-transformer functions for query parameters. Query strings arrive as text; anything
 * that is not a string (a repeated parameter arrives as an array) passes through untouched so
 * validation refuses it with the parameter named.
 */
type Transformed = { value: unknown };

/** "12" becomes 12, while "abc", "1.5" or "" stay as they are and fail @IsInt. */
export const toQueryInteger = ({ value }: Transformed) =>
  typeof value === 'string' && /^\s*-?\d{1,15}\s*$/.test(value) ? Number(value) : value;

export const trimmed = ({ value }: Transformed) => (typeof value === 'string' ? value.trim() : value);

/** Providers and GPU types are stored lower-cased (ingestion does it), so filters on them are too. */
export const lowerCased = ({ value }: Transformed) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

/** `a, B,,c` becomes ['a', 'b', 'c']. */
export const lowerCasedList = ({ value }: Transformed) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim().toLowerCase())
        .filter(Boolean)
    : value;

/**
 * UUIDs are case-insensitive and PostgreSQL writes them lower-case: an id compared or used as a
 * key in the process must be spelt the same way.
 */
export const lowerCaseUuid = ({ value }: Transformed) => (typeof value === 'string' ? value.toLowerCase() : value);
