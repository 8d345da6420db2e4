import { TeamResponse } from './dto/team.dto';

/** The columns of a team as the API shows it (numeric budget as a number, times in UTC ISO). */
export const TEAM_COLUMNS = `id, name, description, budget_usd::float8 AS budget_usd, created_at, updated_at`;

export interface TeamRowData {
  id: string;
  name: string;
  description: string | null;
  budget_usd: number | null;
  created_at: Date;
  updated_at: Date;
}

export function toTeamResponse(row: TeamRowData): TeamResponse {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    budget_usd: row.budget_usd,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that is not a uuid names no team: 404, like an unknown one, rather than a database error. */
export const isUuid = (value: string) => UUID.test(value);
