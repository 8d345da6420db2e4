import { TeamResponse } from './dto/team.dto';
import { Team } from './team.entity';

/** A team as the API shows it (times in UTC ISO). */
export function toTeamResponse(team: Team): TeamResponse {
  return {
    id: team.id,
    name: team.name,
    description: team.description,
    budget_usd: team.budgetUsd,
    created_at: team.createdAt.toISOString(),
    updated_at: team.updatedAt.toISOString(),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that is not a uuid names no team: 404, like an unknown one, rather than a database error. */
export const isUuid = (value: string) => UUID.test(value);
