import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';

// Query strings carry text: "true"/"1" and "false"/"0" become booleans; anything else fails @IsBoolean.
const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;

export class IngestQuery {
  @ApiPropertyOptional({ default: false, description: 'Validate and report what would happen, writing nothing' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  dry_run?: boolean;

  @ApiPropertyOptional({
    default: false,
    description: 'Write nothing if any record is invalid (400 with every record error)',
  })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  atomic?: boolean;
}
