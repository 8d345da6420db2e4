import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageMeta, PageQuery } from '../../common/pagination';
import { trimmed } from '../../common/query-transforms';
import { MAX_NAME_LENGTH } from '../../common/text-limits';
import { CHANNEL_KINDS, ChannelKind } from '../alerts.entities';

export class CreateChannelDto {
  @ApiProperty({ example: 'finops-webhook', maxLength: MAX_NAME_LENGTH })
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_NAME_LENGTH)
  name: string;

  @ApiProperty({
    enum: CHANNEL_KINDS,
    example: 'webhook',
    description: 'webhook: signed JSON of the event; slack: a Slack incoming webhook ({text})',
  })
  @IsIn(CHANNEL_KINDS, { message: `kind must be one of ${CHANNEL_KINDS.join(', ')}` })
  kind: ChannelKind;

  @ApiProperty({
    example: 'https://alerts.example.com/heliox',
    maxLength: 2048,
    description:
      'http(s) URL. Loopback and private networks are allowed; link-local and cloud metadata addresses ' +
      'are refused, also when the name resolves to one (checked again at every delivery).',
  })
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty()
  @MaxLength(2048)
  url: string;

  @ApiPropertyOptional({
    minLength: 16,
    maxLength: 500,
    example: 'whsec_4f9c2d1e8a7b6c5d',
    description:
      'Signs every delivery: X-Heliox-Signature is sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">. Never returned.',
  })
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'secret must be at least 16 characters' })
  @MaxLength(500)
  secret?: string;
}

export class ChannelResponse {
  @ApiProperty({ format: 'uuid', example: '0b6f7c52-3c1e-4a8e-9a55-2b7f1f1f6f21' })
  id: string;

  @ApiProperty({ example: 'finops-webhook' })
  name: string;

  @ApiProperty({ enum: CHANNEL_KINDS, example: 'webhook' })
  kind: ChannelKind;

  @ApiProperty({ example: 'https://alerts.example.com/heliox' })
  url: string;

  @ApiProperty({ example: true, description: 'Whether deliveries are signed (the secret itself is never shown)' })
  has_secret: boolean;

  @ApiProperty({ format: 'date-time', example: '2026-01-02T09:00:00.000Z' })
  created_at: string;
}

export class ChannelsPage extends PageMeta {
  @ApiProperty({ type: [ChannelResponse] })
  channels: ChannelResponse[];

  @ApiProperty({ example: 1 })
  total: number;
}

export class ListChannelsQuery extends PageQuery {}
