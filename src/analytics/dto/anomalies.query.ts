import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { DateRangeQuery } from '../../common/date-range.query';

/** The days to judge (the history before `start` is read too) and, optionally, one team. */
export class AnomaliesQuery extends DateRangeQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this team; members may only name their own' })
  @IsOptional()
  @IsUUID('all', { message: 'team_id must be a UUID' })
  team_id?: string;
}
