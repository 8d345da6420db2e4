import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { MAX_SKIP } from './input-limits';
import { toQueryInteger } from './query-transforms';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;

/** `skip`/`limit` paging shared by the list endpoints. */
export class PageQuery {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_SKIP,
    default: 0,
    description: `Rows to skip, at most ${MAX_SKIP} (GET /jobs pages further with cursor)`,
  })
  @Transform(toQueryInteger)
  @IsInt()
  @Min(0)
  @Max(MAX_SKIP, {
    message: `skip must not be greater than ${MAX_SKIP}; page further with cursor (GET /jobs) or narrow the filters`,
  })
  skip: number = 0;

  @RowLimit(MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, `Page size, at most ${MAX_PAGE_SIZE}`)
  limit: number = DEFAULT_PAGE_SIZE;
}

/**
 * The `limit` of a report's rows: an integer from 1 to `max` (a 400 naming `limit` otherwise);
 * the property's own initialiser gives `fallback` when it is absent.
 */
export function RowLimit(max: number, fallback: number, description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ minimum: 1, maximum: max, default: fallback, description }),
    Transform(toQueryInteger),
    IsInt({ message: 'limit must be an integer' }),
    Min(1),
    Max(max),
  );
}

/** The paging fields every list answer carries beside its rows and `total`. */
export class PageMeta {
  @ApiProperty({ example: 0, description: 'Rows skipped, as asked' })
  skip: number;

  @ApiProperty({ example: DEFAULT_PAGE_SIZE, description: 'Page size, as asked' })
  limit: number;

  @ApiProperty({ example: true, description: 'Whether rows follow this page' })
  has_more: boolean;
}
