import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly, Authenticated } from '../auth/access.decorators';
import { CurrentUser, UserPrincipal } from '../auth/principal';
import { ErrorResponse } from '../common/errors/error-response';
import { CreateTeamDto, ListTeamsQuery, TeamResponse, TeamsPage, UpdateTeamDto } from './dto/team.dto';
import { TeamsService } from './teams.service';

@ApiTags('teams')
@Controller('teams')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'Teams with their budgets, by name; a member sees its own team only' })
  @ApiOkResponse({ type: TeamsPage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  list(@CurrentUser() user: UserPrincipal, @Query() query: ListTeamsQuery): Promise<TeamsPage> {
    return this.teams.list(user, query.skip, query.limit);
  }

  @Get(':id')
  @Authenticated()
  @ApiOperation({ summary: 'One team' })
  @ApiOkResponse({ type: TeamResponse })
  @ApiNotFoundResponse({
    description: 'No such team (or not a uuid), or not visible to the caller',
    type: ErrorResponse,
  })
  get(@CurrentUser() user: UserPrincipal, @Param('id') id: string): Promise<TeamResponse> {
    return this.teams.getVisible(user, id);
  }

  @Post()
  @AdminOnly()
  @ApiOperation({ summary: 'Create a team' })
  @ApiCreatedResponse({ type: TeamResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiConflictResponse({ description: 'The name is taken', type: ErrorResponse })
  create(@Body() body: CreateTeamDto): Promise<TeamResponse> {
    return this.teams.create(body);
  }

  @Patch(':id')
  @AdminOnly()
  @ApiOperation({ summary: 'Change a team: name, description, budget' })
  @ApiOkResponse({ type: TeamResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ description: 'The new name is taken', type: ErrorResponse })
  update(@Param('id') id: string, @Body() body: UpdateTeamDto): Promise<TeamResponse> {
    return this.teams.update(id, body);
  }
}
