import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { EntityManager, Repository } from 'typeorm';
import { UserPrincipal } from '../auth/principal';
import { scopeToTeam } from '../auth/team-scope';
import { conflict, notFound } from '../common/errors/domain-error';
import { RetryLaterError } from '../common/errors/retry-later.error';
import { CreateTeamDto, TeamResponse, TeamsPage, UpdateTeamDto } from './dto/team.dto';
import { Team } from './team.entity';
import { toTeamResponse } from './teams.views';

/**
 * Rounds of naming an upload's teams: a second one only when a team was renamed between the two
 * statements of the first, a third only if that happened again.
 */
const NAMING_ROUNDS = 3;

export interface TeamToEnsure {
  name: string;
  description?: string | null;
  budget_usd?: number | null;
}

@Injectable()
export class TeamsService {
  constructor(@InjectRepository(Team) private readonly teams: Repository<Team>) {}

  /**
   * Finds or creates teams by name in the caller's transaction. Existing teams are left as they
   * are (budgets change through the teams API, not by re-sending a file). Safe under concurrent
   * runs: INSERT … ON CONFLICT (name) DO NOTHING waits for a concurrent creator of the same
   * name, and names are inserted in sorted order so two runs never wait on each other in a
   * cycle.
   */
  async ensureTeams(
    manager: EntityManager,
    teams: TeamToEnsure[],
  ): Promise<{ idsByName: Map<string, string>; created: number; existing: number }> {
    const byName = new Map<string, TeamToEnsure>();
    for (const team of teams) {
      const known = byName.get(team.name);
      // A name given twice keeps the fullest description of it.
      byName.set(team.name, {
        name: team.name,
        description: team.description ?? known?.description ?? null,
        budget_usd: team.budget_usd ?? known?.budget_usd ?? null,
      });
    }
    const idsByName = new Map<string, string>();
    if (byName.size === 0) return { idsByName, created: 0, existing: 0 };
    const wanted = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

    let created = 0;
    let pending = wanted;
    for (let round = 1; pending.length; round++) {
      if (round > NAMING_ROUNDS) {
        throw new RetryLaterError('Teams this upload names were renamed while it named them; send it again');
      }
      const inserted = await manager.query<{ id: string; name: string }[]>(
        `INSERT INTO teams (name, description, budget_usd)
         SELECT t.name, t.description, t.budget_usd
           FROM unnest($1::text[], $2::text[], $3::numeric[]) WITH ORDINALITY AS t(name, description, budget_usd, position)
          ORDER BY t.position
         ON CONFLICT (name) DO NOTHING
         RETURNING id, name`,
        [
          pending.map((t) => t.name),
          pending.map((t) => t.description ?? null),
          pending.map((t) => t.budget_usd ?? null),
        ],
      );
      for (const row of inserted) idsByName.set(row.name, row.id);
      created += inserted.length;

      // A separate statement sees teams that a concurrent run committed after the insert's snapshot.
      const missing = pending.filter((t) => !idsByName.has(t.name)).map((t) => t.name);
      if (missing.length) {
        const found = await manager.query<{ id: string; name: string }[]>(
          `SELECT id, name FROM teams WHERE name = ANY($1::text[])`,
          [missing],
        );
        for (const row of found) idsByName.set(row.name, row.id);
      }
      // A name neither inserted nor found was taken when the insert passed it (DO NOTHING locks
      // nothing) and renamed away before the select: it is free again, so the next round creates
      // it, as for any name no team has.
      pending = pending.filter((t) => !idsByName.has(t.name));
    }
    return { idsByName, created, existing: wanted.length - created };
  }

  /** Teams by name; a member's page holds its own team only, and its total counts only that. */
  async list(user: UserPrincipal, skip: number, limit: number): Promise<TeamsPage> {
    const teamId = scopeToTeam(user);
    const [teams, total] = await this.teams.findAndCount({
      where: teamId ? { id: teamId } : {},
      order: { name: 'ASC', id: 'ASC' },
      skip,
      take: limit + 1,
    });
    return {
      teams: teams.slice(0, limit).map(toTeamResponse),
      total,
      skip,
      limit,
      has_more: teams.length > limit,
    };
  }

  /** One team; 404 for an id that is not a uuid, names no team, or names a team a member may not see. */
  async getVisible(user: UserPrincipal, id: string): Promise<TeamResponse> {
    const teamId = scopeToTeam(user);
    if (!isUUID(id, 'all') || (teamId !== undefined && teamId !== id.toLowerCase())) throw notFound(`No team ${id}`);
    return toTeamResponse(await this.findOrThrow(id));
  }

  async create(input: CreateTeamDto): Promise<TeamResponse> {
    // ON CONFLICT rather than catching the error: a taken name is an answer, not a failure.
    const result = await this.teams
      .createQueryBuilder()
      .insert()
      .values({ name: input.name, description: input.description ?? null, budgetUsd: input.budget_usd ?? null })
      .orIgnore()
      .returning('id')
      .execute();
    const [created] = result.raw as { id: string }[];
    if (!created) throw conflict(`A team named ${input.name} already exists`, 'name');
    return toTeamResponse(await this.findOrThrow(created.id));
  }

  /** Changes the fields given; a field left out stays, null clears description or budget. */
  async update(id: string, input: UpdateTeamDto): Promise<TeamResponse> {
    if (!isUUID(id, 'all')) throw notFound(`No team ${id}`);
    const saved = await this.teams.manager.transaction(async (m) => {
      // Locked: of two edits at once the later reads what the earlier wrote, instead of writing
      // back the budget it read before while it renames the team.
      const team = await m.findOne(Team, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!team) throw notFound(`No team ${id}`);
      if (input.name !== undefined && input.name !== team.name && (await m.existsBy(Team, { name: input.name }))) {
        throw conflict(`A team named ${input.name} already exists`, 'name');
      }
      if (input.name !== undefined) team.name = input.name;
      if (input.description !== undefined) team.description = input.description;
      if (input.budget_usd !== undefined) team.budgetUsd = input.budget_usd;
      // The check above gives the usual answer; the constraint still decides a race between two renames.
      return m.save(team).catch((error: { driverError?: { code?: string } }) => {
        if (error.driverError?.code === '23505') throw conflict(`A team named ${input.name} already exists`, 'name');
        throw error;
      });
    });
    return toTeamResponse(saved);
  }

  private async findOrThrow(id: string): Promise<Team> {
    const team = await this.teams.findOneBy({ id });
    if (!team) throw notFound(`No team ${id}`);
    return team;
  }
}
