import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageMeta, PageQuery } from '../../common/pagination';
import { DELIVERY_STATUSES, DeliveryStatus, RULE_KINDS, RuleKind } from '../alerts.entities';

export class ListEventsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "Only this team's events (members: their own team only)" })
  @IsOptional()
  @IsUUID('all', { message: 'team_id must be a UUID' })
  team_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "Only this rule's events" })
  @IsOptional()
  @IsUUID('all', { message: 'rule_id must be a UUID' })
  rule_id?: string;
}

export class EventResponse {
  @ApiProperty({
    format: 'uuid',
    example: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    description: 'Also X-Heliox-Event-Id',
  })
  id: string;

  @ApiProperty({ format: 'uuid', example: '5d1c9a3e-7b2f-4e8a-b1c4-9f0e2d3c4b5a' })
  rule_id: string;

  @ApiProperty({ example: 'Team budgets' })
  rule_name: string;

  @ApiProperty({ enum: RULE_KINDS, example: 'budget_actual' })
  kind: RuleKind;

  @ApiProperty({ format: 'uuid', example: '3f0e6a52-8f0c-4c4e-9a55-2b7f1f1f6f11' })
  team_id: string;

  @ApiProperty({ example: 'ml-research' })
  team_name: string;

  @ApiProperty({ example: '2026-01', description: 'YYYY-MM for budget rules, YYYY-MM-DD for anomalies' })
  period: string;

  @ApiProperty({ type: Number, nullable: true, example: 80, description: 'The threshold reached (budget rules)' })
  threshold_pct: number | null;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Anomalies: the provider' })
  provider: string | null;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Anomalies: the GPU type' })
  gpu_type: string | null;

  @ApiProperty({ example: 8123.45, description: 'Spend, forecast or the anomalous day’s cost, USD' })
  value_usd: number;

  @ApiProperty({ type: Number, nullable: true, example: 10000, description: 'The monthly budget (budget rules)' })
  budget_usd: number | null;

  @ApiProperty({ type: Number, nullable: true, example: null, description: 'What the baseline expected (anomalies)' })
  expected_usd: number | null;

  @ApiProperty({
    example:
      'ml-research has spent $8,123.45 of its $10,000.00 budget for 2026-01 (81.2 %), reaching the 80 % threshold of rule "Team budgets".',
  })
  message: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-20T10:00:03.000Z' })
  fired_at: string;
}

export class EventsPage extends PageMeta {
  @ApiProperty({ type: [EventResponse] })
  events: EventResponse[];

  @ApiProperty({ example: 3, description: 'Events the caller may see' })
  total: number;
}

export class ListDeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: DeliveryStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'event_id must be a UUID' })
  event_id?: string;
}

export class DeliveryResponse {
  @ApiProperty({ format: 'uuid', example: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f' })
  id: string;

  @ApiProperty({ format: 'uuid', example: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' })
  event_id: string;

  @ApiProperty({ format: 'uuid', example: '0b6f7c52-3c1e-4a8e-9a55-2b7f1f1f6f21' })
  channel_id: string;

  @ApiProperty({ example: 'finops-webhook' })
  channel_name: string;

  @ApiProperty({
    enum: DELIVERY_STATUSES,
    example: 'pending',
    description:
      'pending: not yet acknowledged (a retry is due at next_attempt_at); delivered: a 2xx came back; dead: every attempt failed',
  })
  status: DeliveryStatus;

  @ApiProperty({ example: 2, description: 'Attempts started' })
  attempts: number;

  @ApiProperty({ type: String, nullable: true, example: 'HTTP 503' })
  last_error: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-01-20T10:00:33.000Z' })
  next_attempt_at: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  delivered_at: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-01-20T10:00:03.000Z' })
  created_at: string;
}

export class DeliveriesPage extends PageMeta {
  @ApiProperty({ type: [DeliveryResponse] })
  deliveries: DeliveryResponse[];

  @ApiProperty({ example: 1 })
  total: number;
}
