import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AllocationService, CapacityPeriod } from '../allocation/allocation.service';
import { badRequest, conflict, notFound } from '../common/errors/domain-error';
import {
  CapacityPage,
  CapacityResponse,
  CreateCapacityDto,
  ListCapacityQuery,
  UpdateCapacityDto,
} from './dto/capacity.dto';

const CAPACITY_COLUMNS = `id, provider, gpu_type, gpu_count::float8 AS gpu_count, (gpu_count * 24)::float8 AS gpu_hours_per_day,
  to_char(from_date, 'YYYY-MM-DD') AS "from", to_char(to_date, 'YYYY-MM-DD') AS "to", owner_team_id, created_at, updated_at`;

/** A period as it is written: provider and GPU type lower-cased, UTC days. */
interface CapacityFields {
  provider: string;
  gpu_type: string;
  from: string;
  to: string | null;
  owner_team_id: string | null;
}

/**
 * Capacity declared by admins (the controller says who may call). Every write runs in one
 * transaction with the re-pricing of the cells it touches, old period and new
 * (AllocationService.changeCapacity), so a report never sees capacity and prices disagree.
 */
@Injectable()
export class CapacityService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly allocation: AllocationService,
  ) {}

  async create(dto: CreateCapacityDto): Promise<CapacityResponse> {
    const fields: CapacityFields = {
      provider: dto.provider,
      gpu_type: dto.gpu_type,
      from: dto.from,
      to: dto.to ?? null,
      owner_team_id: dto.owner_team_id ?? null,
    };
    return this.dataSource.transaction((m) =>
      this.allocation.changeCapacity(m, async () => {
        await this.checkWritable(m, fields, null);
        const [row] = await m.query<CapacityResponse[]>(
          `INSERT INTO capacities (provider, gpu_type, gpu_count, from_date, to_date, owner_team_id)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${CAPACITY_COLUMNS}`,
          [fields.provider, fields.gpu_type, dto.gpu_count, fields.from, fields.to, fields.owner_team_id],
        );
        return { result: row, periods: [periodOf(fields)] };
      }),
    );
  }

  async list(query: ListCapacityQuery): Promise<CapacityPage> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (query.provider) where.push(`provider = $${params.push(query.provider)}`);
    if (query.gpu_type) where.push(`gpu_type = $${params.push(query.gpu_type)}`);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query<CapacityResponse[]>(
        `SELECT ${CAPACITY_COLUMNS} FROM capacities ${filter}
         ORDER BY provider, gpu_type, from_date OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
        [...params, query.skip, query.limit + 1],
      ),
      this.dataSource.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM capacities ${filter}`, params),
    ]);
    return {
      capacities: rows.slice(0, query.limit),
      total,
      skip: query.skip,
      limit: query.limit,
      has_more: rows.length > query.limit,
    };
  }

  async get(id: string): Promise<CapacityResponse> {
    const [row] = await this.dataSource.query<CapacityResponse[]>(
      `SELECT ${CAPACITY_COLUMNS} FROM capacities WHERE id = $1`,
      [id],
    );
    if (!row) throw notFound(`No capacity ${id}`);
    return row;
  }

  /** Changes the fields given; the cells of the old and the new period are re-priced. */
  async update(id: string, dto: UpdateCapacityDto): Promise<CapacityResponse> {
    return this.dataSource.transaction((m) =>
      this.allocation.changeCapacity(m, async () => {
        const old = await this.lockedRow(m, id);
        const fields: CapacityFields = {
          provider: dto.provider ?? old.provider,
          gpu_type: dto.gpu_type ?? old.gpu_type,
          from: dto.from ?? old.from,
          to: dto.to === undefined ? old.to : dto.to,
          owner_team_id: dto.owner_team_id === undefined ? old.owner_team_id : dto.owner_team_id,
        };
        if (fields.to !== null && fields.to < fields.from) {
          throw badRequest(`to (${fields.to}) must be on or after from (${fields.from})`, 'to');
        }
        await this.checkWritable(m, fields, id);
        const [row] = await m.query<CapacityResponse[]>(
          // The count is kept as stored (numeric) unless a new one is given.
          `WITH changed AS (
             UPDATE capacities SET provider = $2, gpu_type = $3, gpu_count = coalesce($4::numeric, gpu_count), from_date = $5,
                    to_date = $6, owner_team_id = $7, updated_at = now()
             WHERE id = $1 RETURNING *
           )
           SELECT ${CAPACITY_COLUMNS} FROM changed`,
          [id, fields.provider, fields.gpu_type, dto.gpu_count ?? null, fields.from, fields.to, fields.owner_team_id],
        );
        return { result: row, periods: [periodOf(old), periodOf(fields)] };
      }),
    );
  }

  /** Removes a capacity; its cells go back to the snapshot split by GPU-hours. */
  async remove(id: string): Promise<void> {
    await this.dataSource.transaction((m) =>
      this.allocation.changeCapacity(m, async () => {
        const old = await this.lockedRow(m, id);
        await m.query(`DELETE FROM capacities WHERE id = $1`, [id]);
        return { result: undefined, periods: [periodOf(old)] };
      }),
    );
  }

  private async lockedRow(m: EntityManager, id: string): Promise<CapacityResponse> {
    const [row] = await m.query<CapacityResponse[]>(
      `SELECT ${CAPACITY_COLUMNS} FROM capacities WHERE id = $1 FOR UPDATE`,
      [id],
    );
    if (!row) throw notFound(`No capacity ${id}`);
    return row;
  }

  /**
   * 400 when the owner names no team, 409 naming the capacity whose period the new one overlaps.
   * Writers hold the refresh lock, so they run one at a time and this check sees every committed
   * period; the exclusion constraint still holds against any other writer.
   */
  private async checkWritable(m: EntityManager, f: CapacityFields, self: string | null): Promise<void> {
    if (f.owner_team_id !== null) {
      const [team] = await m.query<unknown[]>(`SELECT 1 FROM teams WHERE id = $1`, [f.owner_team_id]);
      if (!team) throw badRequest(`owner_team_id ${f.owner_team_id} names no team`, 'owner_team_id');
    }
    const [clash] = await m.query<CapacityResponse[]>(
      `SELECT ${CAPACITY_COLUMNS} FROM capacities
       WHERE provider = $1 AND gpu_type = $2 AND ($5::uuid IS NULL OR id <> $5::uuid)
         AND daterange(from_date, to_date, '[]') && daterange($3::date, $4::date, '[]')
       ORDER BY from_date LIMIT 1`,
      [f.provider, f.gpu_type, f.from, f.to, self],
    );
    if (clash) {
      const period = `${clash.from} to ${clash.to ?? 'open-ended'}`;
      throw conflict(
        `The period ${f.from} to ${f.to ?? 'open-ended'} overlaps capacity ${clash.id} of ${clash.provider}/${clash.gpu_type} (${period}): periods of one provider and GPU type may not overlap`,
        'from',
      );
    }
  }
}

const periodOf = (f: Pick<CapacityFields, 'provider' | 'gpu_type' | 'from' | 'to'>): CapacityPeriod => ({
  provider: f.provider,
  gpuType: f.gpu_type,
  from: f.from,
  to: f.to,
});
