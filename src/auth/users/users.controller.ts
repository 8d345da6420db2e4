import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { badRequest } from '../../common/errors/domain-error';
import { ErrorResponse } from '../../common/errors/error-response';
import { PageQuery } from '../../common/pagination';
import { ApiKeyAuth } from '../access.decorators';
import { CreateUserDto } from './dto/create-user.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { AdminUserResponse, UserResponse, UsersPage } from './dto/user.response';
import { UsersService } from './users.service';

/**
 * `:id` must be a uuid: anything else is a malformed request, not a missing user. Lower-cased, as
 * the database and the token cache spell it: evicting `ABC…` left the cached `abc…` answering
 * for a disabled or deleted user's tokens.
 */
const UserId = () =>
  Param('id', new ParseUUIDPipe({ exceptionFactory: () => badRequest('id must be a UUID', 'id') }), {
    transform: (id: string) => id.toLowerCase(),
  });

@ApiTags('admin')
@Controller('admin/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiKeyAuth()
  @ApiOperation({ summary: 'Users by e-mail, with their role, team and whether they are disabled' })
  @ApiOkResponse({ type: UsersPage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  list(@Query() page: PageQuery): Promise<UsersPage> {
    return this.users.list(page.skip, page.limit);
  }

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

  @Patch(':id')
  @ApiKeyAuth()
  @ApiOperation({
    summary: 'Change the role, team or disabled flag of a user',
    description: 'Any change refuses every token issued before it (within AUTH_USER_CACHE_SECONDS on other replicas).',
  })
  @ApiOkResponse({ type: AdminUserResponse })
  @ApiBadRequestResponse({ description: 'Bad id or body, or a member without a team', type: ErrorResponse })
  @ApiNotFoundResponse({ description: 'No user has this id', type: ErrorResponse })
  update(@UserId() id: string, @Body() body: UpdateUserDto): Promise<AdminUserResponse> {
    return this.users.update(id, { role: body.role, teamId: body.team_id, disabled: body.disabled });
  }

  @Delete(':id')
  @ApiKeyAuth()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user; its tokens stop working' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiBadRequestResponse({ description: 'The id is not a uuid', type: ErrorResponse })
  @ApiNotFoundResponse({ description: 'No user has this id', type: ErrorResponse })
  remove(@UserId() id: string): Promise<void> {
    return this.users.remove(id);
  }
}
