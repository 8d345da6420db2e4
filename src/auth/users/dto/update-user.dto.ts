import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsUUID, ValidateIf } from 'class-validator';
import { lowerCaseUuid } from '../../../common/query-transforms';
import { USER_ROLES, UserRole } from '../user.entity';

/**
 * Fields left out stay as they are. The result must still follow the rule of POST: a member
 * has a team, an admin has none (so promoting a member sends `team_id: null` with the role).
 */
export class UpdateUserDto {
  @ApiPropertyOptional({ enum: USER_ROLES, example: 'member' })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    example: '3f0a8d2e-5b7c-4e1a-9d6f-2c8b7a1e4f50',
    description: "The member's team; null for an admin",
  })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsUUID('all')
  @Transform(lowerCaseUuid)
  team_id?: string | null;

  @ApiPropertyOptional({ example: true, description: 'A disabled user cannot log in and its tokens are refused' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}
