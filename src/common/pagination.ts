import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/**
 * Query strings arrive as text: "12" becomes 12, while "abc", "1.5", "" or a repeated parameter
 * stay as they are and fail @IsInt with the parameter named.
 */
export const toQueryInteger = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\s*-?\d{1,15}\s*$/.test(value) ? Number(value) : value;

/** Trims text parameters; non-strings (a repeated parameter) pass through to fail validation. */
export const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** `skip`/`limit` paging shared by the list endpoints. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'Rows to skip' })
  @Transform(toQueryInteger)
  @IsInt()
  @Min(0)
  skip: number = 0;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @Transform(toQueryInteger)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;
}

/** The paging fields every list answer carries beside its rows and `total`. */
export class PageMeta {
  @ApiProperty()
  skip: number;

  @ApiProperty()
  limit: number;

  @ApiProperty({ description: 'Whether rows follow this page' })
  has_more: boolean;
}
