import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { storableText } from '../../common/storable-text';
import { Env } from '../../config/env';
import type { ChannelKind } from '../alerts.entities';
import { alertBody, EventForDelivery } from './alert-payload';
import { retryDelaySeconds } from './backoff';
import { DELIVERY_TIMEOUT_MS, sendAlert, SendResult } from './webhook-sender';

/** Deliveries one process claims per poll (sent in parallel). */
const CLAIM_BATCH = 20;
/** Batches one poll sends at most before it yields to the next poll (and to a shutdown). */
const MAX_BATCHES = 10;
/**
 * How long a claimed attempt owns its row: past the send's timeout with room to record the
 * outcome. A process that dies mid-attempt leaves the row due again once this has passed.
 */
const LEASE_SECONDS = DELIVERY_TIMEOUT_MS / 1000 + 25;
const MAX_ERROR_LENGTH = 500;

interface ClaimedDelivery extends EventForDelivery {
  id: string;
  attempts: number;
  channel_kind: ChannelKind;
  url: string;
  secret: string | null;
}

/**
 * Claims due deliveries and pushes the lease forward in one statement: `FOR UPDATE SKIP LOCKED`
 * lets processes polling at once take different rows, and a claimed row is not due again until
 * its lease ends, so no two processes send the same attempt. The attempt is counted before it
 * is sent: a crash mid-send still uses one up.
 */
const CLAIM = `
  WITH due AS (
    SELECT id FROM alert_deliveries
    WHERE status = 'pending' AND next_attempt_at <= now() AND attempts < $2
    ORDER BY next_attempt_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
  ), claimed AS (
    UPDATE alert_deliveries d
       SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $3), updated_at = now()
      FROM due WHERE d.id = due.id
    RETURNING d.id, d.attempts, d.event_id, d.channel_id
  )
  SELECT c.id, c.attempts, ch.kind AS channel_kind, ch.url, ch.secret,
         e.id AS event_id, e.rule_id, r.name AS rule_name, e.kind, e.team_id, t.name AS team_name, e.period,
         e.threshold_pct, e.provider, e.gpu_type, e.value_usd::text AS value_usd, e.budget_usd::text AS budget_usd,
         e.expected_usd::text AS expected_usd, e.message
  FROM claimed c
  JOIN alert_channels ch ON ch.id = c.channel_id
  JOIN alert_events e ON e.id = c.event_id
  JOIN alert_rules r ON r.id = e.rule_id
  JOIN teams t ON t.id = e.team_id`;

/** Rows whose last attempt's process died after the last allowed attempt began. */
const BURY_ABANDONED = `
  UPDATE alert_deliveries
     SET status = 'dead', next_attempt_at = NULL, updated_at = now(),
         last_error = coalesce(last_error || '; ', '') || 'the last attempt never finished (its process stopped)'
   WHERE status = 'pending' AND attempts >= $1 AND next_attempt_at <= now()`;

/** A 2xx: delivered, whoever holds the row now (the receiver has it). */
const DELIVERED = `
  UPDATE alert_deliveries
     SET status = 'delivered', delivered_at = now(), next_attempt_at = NULL, last_error = NULL, updated_at = now()
   WHERE id = $1 AND status = 'pending'`;

/**
 * A failure: due again after the backoff, or dead after the last attempt. Only while the row is
 * still this attempt's (same attempt count): a late answer never overrides a later attempt.
 */
const FAILED = `
  UPDATE alert_deliveries
     SET status = CASE WHEN attempts >= $3 THEN 'dead' ELSE 'pending' END,
         next_attempt_at = CASE WHEN attempts >= $3 THEN NULL ELSE now() + make_interval(secs => $4) END,
         last_error = $5, updated_at = now()
   WHERE id = $1 AND attempts = $2 AND status = 'pending'`;

/**
 * The outbox's sender: at-least-once delivery of every event to its rule's channel, retried with
 * exponential backoff and jitter (ALERT_RETRY_BASE_SECONDS, doubling) up to ALERT_MAX_ATTEMPTS,
 * then `dead`. All its state is in `alert_deliveries`: a restarted process resumes where the
 * last one stopped, and an acknowledged delivery is never sent again.
 */
@Injectable()
export class DeliveryWorker {
  private readonly logger = new Logger(DeliveryWorker.name);
  private readonly retryBaseSeconds: number;
  private readonly maxAttempts: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: ConfigService<Env, true>,
  ) {
    this.retryBaseSeconds = config.get('ALERT_RETRY_BASE_SECONDS', { infer: true });
    this.maxAttempts = config.get('ALERT_MAX_ATTEMPTS', { infer: true });
  }

  /** Sends the deliveries due now, a batch at a time (up to MAX_BATCHES); returns how many were attempted. */
  async deliverDue(): Promise<number> {
    await this.dataSource.query(BURY_ABANDONED, [this.maxAttempts]);
    let attempted = 0;
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const claimed = await this.dataSource.query<ClaimedDelivery[]>(CLAIM, [
        CLAIM_BATCH,
        this.maxAttempts,
        LEASE_SECONDS,
      ]);
      await Promise.all(claimed.map((d) => this.attempt(d)));
      attempted += claimed.length;
      if (claimed.length < CLAIM_BATCH) break;
    }
    return attempted;
  }

  private async attempt(d: ClaimedDelivery): Promise<void> {
    let result: SendResult;
    try {
      result = await sendAlert({
        url: d.url,
        secret: d.secret,
        eventId: d.event_id,
        body: alertBody(d.channel_kind, d),
      });
    } catch (error) {
      result = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    if (result.ok) {
      await this.dataSource.query(DELIVERED, [d.id]);
      return;
    }
    const delay = retryDelaySeconds(d.attempts, this.retryBaseSeconds);
    await this.dataSource.query(FAILED, [
      d.id,
      d.attempts,
      this.maxAttempts,
      delay,
      storableText(result.error, MAX_ERROR_LENGTH),
    ]);
    const next = d.attempts >= this.maxAttempts ? 'giving up' : `retry in ${delay.toFixed(1)} s`;
    this.logger.warn(
      `Alert delivery ${d.id} (event ${d.event_id}) attempt ${d.attempts} failed: ${result.error}; ${next}`,
    );
  }
}
