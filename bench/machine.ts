import os from 'node:os';
import { DatabaseHost } from './database-host';
import { MachineDescription } from './report';

export async function describeMachine(host: DatabaseHost): Promise<MachineDescription> {
  const cpus = os.cpus();
  return {
    cpus: `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown'}`,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    postgres: await host.version(),
    database: host.description,
  };
}
