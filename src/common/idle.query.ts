import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import { lowerCased } from './query-transforms';

export const IDLE_MODES = ['separate', 'share', 'owner'] as const;
/** What a report does with idle cost (docs/allocation.md, "Idle"). */
export type IdleMode = (typeof IDLE_MODES)[number];

/** `idle=separate|share|owner`: left out, a report answers as it did before capacity existed. */
export class IdleQuery {
  @ApiPropertyOptional({
    enum: IDLE_MODES,
    description:
      'separate: idle cost stays its own total; share: each cell’s idle is spread over the groups that used it, ' +
      'by their cost there; owner: charged to the team that owns the capacity (groupings with team only). ' +
      'Given, rows carry allocated_usd, idle_usd and cost_usd (their sum). Left out: separate, without those fields.',
  })
  @IsOptional()
  @Transform(lowerCased)
  @IsIn(IDLE_MODES, { message: `idle must be one of ${IDLE_MODES.join(', ')}` })
  idle?: IdleMode;
}
