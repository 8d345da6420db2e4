import { Body, Controller, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorResponse } from '../../common/errors/error-response';
import { ApiKeyAuth } from '../access.decorators';
import { CreateUserDto } from './dto/create-user.dto';
import { UserResponse } from './dto/user.response';
import { UsersService } from './users.service';

@ApiTags('admin')
@Controller('admin/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiKeyAuth()
  @ApiOperation({ summary: 'Create a user: an admin, or a member of a team' })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiConflictResponse({ description: 'The e-mail is taken', type: ErrorResponse })
  create(@Body() body: CreateUserDto): Promise<UserResponse> {
    return this.users.create({
      email: body.email,
      password: body.password,
      role: body.role,
      teamId: body.team_id ?? null,
    });
  }
}
