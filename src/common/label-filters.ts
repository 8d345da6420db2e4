import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmpty, IsOptional, ValidateBy, ValidationArguments } from 'class-validator';
import { parse } from 'node:querystring';
import { labelKeyIssue, labelValueIssue, MAX_LABELS } from './labels';

/** One `label.<key>=<value>` query parameter: jobs whose label `key` is `value`. */
export interface LabelFilter {
  key: string;
  value: string;
}

const LABEL_PREFIX = 'label.';

/**
 * The app's query-string parser: the plain one (no nested syntax), with every
 * `label.<key>=<value>` parameter gathered into `labels`, a list of {key, value} (a repeated
 * parameter keeps all its values, for validation to refuse). Keys stay the client's text until
 * the DTO checks them; they never become property names.
 */
export function parseQueryString(text: string): Record<string, unknown> {
  const query: Record<string, unknown> = parse(text);
  const labels: { key: string; value: unknown }[] = [];
  for (const name of Object.keys(query)) {
    if (!name.startsWith(LABEL_PREFIX)) continue;
    const value = query[name];
    // Values are trimmed, as ingestion trims the ones it stores: ` atlas` means `atlas`.
    labels.push({ key: name.slice(LABEL_PREFIX.length), value: typeof value === 'string' ? value.trim() : value });
    delete query[name];
  }
  // A `labels` parameter of the client's own stays first in the list, for the DTO to refuse: the
  // gathered filters would otherwise replace it unseen.
  if (labels.length) query.labels = query.labels === undefined ? labels : [query.labels, ...labels];
  return query;
}

/** Why a parsed `labels` list is not a list of label filters, or null. */
function labelFiltersIssue(value: unknown): string | null {
  if (!Array.isArray(value)) return 'label filters are written label.<key>=<value>';
  if (value.length > MAX_LABELS) return `at most ${MAX_LABELS} label filters`;
  for (const entry of value as { key?: unknown; value?: unknown }[]) {
    if (typeof entry?.key !== 'string') return 'label filters are written label.<key>=<value>';
    const keyIssue = labelKeyIssue(entry.key);
    if (keyIssue) return `label.${entry.key}: ${keyIssue}`;
    if (typeof entry.value !== 'string') return `label.${entry.key} is given more than once`;
    const valueIssue = labelValueIssue(entry.value);
    if (valueIssue) return `label.${entry.key} ${valueIssue}`;
  }
  return null;
}

const IsLabelFilters = () =>
  ValidateBy({
    name: 'isLabelFilters',
    validator: {
      validate: (value: unknown) => labelFiltersIssue(value) === null,
      defaultMessage: (args?: ValidationArguments) => labelFiltersIssue(args?.value) ?? 'invalid label filter',
    },
  });

/** `label.<key>=<value>` filters (any number, all must match), shared by the jobs listing and the reports. */
export class LabelFiltersQuery {
  @ApiPropertyOptional({
    name: 'label.<key>',
    type: String,
    description:
      'label.<key>=<value>: only jobs whose label <key> is <value> (repeatable with different keys; all must match). ' +
      'Keys: lower-case letters and digits, and . _ / - inside, at most 63 characters; values at most 256 characters.',
    example: 'label.project=atlas',
  })
  @IsOptional()
  @IsLabelFilters()
  labels?: LabelFilter[];
}

/**
 * On a report that takes no label filter: the filters are refused with `why`, naming `labels`,
 * instead of the bare "property labels should not exist" of a parameter the report never heard of.
 */
export const RefuseLabelFilters = (why: string) =>
  IsEmpty({ message: `label filters (label.<key>=<value>) do not apply here: ${why}` });

/** The filters as one JSON object, for `labels @> …` (jsonb containment: every pair present). */
export const labelsContaining = (filters: LabelFilter[]): string =>
  JSON.stringify(Object.fromEntries(filters.map((f) => [f.key, f.value])));
