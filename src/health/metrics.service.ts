import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** How allocation upkeep is timed: marking a write's changes, refreshing the marked cells, a rebuild. */
export type AllocationStep = 'mark' | 'refresh' | 'rebuild';

/**
 * Heliox's Prometheus registry: HTTP traffic, the Node process, the database pool, the
 * allocation's upkeep and the alerts' evaluations.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  /** Seconds spent keeping the allocation up to date, inside the transactions of the writes. */
  readonly allocationDuration = new Histogram({
    name: 'allocation_duration_seconds',
    help: 'Allocation upkeep by step: mark (a write records what it changed), refresh (marked cells recomputed), rebuild',
    labelNames: ['step'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  readonly allocationCells = new Counter({
    name: 'allocation_refreshed_cells_total',
    help: '(day, provider, gpu_type) cells recomputed or moved by refreshes and rebuilds',
    registers: [this.registry],
  });

  /**
   * Seconds spent evaluating alert rules, after the uploads' commits (so not in their answer).
   * A poll that finds no changed day is not an evaluation and is not recorded.
   */
  readonly alertEvaluationDuration = new Histogram({
    name: 'alerts_evaluation_duration_seconds',
    help: 'Alert rule evaluations by trigger: changed_days (the days ingestions changed), scheduled (today and yesterday)',
    labelNames: ['trigger'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  constructor(@InjectDataSource() dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry });
    const pool = () => (dataSource.driver as unknown as { master?: PgPool }).master;
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const p = pool();
        this.set({ state: 'total' }, p?.totalCount ?? 0);
        this.set({ state: 'idle' }, p?.idleCount ?? 0);
        this.set({ state: 'waiting' }, p?.waitingCount ?? 0);
      },
    });
  }

  /** Runs `work` and records its duration under `step` (also when it fails). */
  async timeAllocation<T>(step: AllocationStep, work: () => Promise<T>): Promise<T> {
    const stop = this.allocationDuration.startTimer({ step });
    try {
      return await work();
    } finally {
      stop();
    }
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }
}
