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
import { AdminOnly } from '../auth/access.decorators';
import { badRequest } from '../common/errors/domain-error';
import { ErrorResponse } from '../common/errors/error-response';
import { CapacityService } from './capacity.service';
import {
  CapacityPage,
  CapacityResponse,
  CreateCapacityDto,
  ListCapacityQuery,
  UpdateCapacityDto,
} from './dto/capacity.dto';

/** `:id` must be a uuid: anything else is a malformed request, not a missing row. */
const Id = () => Param('id', new ParseUUIDPipe({ exceptionFactory: () => badRequest('id must be a UUID', 'id') }));

const OVERLAP =
  'The period overlaps another of the same provider and GPU type (named in the message), or the change would ' +
  're-price an archived day (details name `from`)';

@ApiTags('capacity')
@AdminOnly()
@ApiBadRequestResponse({ description: 'A field is invalid (named in details)', type: ErrorResponse })
@Controller('capacity')
export class CapacityController {
  constructor(private readonly capacity: CapacityService) {}

  @Post()
  @ApiOperation({
    summary: 'Declare GPUs reserved on a provider for a GPU type over a period; its cells are re-priced at once',
  })
  @ApiCreatedResponse({ type: CapacityResponse })
  @ApiConflictResponse({ description: OVERLAP, type: ErrorResponse })
  create(@Body() body: CreateCapacityDto): Promise<CapacityResponse> {
    return this.capacity.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'Declared capacity by provider, GPU type and first day' })
  @ApiOkResponse({ type: CapacityPage })
  list(@Query() query: ListCapacityQuery): Promise<CapacityPage> {
    return this.capacity.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One declared capacity' })
  @ApiOkResponse({ type: CapacityResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@Id() id: string): Promise<CapacityResponse> {
    return this.capacity.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a capacity; the cells of its old and new period are re-priced at once' })
  @ApiOkResponse({ type: CapacityResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ description: OVERLAP, type: ErrorResponse })
  update(@Id() id: string, @Body() body: UpdateCapacityDto): Promise<CapacityResponse> {
    return this.capacity.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a capacity; its cells go back to the snapshot split by GPU-hours' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({
    description: 'The removal would re-price an archived day (details name `from`)',
    type: ErrorResponse,
  })
  remove(@Id() id: string): Promise<void> {
    return this.capacity.remove(id);
  }
}
