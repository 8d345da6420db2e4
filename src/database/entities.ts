import { ALERT_ENTITIES } from '../alerts/alerts.entities';
import { ALLOCATION_ENTITIES } from '../allocation/allocation.entities';
import { CostSnapshot } from '../analytics/snapshots/cost-snapshot.entity';
import { User } from '../auth/users/user.entity';
import { Capacity } from '../capacity/capacity.entity';
import { IngestionRun } from '../ingestion/ingestion-run.entity';
import { Job } from '../jobs/job.entity';
import { Team } from '../teams/team.entity';

/** Every entity, for the app's data source and the migration CLI alike. */
export const ENTITIES = [
  Team,
  Job,
  CostSnapshot,
  IngestionRun,
  User,
  ...ALLOCATION_ENTITIES,
  ...ALERT_ENTITIES,
  Capacity,
];
