import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/**
 * OAuth2 password-grant shape, so that form clients (and Swagger's "Authorize" dialog) work
 * as they are; the optional OAuth2 fields are accepted and ignored.
 */
export class LoginDto {
  @ApiProperty({ example: 'admin@heliox.ai', description: 'The e-mail address' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  username: string;

  @ApiProperty({ example: 'admin123', format: 'password' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password: string;

  @ApiPropertyOptional({ enum: ['password'] })
  @IsOptional()
  @IsIn(['password'])
  grant_type?: string;

  @ApiPropertyOptional({ maxLength: 1024 })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  scope?: string;

  @ApiPropertyOptional({ maxLength: 1024 })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  client_id?: string;

  @ApiPropertyOptional({ maxLength: 1024 })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  client_secret?: string;
}

export class TokenResponse {
  @ApiProperty()
  access_token: string;

  @ApiProperty({ enum: ['bearer'] })
  token_type: 'bearer';

  @ApiProperty({ description: 'Seconds until the token expires', example: 3600 })
  expires_in: number;
}
