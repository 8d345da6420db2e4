import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { badRequest, notFound } from '../common/errors/domain-error';
import type { RuleKind } from './alerts.entities';
import { CreateRuleDto, DEFAULT_THRESHOLDS, RuleResponse, RulesPage, UpdateRuleDto } from './dto/rule.dto';

const RULE_COLUMNS = `id, name, kind, thresholds_pct, team_id, channel_id, enabled, created_at, updated_at`;

/**
 * Alert rules. Admins only (the controller says so). Changing a rule's thresholds or team makes
 * the new ones fire at the next evaluation; what already fired stays fired.
 */
@Injectable()
export class RulesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(dto: CreateRuleDto): Promise<RuleResponse> {
    const thresholds = thresholdsFor(dto.kind, dto.thresholds_pct);
    await this.checkReferences(dto.team_id ?? null, dto.channel_id);
    const [row] = await referencesKept(() =>
      this.dataSource.query<RuleResponse[]>(
        `INSERT INTO alert_rules (name, kind, thresholds_pct, team_id, channel_id, enabled)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${RULE_COLUMNS}`,
        [dto.name, dto.kind, thresholds, dto.team_id ?? null, dto.channel_id, dto.enabled ?? true],
      ),
    );
    return row;
  }

  async list(skip: number, limit: number): Promise<RulesPage> {
    const rows = await this.dataSource.query<RuleResponse[]>(
      `SELECT ${RULE_COLUMNS} FROM alert_rules ORDER BY created_at, id OFFSET $1 LIMIT $2`,
      [skip, limit + 1],
    );
    const [{ total }] = await this.dataSource.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM alert_rules`,
    );
    return { rules: rows.slice(0, limit), total, skip, limit, has_more: rows.length > limit };
  }

  async get(id: string): Promise<RuleResponse> {
    const [row] = await this.dataSource.query<RuleResponse[]>(`SELECT ${RULE_COLUMNS} FROM alert_rules WHERE id = $1`, [
      id,
    ]);
    if (!row) throw notFound(`No alert rule ${id}`);
    return row;
  }

  async update(id: string, dto: UpdateRuleDto): Promise<RuleResponse> {
    return this.dataSource.transaction((m) => this.updateLocked(m, id, dto));
  }

  /**
   * The rule is locked while it is read and written: of two edits at once the later reads what
   * the earlier wrote, instead of writing back what it read before (a rename turning a rule that
   * was just disabled on again).
   */
  private async updateLocked(m: EntityManager, id: string, dto: UpdateRuleDto): Promise<RuleResponse> {
    const [rule] = await m.query<RuleResponse[]>(`SELECT ${RULE_COLUMNS} FROM alert_rules WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    if (!rule) throw notFound(`No alert rule ${id}`);
    const teamId = dto.team_id === undefined ? rule.team_id : dto.team_id;
    const channelId = dto.channel_id ?? rule.channel_id;
    const thresholds =
      dto.thresholds_pct === undefined ? rule.thresholds_pct : thresholdsFor(rule.kind, dto.thresholds_pct);
    await this.checkReferences(
      dto.team_id === undefined ? null : teamId,
      dto.channel_id === undefined ? null : channelId,
      m,
    );
    const [row] = await referencesKept(() =>
      m.query<RuleResponse[]>(
        // Through a CTE: the driver answers a bare UPDATE with [rows, count], not rows.
        `WITH u AS (
           UPDATE alert_rules SET name = $2, thresholds_pct = $3, team_id = $4, channel_id = $5, enabled = $6, updated_at = now()
           WHERE id = $1 RETURNING ${RULE_COLUMNS}
         ) SELECT * FROM u`,
        [id, dto.name ?? rule.name, thresholds, teamId, channelId, dto.enabled ?? rule.enabled],
      ),
    );
    if (!row) throw notFound(`No alert rule ${id}`);
    return row;
  }

  /** Deletes the rule with its events and their deliveries (pending ones are not sent). */
  async remove(id: string): Promise<void> {
    const [{ deleted }] = await this.dataSource.query<{ deleted: number }[]>(
      `WITH d AS (DELETE FROM alert_rules WHERE id = $1 RETURNING 1) SELECT count(*)::int AS deleted FROM d`,
      [id],
    );
    if (!deleted) throw notFound(`No alert rule ${id}`);
  }

  /**
   * A named team or channel must exist: 400 naming the field, not a foreign-key 500. In an edit it
   * runs on the edit's connection, which holds the rule's lock: from a second connection, edits
   * waiting on that lock could hold every connection of the pool.
   */
  private async checkReferences(
    teamId: string | null,
    channelId: string | null,
    m: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    const [found] = await m.query<{ team: boolean; channel: boolean }[]>(
      `SELECT ($1::uuid IS NULL OR EXISTS (SELECT 1 FROM teams WHERE id = $1::uuid)) AS team,
              ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM alert_channels WHERE id = $2::uuid)) AS channel`,
      [teamId, channelId],
    );
    if (!found.team) throw badRequest(`team_id: no team ${teamId}`, 'team_id');
    if (!found.channel) throw badRequest(`channel_id: no alert channel ${channelId}`, 'channel_id');
  }
}

/** The team or channel was deleted between the check and the write: still the caller's 400. */
async function referencesKept<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as { driverError?: { code?: string } }).driverError?.code === '23503') {
      throw badRequest('team_id or channel_id: it was deleted meanwhile');
    }
    throw error;
  }
}

/** Budget rules default to 50, 80 and 100 %, sorted; anomaly rules have no thresholds. */
function thresholdsFor(kind: RuleKind, given: number[] | null | undefined): number[] {
  if (kind === 'anomaly') {
    if (given?.length) throw badRequest('thresholds_pct: anomaly rules have no thresholds', 'thresholds_pct');
    return [];
  }
  return [...(given ?? DEFAULT_THRESHOLDS)].sort((a, b) => a - b);
}
