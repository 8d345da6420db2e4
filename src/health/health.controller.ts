import { Controller, Get, Header, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/access.decorators';
import { ErrorResponse } from '../common/errors/error-response';
import { WithoutDatabase } from '../common/openapi-document';
import { HealthResponse } from './health.response';
import { MetricsService } from './metrics.service';

const METRICS_EXAMPLE =
  '# HELP http_requests_total HTTP requests by method, route and status\n' +
  '# TYPE http_requests_total counter\n' +
  'http_requests_total{method="GET",route="/api/v1/jobs",status="200"} 42\n';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly metrics: MetricsService,
  ) {}

  @Get('health')
  @Public()
  // Documented here in the common error shape; terminus would describe its own 503 body, which we replace.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Liveness and database readiness' })
  @ApiOkResponse({ type: HealthResponse })
  @ApiServiceUnavailableResponse({ description: 'The database does not answer', type: ErrorResponse })
  async check(): Promise<HealthResponse> {
    const result = await this.health.check([() => this.db.pingCheck('database', { timeout: 2_000 })]).catch((error) => {
      // Terminus throws its own 503; re-raise it in the common error shape.
      const details = (error as { response?: unknown }).response;
      throw new ServiceUnavailableException({ message: 'The database does not answer', details });
    });
    // Terminus answers 503 unless every indicator is up, so a result that arrives is an `ok`.
    return result as HealthResponse;
  }

  @Get('metrics')
  @Public()
  @WithoutDatabase()
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Prometheus text exposition format, version 0.0.4',
    content: { 'text/plain': { schema: { type: 'string' }, example: METRICS_EXAMPLE } },
  })
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
