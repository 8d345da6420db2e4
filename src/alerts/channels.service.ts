import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { badRequest, conflict, notFound } from '../common/errors/domain-error';
import { resolvedProblem, urlProblem } from './delivery/receiver-address';
import { ChannelResponse, ChannelsPage, CreateChannelDto } from './dto/channel.dto';

const CHANNEL_COLUMNS = `id, name, kind, url, secret IS NOT NULL AS has_secret, created_at`;

/** Alert channels: where rules send their events. Admins only (the controller says so). */
@Injectable()
export class ChannelsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Refuses a URL that is not http(s) or points at a link-local or cloud metadata address, by
   * its text or by what its host resolves to now. Names that do not resolve yet are accepted:
   * every delivery resolves and checks them again.
   */
  async create(dto: CreateChannelDto): Promise<ChannelResponse> {
    const problem = urlProblem(dto.url) ?? (await resolvedProblem(dto.url));
    if (problem) throw badRequest(problem, 'url');
    const [row] = await this.dataSource.query<ChannelResponse[]>(
      `INSERT INTO alert_channels (name, kind, url, secret) VALUES ($1, $2, $3, $4) RETURNING ${CHANNEL_COLUMNS}`,
      [dto.name, dto.kind, dto.url, dto.secret ?? null],
    );
    return row;
  }

  async list(skip: number, limit: number): Promise<ChannelsPage> {
    const rows = await this.dataSource.query<ChannelResponse[]>(
      `SELECT ${CHANNEL_COLUMNS} FROM alert_channels ORDER BY created_at, id OFFSET $1 LIMIT $2`,
      [skip, limit + 1],
    );
    const [{ total }] = await this.dataSource.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM alert_channels`,
    );
    return { channels: rows.slice(0, limit), total, skip, limit, has_more: rows.length > limit };
  }

  /** Deletes a channel no rule sends to (its pending deliveries go with it). */
  async remove(id: string): Promise<void> {
    const [{ rules }] = await this.dataSource.query<{ rules: number }[]>(
      `SELECT count(*)::int AS rules FROM alert_rules WHERE channel_id = $1`,
      [id],
    );
    if (rules > 0)
      throw conflict(`Channel ${id} is used by ${rules} rule(s); point them elsewhere or delete them first`);
    try {
      const [{ deleted }] = await this.dataSource.query<{ deleted: number }[]>(
        `WITH d AS (DELETE FROM alert_channels WHERE id = $1 RETURNING 1) SELECT count(*)::int AS deleted FROM d`,
        [id],
      );
      if (!deleted) throw notFound(`No alert channel ${id}`);
    } catch (error) {
      // A rule made meanwhile (FK_alert_rules_channel).
      if ((error as { driverError?: { code?: string } }).driverError?.code === '23503') {
        throw conflict(`Channel ${id} is used by a rule; point it elsewhere or delete it first`);
      }
      throw error;
    }
  }
}
