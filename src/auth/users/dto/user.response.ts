import { ApiProperty } from '@nestjs/swagger';
import { PageMeta } from '../../../common/pagination';
import { USER_ROLES, UserRole } from '../user.entity';

export class UserTeam {
  @ApiProperty({ format: 'uuid', example: '3f0a8d2e-5b7c-4e1a-9d6f-2c8b7a1e4f50' })
  id: string;

  @ApiProperty({ example: 'nlp' })
  name: string;
}

export class UserResponse {
  @ApiProperty({ format: 'uuid', example: '9b2d7c4e-1f3a-4b6d-8e0c-5a7f9d1b3c2e' })
  id: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty({ enum: USER_ROLES, example: 'member' })
  role: UserRole;

  @ApiProperty({ type: UserTeam, nullable: true, description: "The member's team; null for admins" })
  team: UserTeam | null;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T09:00:00.000Z' })
  created_at: string;
}

/** A user as the user admin API shows it: also whether it is disabled. */
export class AdminUserResponse extends UserResponse {
  @ApiProperty({ example: false, description: 'A disabled user cannot log in and its tokens are refused' })
  disabled: boolean;

  @ApiProperty({ format: 'date-time', example: '2026-01-02T09:00:00.000Z' })
  updated_at: string;
}

export class UsersPage extends PageMeta {
  @ApiProperty({ type: [AdminUserResponse] })
  users: AdminUserResponse[];

  @ApiProperty({ example: 12 })
  total: number;
}
