import { Module } from '@nestjs/common';
import { DemoDataSeeder } from './demo-data.seeder';
import { IngestionModule } from './ingestion.module';

/** The demo seeding on boot; only the HTTP app imports it (not the CLI, which ingests what it is given). */
@Module({
  imports: [IngestionModule],
  providers: [DemoDataSeeder],
})
export class DemoDataModule {}
