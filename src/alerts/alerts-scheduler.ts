import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { loggableError } from '../common/errors/database-errors';
import { Env } from '../config/env';
import { DeliveryWorker } from './delivery/delivery-worker';
import { AlertsEvaluator } from './evaluation/alerts-evaluator';

/**
 * A task run every `seconds`, never overlapping itself: the next run is scheduled when the last
 * one ends. Failures are logged and the loop goes on (the database may come back).
 */
class Loop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly seconds: number,
    private readonly task: () => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.schedule();
  }

  /** Stops scheduling and waits for a run in progress (a delivery waits at most its timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    // unref: the loop never keeps a process alive on its own.
    this.timer = setTimeout(() => {
      this.running = this.task()
        .then(
          () => undefined,
          (error: unknown) =>
            this.logger.warn({ err: loggableError(error) }, `${this.name} failed; the next run will try again`),
        )
        .finally(() => this.schedule());
    }, this.seconds * 1000).unref();
  }
}

/**
 * The alerts' background work in every API process: evaluating the days ingestions changed
 * (ALERT_EVALUATION_POLL_SECONDS), the scheduled evaluation of today and yesterday
 * (ALERT_EVALUATION_INTERVAL_SECONDS) and sending due deliveries (ALERT_DELIVERY_POLL_SECONDS).
 * Processes need not coordinate: events fire once by their unique key, deliveries are claimed
 * with SKIP LOCKED. Stopped before the database pool closes on shutdown.
 */
@Injectable()
export class AlertsScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AlertsScheduler.name);
  private readonly loops: Loop[];

  constructor(evaluator: AlertsEvaluator, worker: DeliveryWorker, config: ConfigService<Env, true>) {
    this.loops = [
      new Loop(
        'Evaluation of changed days',
        config.get('ALERT_EVALUATION_POLL_SECONDS', { infer: true }),
        () => evaluator.evaluatePending(),
        this.logger,
      ),
      new Loop(
        'Scheduled alert evaluation',
        config.get('ALERT_EVALUATION_INTERVAL_SECONDS', { infer: true }),
        () => evaluator.evaluateRecent(),
        this.logger,
      ),
      new Loop(
        'Alert delivery',
        config.get('ALERT_DELIVERY_POLL_SECONDS', { infer: true }),
        () => worker.deliverDue(),
        this.logger,
      ),
    ];
  }

  onApplicationBootstrap(): void {
    for (const loop of this.loops) loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.loops.map((loop) => loop.stop()));
  }
}
