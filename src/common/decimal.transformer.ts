import { ValueTransformer } from 'typeorm';

/**
 * PostgreSQL returns `numeric` as a string to keep its precision. Values Heliox reads through
 * entities (budgets, GPU counts) fit a double comfortably; money sums are computed in SQL.
 */
export const decimalTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null || value === undefined ? null : Number(value)),
};
