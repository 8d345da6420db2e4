import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { loggableError } from '../common/errors/database-errors';
import { Env } from '../config/env';
import { DeliveryWorker } from './delivery/delivery-worker';
import { AlertsEvaluator } from './evaluation/alerts-evaluator';

/**
 * A task run every `seconds`, never overlapping itself: its timeout, registered under its name
 * in the scheduler registry, is armed again only when the last run ends, so a tick never falls
 * while a run is going. Failures are logged and the task goes on (the database may come back).
 * The periods come from the configuration, hence the registry rather than `@Interval`.
 */
export class RepeatingTask {
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly registry: SchedulerRegistry,
    readonly name: string,
    private readonly seconds: number,
    private readonly task: () => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.arm();
  }

  /** Stops arming and waits for a run in progress (a delivery waits at most its timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.disarm();
    await this.running;
  }

  private arm(): void {
    if (this.stopped) return;
    // The registry keeps one timeout per name: the one that just fired makes way for the next.
    this.disarm();
    // unref: the task never keeps a process alive on its own.
    const timer = setTimeout(() => this.run(), this.seconds * 1000).unref();
    this.registry.addTimeout(this.name, timer);
  }

  private disarm(): void {
    if (this.registry.doesExist('timeout', this.name)) this.registry.deleteTimeout(this.name);
  }

  private run(): void {
    this.running = this.task()
      .then(
        () => undefined,
        (error: unknown) =>
          this.logger.warn({ err: loggableError(error) }, `${this.name} failed; the next run will try again`),
      )
      .finally(() => this.arm());
  }
}

/**
 * The alerts' background work in every API process: evaluating the days ingestions changed
 * (ALERT_EVALUATION_POLL_SECONDS), the scheduled evaluation of today and yesterday
 * (ALERT_EVALUATION_INTERVAL_SECONDS) and sending due deliveries (ALERT_DELIVERY_POLL_SECONDS).
 * Processes need not coordinate: events fire once by their unique key, deliveries are claimed
 * with SKIP LOCKED. Stopped before the database pool closes on shutdown: the pool closes in
 * `onApplicationShutdown`, after every `beforeApplicationShutdown` has returned.
 */
@Injectable()
export class AlertsScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AlertsScheduler.name);
  private readonly tasks: RepeatingTask[];

  constructor(
    evaluator: AlertsEvaluator,
    worker: DeliveryWorker,
    config: ConfigService<Env, true>,
    registry: SchedulerRegistry,
  ) {
    const task = (name: string, seconds: number, run: () => Promise<unknown>) =>
      new RepeatingTask(registry, name, seconds, run, this.logger);
    this.tasks = [
      task('Evaluation of changed days', config.get('ALERT_EVALUATION_POLL_SECONDS', { infer: true }), () =>
        evaluator.evaluatePending(),
      ),
      task('Scheduled alert evaluation', config.get('ALERT_EVALUATION_INTERVAL_SECONDS', { infer: true }), () =>
        evaluator.evaluateRecent(),
      ),
      task('Alert delivery', config.get('ALERT_DELIVERY_POLL_SECONDS', { infer: true }), () => worker.deliverDue()),
    ];
  }

  onApplicationBootstrap(): void {
    for (const task of this.tasks) task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.tasks.map((task) => task.stop()));
  }
}
