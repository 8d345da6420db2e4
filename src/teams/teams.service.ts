import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { UserPrincipal } from '../auth/principal';
import { scopeToTeam } from '../auth/team-scope';
import { conflict, notFound } from '../common/errors/domain-error';
import { CreateTeamDto, TeamResponse, TeamsPage, UpdateTeamDto } from './dto/team.dto';
import { isUuid, TEAM_COLUMNS, TeamRowData, toTeamResponse } from './teams.views';

export interface TeamToEnsure {
  name: string;
  description?: string | null;
  budget_usd?: number | null;
}

@Injectable()
export class TeamsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

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
    const names = wanted.map((t) => t.name);

    const inserted = await manager.query<{ id: string; name: string }[]>(
      `INSERT INTO teams (name, description, budget_usd)
       SELECT t.name, t.description, t.budget_usd
         FROM unnest($1::text[], $2::text[], $3::numeric[]) WITH ORDINALITY AS t(name, description, budget_usd, position)
        ORDER BY t.position
       ON CONFLICT (name) DO NOTHING
       RETURNING id, name`,
      [names, wanted.map((t) => t.description ?? null), wanted.map((t) => t.budget_usd ?? null)],
    );
    for (const row of inserted) idsByName.set(row.name, row.id);

    // A separate statement sees teams that a concurrent run committed after the insert's snapshot.
    const missing = names.filter((name) => !idsByName.has(name));
    if (missing.length) {
      const found = await manager.query<{ id: string; name: string }[]>(
        `SELECT id, name FROM teams WHERE name = ANY($1::text[])`,
        [missing],
      );
      for (const row of found) idsByName.set(row.name, row.id);
    }
    return { idsByName, created: inserted.length, existing: names.length - inserted.length };
  }

  /** Teams by name; a member's page holds its own team only, and its total counts only that. */
  async list(user: UserPrincipal, skip: number, limit: number): Promise<TeamsPage> {
    const teamId = scopeToTeam(user);
    const where = teamId ? `WHERE id = $1` : '';
    const scope = teamId ? [teamId] : [];
    const [rows, [{ total }]] = await Promise.all([
      this.db.query<TeamRowData[]>(
        `SELECT ${TEAM_COLUMNS} FROM teams ${where} ORDER BY name, id LIMIT $${scope.length + 1} OFFSET $${scope.length + 2}`,
        [...scope, limit + 1, skip],
      ),
      this.db.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM teams ${where}`, scope),
    ]);
    return { teams: rows.slice(0, limit).map(toTeamResponse), total, skip, limit, has_more: rows.length > limit };
  }

  /** One team; 404 for an id that is not a uuid, names no team, or names a team a member may not see. */
  async getVisible(user: UserPrincipal, id: string): Promise<TeamResponse> {
    const teamId = scopeToTeam(user);
    if (!isUuid(id) || (teamId !== undefined && teamId !== id.toLowerCase())) throw notFound(`No team ${id}`);
    const [row] = await this.db.query<TeamRowData[]>(`SELECT ${TEAM_COLUMNS} FROM teams WHERE id = $1`, [id]);
    if (!row) throw notFound(`No team ${id}`);
    return toTeamResponse(row);
  }

  /** Whether a team has this id (false for an id that is not a uuid). */
  async exists(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const rows = await this.db.query<unknown[]>(`SELECT 1 FROM teams WHERE id = $1`, [id]);
    return rows.length > 0;
  }

  async create(input: CreateTeamDto): Promise<TeamResponse> {
    const [row] = await this.db.query<TeamRowData[]>(
      `INSERT INTO teams (name, description, budget_usd) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO NOTHING RETURNING ${TEAM_COLUMNS}`,
      [input.name, input.description ?? null, input.budget_usd ?? null],
    );
    if (!row) throw conflict(`A team named ${input.name} already exists`, 'name');
    return toTeamResponse(row);
  }

  /** Changes the fields given; a field left out stays, null clears description or budget. */
  async update(id: string, input: UpdateTeamDto): Promise<TeamResponse> {
    if (!isUuid(id)) throw notFound(`No team ${id}`);
    const values: unknown[] = [id];
    const sets: string[] = [];
    for (const [column, value] of [
      ['name', input.name],
      ['description', input.description],
      ['budget_usd', input.budget_usd],
    ] as const) {
      if (value === undefined) continue;
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    }
    if (input.name !== undefined) {
      const [taken] = await this.db.query<unknown[]>(`SELECT 1 FROM teams WHERE name = $1 AND id <> $2`, [
        input.name,
        id,
      ]);
      if (taken) throw conflict(`A team named ${input.name} already exists`, 'name');
    }
    // The check above gives the usual answer; the constraint still decides a race between two renames.
    // TypeORM answers an UPDATE with [rows, affected].
    const [rows] = await this.db
      .query<[TeamRowData[] | undefined, number]>(
        `UPDATE teams SET ${sets.concat('updated_at = now()').join(', ')} WHERE id = $1 RETURNING ${TEAM_COLUMNS}`,
        values,
      )
      .catch((error: { driverError?: { code?: string } }) => {
        if (error.driverError?.code === '23505') throw conflict(`A team named ${input.name} already exists`, 'name');
        throw error;
      });
    if (!rows?.[0]) throw notFound(`No team ${id}`);
    return toTeamResponse(rows[0]);
  }
}
