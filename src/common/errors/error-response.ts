import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetail {
  @ApiProperty({
    type: String,
    example: 'limit',
    nullable: true,
    description: 'The field, parameter or record the problem is about',
  })
  field: string | null;

  @ApiProperty({ example: 'limit must not be greater than 100' })
  message: string;
}

/** The one shape of every error Heliox returns. */
export class ErrorResponse {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ example: 'Bad Request' })
  error: string;

  @ApiProperty({ example: 'limit must not be greater than 100' })
  message: string;

  @ApiPropertyOptional({ type: [ErrorDetail], description: 'Every problem found, by field (400s)' })
  details?: unknown;

  @ApiProperty({ example: '0b5c0f9e-1c7a-4a43-9f3b-9d2f0f5a8e21' })
  request_id: string;
}
