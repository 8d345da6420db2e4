import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly, Authenticated } from '../auth/access.decorators';
import { CurrentUser, UserPrincipal } from '../auth/principal';
import { badRequest } from '../common/errors/domain-error';
import { ErrorResponse } from '../common/errors/error-response';
import { AlertActivityService } from './alert-activity.service';
import { ChannelsService } from './channels.service';
import { DeliveriesPage, EventsPage, ListDeliveriesQuery, ListEventsQuery } from './dto/activity.dto';
import { ChannelResponse, ChannelsPage, CreateChannelDto, ListChannelsQuery } from './dto/channel.dto';
import { CreateRuleDto, ListRulesQuery, RuleResponse, RulesPage, UpdateRuleDto } from './dto/rule.dto';
import { RulesService } from './rules.service';

/** `:id` must be a uuid: anything else is a malformed request, not a missing row. */
const Id = () => Param('id', new ParseUUIDPipe({ exceptionFactory: () => badRequest('id must be a UUID', 'id') }));

@ApiTags('alerts')
@Controller('alerts/channels')
export class AlertChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Post()
  @AdminOnly()
  @ApiOperation({ summary: 'Create a channel: a signed webhook or a Slack incoming webhook' })
  @ApiCreatedResponse({ type: ChannelResponse })
  @ApiBadRequestResponse({
    description: 'Bad body, or a URL that is not http(s) or points at a link-local or metadata address',
    type: ErrorResponse,
  })
  create(@Body() body: CreateChannelDto): Promise<ChannelResponse> {
    return this.channels.create(body);
  }

  @Get()
  @AdminOnly()
  @ApiOperation({ summary: 'Channels, oldest first (secrets never shown)' })
  @ApiOkResponse({ type: ChannelsPage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  list(@Query() query: ListChannelsQuery): Promise<ChannelsPage> {
    return this.channels.list(query.skip, query.limit);
  }

  @Delete(':id')
  @AdminOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a channel no rule sends to' })
  @ApiNoContentResponse({ description: 'Deleted, with its deliveries' })
  @ApiBadRequestResponse({ description: 'The id is not a uuid', type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ description: 'A rule still sends to it', type: ErrorResponse })
  remove(@Id() id: string): Promise<void> {
    return this.channels.remove(id);
  }
}

@ApiTags('alerts')
@Controller('alerts/rules')
export class AlertRulesController {
  constructor(private readonly rules: RulesService) {}

  @Post()
  @AdminOnly()
  @ApiOperation({ summary: 'Create a rule: budget_actual, budget_forecast or anomaly, for a team or every team' })
  @ApiCreatedResponse({ type: RuleResponse })
  @ApiBadRequestResponse({ description: 'Bad body, or no such team or channel', type: ErrorResponse })
  create(@Body() body: CreateRuleDto): Promise<RuleResponse> {
    return this.rules.create(body);
  }

  @Get()
  @AdminOnly()
  @ApiOperation({ summary: 'Rules, oldest first' })
  @ApiOkResponse({ type: RulesPage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  list(@Query() query: ListRulesQuery): Promise<RulesPage> {
    return this.rules.list(query.skip, query.limit);
  }

  @Get(':id')
  @AdminOnly()
  @ApiOperation({ summary: 'One rule' })
  @ApiOkResponse({ type: RuleResponse })
  @ApiBadRequestResponse({ description: 'The id is not a uuid', type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@Id() id: string): Promise<RuleResponse> {
    return this.rules.get(id);
  }

  @Patch(':id')
  @AdminOnly()
  @ApiOperation({ summary: 'Change a rule: name, thresholds, team, channel, enabled (not its kind)' })
  @ApiOkResponse({ type: RuleResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  update(@Id() id: string, @Body() body: UpdateRuleDto): Promise<RuleResponse> {
    return this.rules.update(id, body);
  }

  @Delete(':id')
  @AdminOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a rule, its events and their deliveries' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiBadRequestResponse({ description: 'The id is not a uuid', type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  remove(@Id() id: string): Promise<void> {
    return this.rules.remove(id);
  }
}

@ApiTags('alerts')
@Controller('alerts')
export class AlertActivityController {
  constructor(private readonly activity: AlertActivityService) {}

  @Get('events')
  @Authenticated()
  @ApiOperation({ summary: 'Events that fired, newest first; a member sees its own team’s only' })
  @ApiOkResponse({ type: EventsPage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiForbiddenResponse({ description: "A member asked for another team's events", type: ErrorResponse })
  events(@CurrentUser() user: UserPrincipal, @Query() query: ListEventsQuery): Promise<EventsPage> {
    return this.activity.events(user, query);
  }

  @Get('deliveries')
  @AdminOnly()
  @ApiOperation({ summary: 'Deliveries of events to channels: pending, delivered or dead, newest first' })
  @ApiOkResponse({ type: DeliveriesPage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  deliveries(@Query() query: ListDeliveriesQuery): Promise<DeliveriesPage> {
    return this.activity.deliveries(query);
  }
}
