import { ApiProperty } from '@nestjs/swagger';
import { USER_ROLES, UserRole } from '../user.entity';

export class UserTeam {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;
}

export class UserResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  email: string;

  @ApiProperty({ enum: USER_ROLES })
  role: UserRole;

  @ApiProperty({ type: UserTeam, nullable: true, description: "The member's team; null for admins" })
  team: UserTeam | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;
}
