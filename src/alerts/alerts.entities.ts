import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { decimalTransformer } from '../common/decimal.transformer';
import { Team } from '../teams/team.entity';

export const CHANNEL_KINDS = ['webhook', 'slack'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const RULE_KINDS = ['budget_actual', 'budget_forecast', 'anomaly'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Where alerts are sent: a webhook (signed JSON) or a Slack incoming webhook. */
@Entity({ name: 'alert_channels' })
@Check('CHK_alert_channels_kind', `"kind" IN ('webhook','slack')`)
class AlertChannel {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_alert_channels' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  kind: ChannelKind;

  @Column({ type: 'text' })
  url: string;

  /** Signs every delivery (HMAC-SHA256); never sent back by the API. */
  @Column({ type: 'text', nullable: true, select: false })
  secret: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** What to watch (a budget, its forecast, anomalies), for which team (null: every team), and where to say it. */
@Entity({ name: 'alert_rules' })
@Check('CHK_alert_rules_kind', `"kind" IN ('budget_actual','budget_forecast','anomaly')`)
class AlertRule {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_alert_rules' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  kind: RuleKind;

  /** Percentages of the monthly budget that fire (budget kinds); empty for anomaly rules. */
  @Column({ name: 'thresholds_pct', type: 'integer', array: true })
  thresholdsPct: number[];

  /** null: every team. */
  @Index('idx_alert_rules_team_id')
  @Column({ name: 'team_id', type: 'uuid', nullable: true })
  teamId: string | null;

  @ManyToOne(() => Team, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'FK_alert_rules_team' })
  team?: Team | null;

  @Index('idx_alert_rules_channel_id')
  @Column({ name: 'channel_id', type: 'uuid' })
  channelId: string;

  /** A channel some rule sends to cannot be deleted. */
  @ManyToOne(() => AlertChannel, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'channel_id', foreignKeyConstraintName: 'FK_alert_rules_channel' })
  channel?: AlertChannel;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/**
 * What fired. `subject` says what within the period fired: `[80]` for a budget threshold,
 * `["aws","h100"]` for an anomaly of a provider and GPU type. The unique key is what makes a
 * (rule, team, period, threshold or cell) fire once, whichever process evaluates it and however
 * often: events are written with INSERT … ON CONFLICT DO NOTHING.
 */
@Entity({ name: 'alert_events' })
@Unique('UQ_alert_events_once', ['ruleId', 'teamId', 'period', 'subject'])
@Index('idx_alert_events_fired_at', ['firedAt'])
class AlertEvent {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_alert_events' })
  id: string;

  @Column({ name: 'rule_id', type: 'uuid' })
  ruleId: string;

  @ManyToOne(() => AlertRule, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'rule_id', foreignKeyConstraintName: 'FK_alert_events_rule' })
  rule?: AlertRule;

  @Column({ type: 'text' })
  kind: RuleKind;

  @Index('idx_alert_events_team_id')
  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  @ManyToOne(() => Team, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'FK_alert_events_team' })
  team?: Team;

  /** `YYYY-MM` for budget rules, `YYYY-MM-DD` for anomalies. */
  @Column({ type: 'text' })
  period: string;

  @Column({ type: 'text' })
  subject: string;

  @Column({ name: 'threshold_pct', type: 'integer', nullable: true })
  thresholdPct: number | null;

  @Column({ type: 'text', nullable: true })
  provider: string | null;

  @Column({ name: 'gpu_type', type: 'text', nullable: true })
  gpuType: string | null;

  /** Spend (budget_actual), forecast (budget_forecast) or the day's cost (anomaly). */
  @Column({ name: 'value_usd', type: 'numeric', precision: 14, scale: 2, transformer: decimalTransformer })
  valueUsd: number;

  @Column({
    name: 'budget_usd',
    type: 'numeric',
    precision: 14,
    scale: 2,
    nullable: true,
    transformer: decimalTransformer,
  })
  budgetUsd: number | null;

  /** What an anomaly's baseline expected that day. */
  @Column({
    name: 'expected_usd',
    type: 'numeric',
    precision: 14,
    scale: 2,
    nullable: true,
    transformer: decimalTransformer,
  })
  expectedUsd: number | null;

  @Column({ type: 'text' })
  message: string;

  @Column({ name: 'fired_at', type: 'timestamptz', default: () => 'now()' })
  firedAt: Date;
}

