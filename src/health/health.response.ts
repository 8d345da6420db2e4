import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';

const UP = { database: { status: 'up' } };

/** Terminus reports indicators by name, each with its status and whatever else it measured. */
const indicators = (description: string, example: object): ApiPropertyOptions => ({
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    required: ['status'],
  },
  example,
  description,
});

/** The answer of a passing health check (terminus's shape): every indicator is up. */
export class HealthResponse {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status: 'ok';

  @ApiProperty(indicators('The indicators that are up', UP))
  info: Record<string, { status: string }>;

  @ApiProperty(indicators('The indicators that are down: none when healthy', {}))
  error: Record<string, { status: string }>;

  @ApiProperty(indicators('Every indicator', UP))
  details: Record<string, { status: string }>;
}
