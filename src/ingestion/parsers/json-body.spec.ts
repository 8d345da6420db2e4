import { readCostsBody, readJobsBody } from './json-body';

describe('readJobsBody', () => {
  it('returns the teams and the raw job records', () => {
    const body = { teams: [{ name: ' ml ', budget_usd: '100.5' }], jobs: [{ job_id: 'x' }] };
    expect(readJobsBody(body)).toEqual({
      teams: [{ name: 'ml', description: null, budget_usd: 100.5 }],
      records: [{ job_id: 'x' }],
    });
  });

  it.each([undefined, {}, null])('refuses an empty body (%p)', (body) => {
    expect(() => readJobsBody(body)).toThrow(/empty/);
  });

  it('refuses a body without a jobs array, naming jobs', () => {
    expect(() => readJobsBody({ jobs: 'many' })).toThrow(
      expect.objectContaining({
        response: expect.objectContaining({ details: [{ field: 'jobs', message: 'jobs must be an array' }] }),
      }),
    );
  });

  it('refuses unknown top-level fields, __proto__ included', () => {
    expect(() => readJobsBody(JSON.parse('{"jobs":[],"__proto__":{"x":1}}'))).toThrow(/__proto__ is not allowed/);
  });

  it('names a bad team by its position and field', () => {
    expect(() => readJobsBody({ teams: [{ name: 'a' }, { name: 'b', budget_usd: -1 }], jobs: [] })).toThrow(
      expect.objectContaining({
        response: expect.objectContaining({
          details: [{ field: 'teams[1].budget_usd', message: 'budget_usd must be at least 0' }],
        }),
      }),
    );
  });

  it('refuses a NUL in a team name or description, naming the team and field', () => {
    expect(() =>
      readJobsBody({ teams: [{ name: 'a\u0000' }, { name: 'b', description: 'x\u0000' }], jobs: [] }),
    ).toThrow(
      expect.objectContaining({
        response: expect.objectContaining({
          details: [
            { field: 'teams[0].name', message: 'name must not contain the NUL character (\\u0000)' },
            { field: 'teams[1].description', message: 'description must not contain the NUL character (\\u0000)' },
          ],
        }),
      }),
    );
  });
});

describe('readCostsBody', () => {
  it('returns the raw snapshot records', () => {
    expect(readCostsBody({ cost_snapshots: [{ a: 1 }] })).toEqual({ records: [{ a: 1 }] });
  });

  it('refuses a jobs body sent to the costs door', () => {
    expect(() => readCostsBody({ jobs: [] })).toThrow(/jobs is not allowed/);
  });
});
