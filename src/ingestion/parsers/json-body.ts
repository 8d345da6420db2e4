import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { normaliseTeam, TeamDefinition } from '../records/team-definition';

/**
 * The JSON bodies: `{teams?, jobs}` and `{cost_snapshots}`. The envelope is checked here
 * (a wrong envelope is one 400); the records inside are checked one by one later, so one
 * bad record does not sink the others.
 */
export function readJobsBody(body: unknown): { teams: TeamDefinition[]; records: unknown[] } {
  const envelope = readEnvelope(body, 'jobs', ['teams', 'jobs']);
  const teamsValue = own(envelope, 'teams');
  const teams: TeamDefinition[] = [];
  if (teamsValue !== undefined && teamsValue !== null) {
    if (!Array.isArray(teamsValue)) throw invalid([{ field: 'teams', message: 'teams must be an array' }]);
    const problems: { field: string; message: string }[] = [];
    teamsValue.forEach((raw, i) => {
      const result = normaliseTeam(raw);
      if (result.ok) teams.push(result.team);
      else
        for (const issue of result.issues)
          problems.push({ field: `teams[${i}]${issue.field ? `.${issue.field}` : ''}`, message: issue.message });
    });
    if (problems.length) throw invalid(problems);
  }
  return { teams, records: own(envelope, 'jobs') as unknown[] };
}

export function readCostsBody(body: unknown): { records: unknown[] } {
  const envelope = readEnvelope(body, 'cost_snapshots', ['cost_snapshots']);
  return { records: own(envelope, 'cost_snapshots') as unknown[] };
}

function readEnvelope(body: unknown, listField: string, allowed: string[]): Record<string, unknown> {
  if (
    body === undefined ||
    body === null ||
    (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0)
  ) {
    throw invalid([{ field: 'body', message: `the body is empty; send {"${listField}": [...]}` }]);
  }
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw invalid([{ field: 'body', message: `the body must be a JSON object such as {"${listField}": [...]}` }]);
  }
  const problems = Object.keys(body)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({ field: key.slice(0, 200), message: `property ${key.slice(0, 200)} is not allowed` }));
  const list = own(body as Record<string, unknown>, listField);
  if (!Array.isArray(list)) problems.push({ field: listField, message: `${listField} must be an array` });
  if (problems.length) throw invalid(problems);
  return body as Record<string, unknown>;
}

function own(object: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

function invalid(details: { field: string; message: string }[]): DomainError {
  return new DomainError(HttpStatus.BAD_REQUEST, details.map((d) => d.message).join('; '), details);
}
