import { Controller, Get, Header, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/access.decorators';
import { ErrorResponse } from '../common/errors/error-response';
import { MetricsService } from './metrics.service';

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
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness and database readiness' })
  @ApiServiceUnavailableResponse({ description: 'The database does not answer', type: ErrorResponse })
  check() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 2_000 })]).catch((error) => {
      // Terminus throws its own 503; re-raise it in the common error shape.
      const details = (error as { response?: unknown }).response;
      throw new ServiceUnavailableException({ message: 'The database does not answer', details });
    });
  }

  @Get('metrics')
  @Public()
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)' })
  @ApiOkResponse({ description: 'Prometheus text format', content: { 'text/plain': {} } })
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
