import { storableText, unstorableText } from './storable-text';
import { longerThan } from './text-limits';

/**
 * Job labels (docs/allocation.md, "Labels"): the rules ingestion checks them by, shared with the
 * `label.<key>=<value>` filters so that a filter names keys the way jobs carry them.
 */
export const MAX_LABELS = 32;
const MAX_LABEL_VALUE_LENGTH = 256;
/** Lower-case letters and digits at both ends, `.`, `_`, `/` and `-` inside, at most 63 characters. */
const LABEL_KEY_PATTERN = /^[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?$/;
const LABEL_KEY_RULE = 'a label key is 1 to 63 characters: lower-case letters and digits, and . _ / - inside';
/** What `group_by=label:<key>` shows for the jobs that do not carry the key. */
export const NO_LABEL = '(none)';

export type Labels = Record<string, string>;
export interface LabelIssue {
  field: string;
  message: string;
}

/** A key as it may be quoted in a message (it is the client's text). */
const shownKey = (key: string) => storableText(key, 64);

/** Why `key` is not a label key, or null. */
export function labelKeyIssue(key: string): string | null {
  return LABEL_KEY_PATTERN.test(key) ? null : `label key "${shownKey(key)}" is not valid: ${LABEL_KEY_RULE}`;
}

/** Why `value` (already trimmed) cannot be the value of a label, or null. */
export function labelValueIssue(value: string): string | null {
  if (value === '') return 'must not be empty';
  if (value === NO_LABEL) return `must not be ${NO_LABEL}: reports name jobs without the label so`;
  if (longerThan(value, MAX_LABEL_VALUE_LENGTH)) return `must be at most ${MAX_LABEL_VALUE_LENGTH} characters`;
  return unstorableText(value);
}

/**
 * A job's labels from a record: a JSON object of strings, or (as a CSV cell carries them)
 * `key=value` pairs separated by `;`. Keys and values are trimmed. Every problem is reported,
 * each naming its key (`labels.<key>`), or `labels` when the key itself is wrong.
 */
export function parseLabels(value: unknown, field = 'labels'): { labels: Labels } | { issues: LabelIssue[] } {
  let pairs: [string, unknown][];
  const issues: LabelIssue[] = [];
  if (typeof value === 'string') {
    pairs = [];
    for (const part of value.split(';')) {
      if (part.trim() === '') continue;
      const eq = part.indexOf('=');
      if (eq < 0) {
        issues.push({ field, message: `"${storableText(part.trim(), 64)}" is not a key=value pair` });
        continue;
      }
      pairs.push([part.slice(0, eq).trim(), part.slice(eq + 1)]);
    }
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    pairs = Object.entries(value);
  } else {
    return {
      issues: [
        { field, message: `${field} must be an object of key → value strings, or key=value pairs separated by ;` },
      ],
    };
  }
  if (pairs.length > MAX_LABELS) {
    issues.push({ field, message: `a job carries at most ${MAX_LABELS} labels (got ${pairs.length})` });
  }
  const labels: Labels = Object.create(null) as Labels;
  for (const [key, raw] of pairs) {
    const keyIssue = labelKeyIssue(key);
    if (keyIssue) {
      issues.push({ field, message: keyIssue });
      continue;
    }
    const named = `${field}.${key}`;
    if (Object.prototype.hasOwnProperty.call(labels, key)) {
      issues.push({ field: named, message: `label ${key} is given twice` });
      continue;
    }
    if (typeof raw !== 'string') {
      issues.push({ field: named, message: `label ${key} must be a string` });
      continue;
    }
    const valueIssue = labelValueIssue(raw.trim());
    if (valueIssue) issues.push({ field: named, message: `label ${key} ${valueIssue}` });
    else labels[key] = raw.trim();
  }
  if (issues.length) return { issues };
  // Sorted, so that equal label sets are written as equal text.
  return {
    labels: Object.fromEntries(
      Object.keys(labels)
        .sort()
        .map((k) => [k, labels[k]]),
    ),
  };
}
