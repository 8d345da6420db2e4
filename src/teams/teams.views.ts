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
