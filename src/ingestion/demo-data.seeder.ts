import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Env } from '../config/env';
import { shouldSeedDemoData } from './demo-data';
import { IngestionService } from './ingestion.service';

/**
 * `npm ci && npm start` shows data at once: on an empty embedded database, boot ingests the
 * two demo files through the ordinary ingestion service (SEED_DEMO_DATA=false turns it off).
 */
@Injectable()
export class DemoDataSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoDataSeeder.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ingestion: IngestionService,
    private readonly config: ConfigService<Env, true>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const settings = {
      SEED_DEMO_DATA: this.config.get('SEED_DEMO_DATA', { infer: true }),
      DATABASE_URL: this.config.get('DATABASE_URL', { infer: true }),
    };
    if (!settings.SEED_DEMO_DATA || settings.DATABASE_URL) return;
    const [{ jobs }] = await this.dataSource.query<{ jobs: number }[]>(
      `SELECT count(*)::int AS jobs FROM (SELECT 1 FROM jobs LIMIT 1) j`,
    );
    if (!shouldSeedDemoData(settings, jobs)) return;
    const jobsAnswer = await this.ingestion.ingestDemoFile('jobs', 'demo');
    const costsAnswer = await this.ingestion.ingestDemoFile('costs', 'demo');
    this.logger.log(`Demo data loaded. ${jobsAnswer.message} ${costsAnswer.message}`);
  }
}