/**
 * The outbox: one row per event and channel, written in the event's own statement. Workers
 * claim due rows (FOR UPDATE SKIP LOCKED) and push `next_attempt_at` past the attempt's timeout
 * before sending, so a process that dies mid-attempt leaves the row due again, never lost.
 */
@Entity({ name: 'alert_deliveries' })
@Check('CHK_alert_deliveries_status', `"status" IN ('pending','delivered','dead')`)
@Index('idx_alert_deliveries_due', ['nextAttemptAt'], { where: `"status" = 'pending'` })
@Index('idx_alert_deliveries_created_at', ['createdAt'])
class AlertDelivery {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_alert_deliveries' })
  id: string;

  @Index('idx_alert_deliveries_event_id')
  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @ManyToOne(() => AlertEvent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id', foreignKeyConstraintName: 'FK_alert_deliveries_event' })
  event?: AlertEvent;

  @Index('idx_alert_deliveries_channel_id')
  @Column({ name: 'channel_id', type: 'uuid' })
  channelId: string;

  @ManyToOne(() => AlertChannel, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'channel_id', foreignKeyConstraintName: 'FK_alert_deliveries_channel' })
  channel?: AlertChannel;

  @Column({ type: 'text', default: 'pending' })
  status: DeliveryStatus;

  /** Attempts started (a claim counts one before it sends). */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** When a pending row is due (or its running attempt's lease ends); null once delivered or dead. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true, default: () => 'now()' })
  nextAttemptAt: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/**
 * Days whose allocation changed since alerts last looked at them, written by the allocation
 * refresh's own transaction (PendingDays), so a change is never committed without its
 * mark. `marked_at` tells an evaluation whether the day changed again while it ran.
 */
@Entity({ name: 'alert_pending_days' })
class AlertPendingDay {
  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'PK_alert_pending_days' })
  day: string;

  @Column({ name: 'marked_at', type: 'timestamptz', default: () => 'clock_timestamp()' })
  markedAt: Date;
}

/**
 * Each team's cost per day in each priced (provider, GPU type) cell: the series the anomaly
 * rules judge, kept so that an evaluation after an upload re-sums only the days it changed
 * (TeamCellDays) instead of every job-day of the four weeks of history each judged day needs.
 * Stale only for the days still in `alert_pending_days`, which the next evaluation re-sums first.
 */
@Entity({ name: 'alert_team_cell_days' })
class AlertTeamCellDay {
  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'PK_alert_team_cell_days' })
  day: string;

  @PrimaryColumn({ name: 'team_id', type: 'uuid', primaryKeyConstraintName: 'PK_alert_team_cell_days' })
  teamId: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_alert_team_cell_days' })
  provider: string;

  @PrimaryColumn({ name: 'gpu_type', type: 'text', primaryKeyConstraintName: 'PK_alert_team_cell_days' })
  gpuType: string;

  @Column({ name: 'cost_usd', type: 'numeric' })
  costUsd: string;
}

/**
 * The latest write of each day's series in `alert_team_cell_days`: the id of the transaction that
 * re-summed the day. A process keeps the series it read and reads again only days whose version moved.
 */
@Entity({ name: 'alert_series_days' })
class AlertSeriesDay {
  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'PK_alert_series_days' })
  day: string;

  @Column({ type: 'bigint' })
  version: string;
}

export const ALERT_ENTITIES = [
  AlertChannel,
  AlertRule,
  AlertEvent,
  AlertDelivery,
  AlertPendingDay,
  AlertTeamCellDay,
  AlertSeriesDay,
];
