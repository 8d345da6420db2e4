import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UserPrincipal } from '../auth/principal';
import { scopeToTeam } from '../auth/team-scope';
import {
  DeliveriesPage,
  DeliveryResponse,
  EventResponse,
  EventsPage,
  ListDeliveriesQuery,
  ListEventsQuery,
} from './dto/activity.dto';

/** What fired and what became of its deliveries: the read side of alerts. */
@Injectable()
export class AlertActivityService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Events, newest first; a member sees its own team's only (another team_id is refused). */
  async events(user: UserPrincipal, query: ListEventsQuery): Promise<EventsPage> {
    const teamId = scopeToTeam(user, query.team_id);
    const where = `($1::uuid IS NULL OR e.team_id = $1::uuid) AND ($2::uuid IS NULL OR e.rule_id = $2::uuid)`;
    const params = [teamId ?? null, query.rule_id ?? null];
    const rows = await this.dataSource.query<EventResponse[]>(
      `SELECT e.id, e.rule_id, r.name AS rule_name, e.kind, e.team_id, t.name AS team_name, e.period, e.threshold_pct,
              e.provider, e.gpu_type, e.value_usd::float8 AS value_usd, e.budget_usd::float8 AS budget_usd,
              e.expected_usd::float8 AS expected_usd, e.message, e.fired_at
       FROM alert_events e JOIN alert_rules r ON r.id = e.rule_id JOIN teams t ON t.id = e.team_id
       WHERE ${where}
       ORDER BY e.fired_at DESC, e.id DESC OFFSET $3 LIMIT $4`,
      [...params, query.skip, query.limit + 1],
    );
    const [{ total }] = await this.dataSource.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM alert_events e WHERE ${where}`,
      params,
    );
    return {
      events: rows.slice(0, query.limit),
      total,
      skip: query.skip,
      limit: query.limit,
      has_more: rows.length > query.limit,
    };
  }

  /** Deliveries, newest first (admins: they show channels' receivers failing). */
  async deliveries(query: ListDeliveriesQuery): Promise<DeliveriesPage> {
    const where = `($1::text IS NULL OR d.status = $1::text) AND ($2::uuid IS NULL OR d.event_id = $2::uuid)`;
    const params = [query.status ?? null, query.event_id ?? null];
    const rows = await this.dataSource.query<DeliveryResponse[]>(
      `SELECT d.id, d.event_id, d.channel_id, c.name AS channel_name, d.status, d.attempts, d.last_error,
              d.next_attempt_at, d.delivered_at, d.created_at
       FROM alert_deliveries d JOIN alert_channels c ON c.id = d.channel_id
       WHERE ${where}
       ORDER BY d.created_at DESC, d.id DESC OFFSET $3 LIMIT $4`,
      [...params, query.skip, query.limit + 1],
    );
    const [{ total }] = await this.dataSource.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM alert_deliveries d WHERE ${where}`,
      params,
    );
    return {
      deliveries: rows.slice(0, query.limit),
      total,
      skip: query.skip,
      limit: query.limit,
      has_more: rows.length > query.limit,
    };
  }
}
