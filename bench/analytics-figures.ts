import { Pool } from 'pg';
import { addDays } from '../src/common/calendar';
import { HelioxClient } from './heliox-client';
import { compareAnswers, Dimension, referenceAnswer, toCents } from './reference-analytics';
import { Check, Figure, formatMs, Target } from './report';
import { median, p95, sampleLatencies, SamplingPlan } from './stats';

/**
 * Analytics: each question asked of the API and of the on-the-fly reference SQL, checked to
 * agree to the cent, then timed one call at a time.
 */

type Row = Record<string, unknown>;

export interface Question {
  name: string;
  dimensions: Dimension[];
  path(start: string, end: string): string;
  /** Allocated cents per group, keyed like the reference (`team|model` for two dimensions). */
  read: (body: unknown) => Map<string, number>;
}

const KEY_FIELD: Record<Dimension, string> = {
  team: 'team_name',
  model: 'model_name',
  day: 'day',
  project: 'label:project',
};

const keyOf = (row: Row, dimensions: Dimension[]) =>
  dimensions.map((d) => (d === 'day' ? String(row[KEY_FIELD[d]]).slice(0, 10) : String(row[KEY_FIELD[d]]))).join('|');

function readList(body: unknown, dimensions: Dimension[]): Map<string, number> {
  return new Map((body as Row[]).map((row) => [keyOf(row, dimensions), toCents(row.total_cost_usd)]));
}

function readGrouped(body: unknown, dimensions: Dimension[]): Map<string, number> {
  const rows = (body as { rows: Row[] }).rows;
  return new Map(rows.map((row) => [keyOf(row, dimensions), toCents(row.cost_usd)]));
}

const range = (start: string, end: string) => `start=${start}&end=${end}`;

export const QUESTIONS: Question[] = [
  {
    name: 'by-team',
    dimensions: ['team'],
    path: (s, e) => `/api/v1/analytics/cost/by-team?${range(s, e)}`,
    read: (body) => readList(body, ['team']),
  },
  {
    name: 'by-model',
    dimensions: ['model'],
    path: (s, e) => `/api/v1/analytics/cost/by-model?${range(s, e)}`,
    read: (body) => readList(body, ['model']),
  },
  {
    name: 'group_by=day',
    dimensions: ['day'],
    path: (s, e) => `/api/v1/analytics/cost?${range(s, e)}&group_by=day`,
    read: (body) => readGrouped(body, ['day']),
  },
  {
    name: 'group_by=team,model',
    dimensions: ['team', 'model'],
    path: (s, e) => `/api/v1/analytics/cost?${range(s, e)}&group_by=team,model`,
    read: (body) => readGrouped(body, ['team', 'model']),
  },
  {
    name: 'group_by=label:project',
    dimensions: ['project'],
    path: (s, e) => `/api/v1/analytics/cost?${range(s, e)}&group_by=label:project`,
    read: (body) => readGrouped(body, ['project']),
  },
];

export const BY_TEAM = QUESTIONS[0];

/** The last `days` days up to and including `lastDay`. */
export const lastDays = (lastDay: string, days: number) => ({ start: addDays(lastDay, -(days - 1)), end: lastDay });

/** Asks the API and the reference the same question and reports where they disagree. */
export async function checkAgreement(
  api: HelioxClient,
  pool: Pool,
  question: Question,
  start: string,
  end: string,
  when: string,
): Promise<Check> {
  const label = `${question.name} ${start} … ${end} ${when}: API = on-the-fly SQL, to the cent`;
  const [heliox, reference] = await Promise.all([
    api.get(question.path(start, end)).then(question.read),
    referenceAnswer(pool, question.dimensions, start, end),
  ]);
  const disagreements = compareAnswers(heliox, reference);
  const totalCents = [...reference.values()].reduce((a, b) => a + b, 0);
  if (!disagreements.length) {
    return { label, ok: true, detail: `${reference.size} groups, $${(totalCents / 100).toFixed(2)} allocated` };
  }
  const worst = disagreements
    .slice(0, 3)
    .map((d) => `${d.key}: API $${(d.heliox / 100).toFixed(2)} vs SQL $${(d.reference / 100).toFixed(2)}`)
    .join('; ');
  return { label, ok: false, detail: `${disagreements.length} of ${reference.size} groups differ, e.g. ${worst}` };
}

export interface QuestionTiming {
  question: Question;
  days: number;
  heliox: number[];
  reference: number[];
}

export async function timeQuestion(
  api: HelioxClient,
  pool: Pool,
  question: Question,
  lastDay: string,
  days: number,
  plan: SamplingPlan,
): Promise<QuestionTiming> {
  const { start, end } = lastDays(lastDay, days);
  const heliox = await sampleLatencies(() => api.get(question.path(start, end)), plan);
  const reference = await sampleLatencies(() => referenceAnswer(pool, question.dimensions, start, end), plan);
  return { question, days, heliox, reference };
}

export const ANALYTICS_TARGET: Target = { op: '≥', value: 20 };
export const ANALYTICS_DAYS = [30, 365];

export const analyticsLabel = (question: Question, days: number) =>
  `analytics ${question.name}, ${days} d: on-the-fly SQL latency ÷ Heliox latency (medians)`;

export function analyticsFigure(t: QuestionTiming): Figure {
  const ratio = median(t.reference) / median(t.heliox);
  const show = (samples: number[]) =>
    `${formatMs(median(samples))} median, ${formatMs(p95(samples))} p95 (n=${samples.length})`;
  return {
    label: analyticsLabel(t.question, t.days),
    heliox: show(t.heliox),
    reference: show(t.reference),
    ratio,
    checked: ratio,
    target: ANALYTICS_TARGET,
  };
}
