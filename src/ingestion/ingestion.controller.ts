import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { AdminOrApiKeyAuth, ApiKeyAuth } from '../auth/access.decorators';
import { ErrorResponse } from '../common/errors/error-response';
import { IngestQuery } from './dto/ingest.query';
import { CostsPayloadDto, JobsPayloadDto } from './dto/ingest-payload.dto';
import { IngestionAnswerDto, IngestionRunDto, IngestionRunListDto } from './dto/ingestion-answer.dto';
import { ListIngestionsQuery } from './dto/list-ingestions.query';
import { ingestInputOf } from './ingest-input';
import { IngestionAnswer } from './ingestion-outcome';
import { IngestionRunsService, RunView } from './ingestion-runs.service';
import { IngestionService } from './ingestion.service';

const STREAM_NOTE =
  'JSON, NDJSON (application/x-ndjson, one record a line, streamed) or CSV (text/csv, header row of the field names, streamed). ' +
  'Valid records are written even when others are bad (unless atomic); bad ones are reported by index and field. ' +
  '200 with status success or partial; 400 when no record could be ingested; 413 past the byte or record limit of a stream, ' +
  'or at a CSV row over 1 MiB (the batches before it stay written); 415 for another Content-Type or a charset other than UTF-8.';

const ADMIN = 'admin';
const INGEST_JOBS = 'ingest/jobs';
const INGEST_COSTS = 'ingest/costs';
/** The routes (under the API prefix) that take large JSON bodies: the body parsers give them BODY_LIMIT. */
export const INGEST_JSON_ROUTES = [`${ADMIN}/${INGEST_JOBS}`, `${ADMIN}/${INGEST_COSTS}`];

@ApiTags('admin: ingestion')
@ApiExtraModels(JobsPayloadDto, CostsPayloadDto)
@ApiBadRequestResponse({
  description: 'Invalid payload or query, with the records and fields named',
  type: ErrorResponse,
})
@ApiConflictResponse({
  description:
    'A record would change an archived day (a snapshot of it, or a job’s usage on it): details name the field ' +
    '(entry_date, or the job_id and its field); the batch holding it is not written',
  type: ErrorResponse,
})
@Controller(ADMIN)
export class IngestionController {
  constructor(
    private readonly ingestion: IngestionService,
    private readonly runs: IngestionRunsService,
  ) {}

  @ApiKeyAuth()
  @Post('ingest/jobs/mock')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ingest the demo jobs (data/mock_jobs.json: 3 teams, 30 jobs, 2026-01-01..14)' })
  @ApiOkResponse({ type: IngestionAnswerDto })
  ingestMockJobs(@Query() query: IngestQuery): Promise<IngestionAnswer> {
    return this.ingestion.ingestDemoFile('jobs', 'mock', { dryRun: query.dry_run, atomic: query.atomic });
  }

  @ApiKeyAuth()
  @Post('ingest/costs/mock')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ingest the demo cost snapshots (data/mock_cost_snapshots.json)' })
  @ApiOkResponse({ type: IngestionAnswerDto })
  ingestMockCosts(@Query() query: IngestQuery): Promise<IngestionAnswer> {
    return this.ingestion.ingestDemoFile('costs', 'mock', { dryRun: query.dry_run, atomic: query.atomic });
  }

  @ApiKeyAuth()
  @Post(INGEST_JOBS)
  @HttpCode(200)
  @ApiOperation({ summary: 'Ingest teams and jobs (upsert by job_id)', description: STREAM_NOTE })
  @ApiConsumes('application/json', 'application/x-ndjson', 'text/csv')
  @ApiBody({ schema: { $ref: getSchemaPath(JobsPayloadDto) } })
  @ApiOkResponse({ type: IngestionAnswerDto })
  ingestJobs(@Req() req: Request, @Query() query: IngestQuery): Promise<IngestionAnswer> {
    const input = ingestInputOf(req);
    return this.ingestion.ingest({
      kind: 'jobs',
      source: `http:${input.format}`,
      input,
      dryRun: query.dry_run,
      atomic: query.atomic,
    });
  }

  @ApiKeyAuth()
  @Post(INGEST_COSTS)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ingest daily cost snapshots (upsert by entry_date, provider, gpu_type)',
    description: STREAM_NOTE,
  })
  @ApiConsumes('application/json', 'application/x-ndjson', 'text/csv')
  @ApiBody({ schema: { $ref: getSchemaPath(CostsPayloadDto) } })
  @ApiOkResponse({ type: IngestionAnswerDto })
  ingestCosts(@Req() req: Request, @Query() query: IngestQuery): Promise<IngestionAnswer> {
    const input = ingestInputOf(req);
    return this.ingestion.ingest({
      kind: 'costs',
      source: `http:${input.format}`,
      input,
      dryRun: query.dry_run,
      atomic: query.atomic,
    });
  }

  @Get('ingestions')
  @AdminOrApiKeyAuth()
  @ApiOperation({ summary: "Ingestion runs, newest first (X-API-Key, or an admin's bearer token)" })
  @ApiOkResponse({ type: IngestionRunListDto })
  list(@Query() query: ListIngestionsQuery) {
    return this.runs.list(query);
  }

  @Get('ingestions/:id')
  @AdminOrApiKeyAuth()
  @ApiOperation({ summary: 'One ingestion run with its counts and first record errors' })
  @ApiOkResponse({ type: IngestionRunDto })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<RunView> {
    return this.runs.get(id);
  }
}
