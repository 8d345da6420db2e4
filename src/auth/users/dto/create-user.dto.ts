import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { lowerCaseUuid } from '../../../common/query-transforms';
import { PASSWORD_MAX_BYTES } from '../password-hasher';
import { USER_ROLES, UserRole } from '../user.entity';

export class CreateUserDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(320)
  email: string;

  @ApiProperty({ minLength: 8, maxLength: PASSWORD_MAX_BYTES, format: 'password' })
  @IsString()
  @MinLength(8)
  @MaxLength(PASSWORD_MAX_BYTES)
  password: string;

  @ApiProperty({ enum: USER_ROLES })
  @IsIn(USER_ROLES)
  role: UserRole;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required for a member, absent for an admin' })
  @IsOptional()
  @IsUUID('all')
  @Transform(lowerCaseUuid)
  team_id?: string;
}
