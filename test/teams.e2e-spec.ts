import { expectErrorShape, UUID } from './support/expectations';
import { adminAuth, createTeam, memberAuth, TeamRow } from './support/factories';
import { whileRowLocked } from './support/row-locks';
import { createTestApp, TestApp } from './support/test-app';

describe('Teams API', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = (await adminAuth(t)).header;
  });
  afterAll(() => t.close());

  const get = (path: string, auth = admin) => t.http.get(`/api/v1/teams${path}`).set('Authorization', auth);
  const post = (body: object, auth = admin) => t.http.post('/api/v1/teams').set('Authorization', auth).send(body);
  const patch = (id: string, body: object, auth = admin) =>
    t.http.patch(`/api/v1/teams/${id}`).set('Authorization', auth).send(body);

  describe('reading', () => {
    it('lists teams by name with budgets, paginated', async () => {
      await createTeam(t.db, { name: 'aaa-first', budget_usd: 1234.5 });
      await createTeam(t.db, { name: 'aaa-second', budget_usd: null });
      const res = await get('').query({ limit: 2 }).expect(200);
      expect(res.body).toMatchObject({ skip: 0, limit: 2, has_more: expect.any(Boolean), total: expect.any(Number) });
      expect(res.body.teams).toEqual([
        {
          id: expect.stringMatching(UUID),
          name: 'aaa-first',
          description: null,
          budget_usd: 1234.5,
          created_at: expect.any(String),
          updated_at: expect.any(String),
        },
        expect.objectContaining({ name: 'aaa-second', budget_usd: null }),
      ]);
    });

    it('answers an empty last page with has_more false', async () => {
      const all = await get('').expect(200);
      const res = await get('').query({ skip: all.body.total }).expect(200);
      expect(res.body).toMatchObject({ teams: [], total: all.body.total, has_more: false });
    });

    it('gets one team by uuid', async () => {
      const team = await createTeam(t.db, { name: 'one-team', budget_usd: 10 });
      const res = await get(`/${team.id}`).expect(200);
      expect(res.body).toMatchObject({ id: team.id, name: 'one-team', budget_usd: 10 });
    });

    it.each([['not-a-uuid'], ['00000000-0000-4000-8000-000000000000']])('answers 404 (not 500) for %s', async (id) => {
      const res = await get(`/${id}`).expect(404);
      expectErrorShape(res.body, 404);
    });

    it.each([
      ['skip', { skip: '-1' }],
      ['limit', { limit: '101' }],
      ['name', { name: 'x' }],
    ])('answers 400 naming %s', async (field, query) => {
      const res = await get('').query(query).expect(400);
      expectErrorShape(res.body, 400);
      expect(res.body.details).toEqual([expect.objectContaining({ field })]);
    });
  });

  describe('member scoping', () => {
    let a: TeamRow;
    let b: TeamRow;
    let member: string;
    beforeAll(async () => {
      a = await createTeam(t.db);
      b = await createTeam(t.db);
      member = (await memberAuth(t, a.id)).header;
    });

    it('lists only the member team, with a total of 1', async () => {
      const res = await get('', member).expect(200);
      expect(res.body).toMatchObject({ total: 1, has_more: false });
      expect(res.body.teams.map((x: { id: string }) => x.id)).toEqual([a.id]);
    });

    it("answers 404 for another team's id, and 200 for its own", async () => {
      expectErrorShape((await get(`/${b.id}`, member).expect(404)).body, 404);
      await get(`/${a.id}`, member).expect(200);
    });

    it('refuses team writes to a member with 403', async () => {
      expectErrorShape((await post({ name: 'by-member' }, member).expect(403)).body, 403);
      expectErrorShape((await patch(a.id, { budget_usd: 1 }, member).expect(403)).body, 403);
    });
  });

  describe('writing (admin)', () => {
    it('creates a team (name trimmed) and answers 201', async () => {
      const res = await post({ name: '  robotics ', description: 'Arms', budget_usd: 2500.75 }).expect(201);
      expect(res.body).toMatchObject({
        id: expect.stringMatching(UUID),
        name: 'robotics',
        description: 'Arms',
        budget_usd: 2500.75,
      });
      await get(`/${res.body.id}`).expect(200);
    });

    it('answers 409 naming name for a taken name', async () => {
      await post({ name: 'taken' }).expect(201);
      const res = await post({ name: 'taken' }).expect(409);
      expectErrorShape(res.body, 409);
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'name' })]);
    });

    it.each([
      ['budget_usd', { name: 'neg', budget_usd: -1 }],
      ['budget_usd', { name: 'frac', budget_usd: 1.234 }],
      ['budget_usd', { name: 'text', budget_usd: '100' }],
      ['name', { name: '   ' }],
      ['name', { budget_usd: 5 }],
      ['owner', { name: 'extra', owner: 'x' }],
    ])('answers 400 naming %s for %j', async (field, body) => {
      const res = await post(body).expect(400);
      expectErrorShape(res.body, 400);
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it.each([
      [{}, 'name is required'],
      [{ name: 123 }, 'name must be a string'],
      [{ name: 'x'.repeat(201) }, 'name must be shorter than or equal to 200 characters'],
    ])('tells a client what to fix in %j: %s', async (body, message) => {
      const res = await post(body).expect(400);
      expect(res.body).toMatchObject({ message, details: [{ field: 'name', message }] });
    });

    it('changes only the fields given, and clears the budget with null', async () => {
      const team = await createTeam(t.db, { name: 'patch-me', description: 'keep', budget_usd: 100 });
      const res = await patch(team.id, { budget_usd: 250 }).expect(200);
      expect(res.body).toMatchObject({ name: 'patch-me', description: 'keep', budget_usd: 250 });
      const cleared = await patch(team.id, { budget_usd: null, name: 'patched' }).expect(200);
      expect(cleared.body).toMatchObject({ name: 'patched', description: 'keep', budget_usd: null });
    });

    // The old code passed this too: TypeORM's save writes only the columns that differ from a
    // reload it makes just before, so the lost update needed a commit between two reads of one edit.
    it('applies two edits sent at once one after the other: both the rename and the budget stand', async () => {
      const team = await createTeam(t.db, { name: 'edited-twice', budget_usd: 100 });
      const answers = await whileRowLocked(t.db, 'teams', team.id, [
        () => patch(team.id, { budget_usd: 250 }),
        () => patch(team.id, { name: 'edited-twice-renamed' }),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      const [row] = await t.db.query(`SELECT name, budget_usd::float8 AS budget FROM teams WHERE id = $1`, [team.id]);
      expect(row).toEqual({ name: 'edited-twice-renamed', budget: 250 });
    });

    it('answers 409 when renaming onto a taken name', async () => {
      await createTeam(t.db, { name: 'occupied' });
      const team = await createTeam(t.db);
      const res = await patch(team.id, { name: 'occupied' }).expect(409);
      expectErrorShape(res.body, 409);
    });

    it('answers 400 for a negative budget or a null name in a patch, 404 for an unknown or bad id', async () => {
      const team = await createTeam(t.db);
      expectErrorShape((await patch(team.id, { budget_usd: -5 }).expect(400)).body, 400);
      expect((await patch(team.id, { name: null }).expect(400)).body.details).toEqual([
        expect.objectContaining({ field: 'name' }),
      ]);
      expectErrorShape((await patch('00000000-0000-4000-8000-000000000000', { budget_usd: 5 }).expect(404)).body, 404);
      expectErrorShape((await patch('nope', { budget_usd: 5 }).expect(404)).body, 404);
    });
  });
});
