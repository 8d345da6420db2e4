import { createHmac } from 'node:crypto';
import { expectErrorShape } from './support/expectations';
import { API_KEY, createJob, createLoginUser, createTeam, createUser, tokenFor, UserRow } from './support/factories';
import { whileRowLocked } from './support/row-locks';
import { createTestApp, TestApp } from './support/test-app';

const SECRET = 'heliox-dev-jwt-secret-change-in-production';
const INVALID = 'The bearer token is invalid or expired';
const PASSWORD = 'a-long-enough-password';
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** A token signed with the app's own secret: only its claims are wrong. */
function signed(payload: object): string {
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${unsigned}.${createHmac('sha256', SECRET).update(unsigned).digest('base64url')}`;
}

/** The JWT routes a revoked token is tried on: the caller, jobs, analytics and teams. */
const ROUTES = [
  '/api/v1/auth/me',
  '/api/v1/jobs',
  '/api/v1/analytics/cost/by-team?start=2026-01-01&end=2026-01-31',
  '/api/v1/teams',
];

describe('Token revocation: a changed user loses the tokens issued before the change', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The default cache lifetime (30 s): a change through the API must not wait for it.
    t = await createTestApp({ LOGIN_RATE_LIMIT: '1000', DB_POOL_SIZE: '4' });
  });
  afterAll(() => t.close());

  const bearer = (token: string) => `Bearer ${token}`;
  const patch = (id: string, body: object) =>
    t.http.patch(`/api/v1/admin/users/${id}`).set('X-API-Key', API_KEY).send(body);
  const login = (email: string, password = PASSWORD) =>
    t.http.post('/api/v1/auth/login').send({ username: email, password });

  async function expectAnswered(token: string) {
    for (const route of ROUTES) await t.http.get(route).set('Authorization', bearer(token)).expect(200);
  }

  async function expectRefusedEverywhere(token: string) {
    for (const route of ROUTES) {
      const res = await t.http.get(route).set('Authorization', bearer(token));
      expect({ route, status: res.status }).toEqual({ route, status: 401 });
      expectErrorShape(res.body, 401);
      expect(res.body.message).toBe(INVALID);
    }
  }

  async function memberWithToken(): Promise<{ user: UserRow; token: string; teamId: string }> {
    const team = await createTeam(t.db);
    const user = await createUser(t.db, { role: 'member', team_id: team.id });
    const token = tokenFor(t, user);
    // Used once, so the process has the user in its cache: the change must evict it.
    await expectAnswered(token);
    return { user, token, teamId: team.id };
  }

  it('applies two edits of a user sent at once one after the other: a role change does not undo a disable', async () => {
    const { user } = await memberWithToken();
    const [disable, promote] = await whileRowLocked(t.db, 'users', user.id, [
      () => patch(user.id, { disabled: true }),
      () => patch(user.id, { role: 'admin', team_id: null }),
    ]);
    expect([disable.status, promote.status]).toEqual([200, 200]);
    const [row] = await t.db.query(`SELECT role, team_id, disabled FROM users WHERE id = $1`, [user.id]);
    expect(row).toEqual({ role: 'admin', team_id: null, disabled: true });
  });

  it('applies as many edits of one user sent at once as the pool has connections, each checking its team', async () => {
    // Each edit waits on the user's row holding a pool connection. Had the team check taken a
    // second one, the edit holding the lock would wait for a connection the others hold, and
    // answer 503 after the pool's 5 s.
    const { user } = await memberWithToken();
    const teams = [await createTeam(t.db), await createTeam(t.db)];
    const poolSize = Number(process.env.DB_POOL_SIZE);
    const answers = await whileRowLocked(
      t.db,
      'users',
      user.id,
      Array.from({ length: poolSize }, (_, i) => () => patch(user.id, { team_id: teams[i % 2].id })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(poolSize).fill(200));
  });

  it("evicts the cached user when the id is sent in upper case: the disabled or deleted user's token is refused at once", async () => {
    const disabled = await memberWithToken();
    await patch(disabled.user.id.toUpperCase(), { disabled: true }).expect(200);
    await expectRefusedEverywhere(disabled.token);

    const deleted = await memberWithToken();
    await t.http.delete(`/api/v1/admin/users/${deleted.user.id.toUpperCase()}`).set('X-API-Key', API_KEY).expect(204);
    await expectRefusedEverywhere(deleted.token);
  });

  describe('disabling', () => {
    it('refuses the old token on every route at once, and refuses the login like a wrong password', async () => {
      const team = await createTeam(t.db);
      const user = await createLoginUser(t.db, PASSWORD, { role: 'member', team_id: team.id });
      const token = (await login(user.email).expect(200)).body.access_token as string;
      await expectAnswered(token);

      const res = await patch(user.id, { disabled: true }).expect(200);
      expect(res.body).toMatchObject({ id: user.id, disabled: true, role: 'member', team: { id: team.id } });
      await expectRefusedEverywhere(token);

      const refused = await login(user.email).expect(401);
      const wrong = await login(user.email, 'not-the-password').expect(401);
      expect(refused.body.message).toBe('Incorrect e-mail or password');
      expect({ ...refused.body, request_id: 'x' }).toEqual({ ...wrong.body, request_id: 'x' });
    });

    it('keeps the old token refused after re-enabling; a fresh login works again', async () => {
      const team = await createTeam(t.db);
      const user = await createLoginUser(t.db, PASSWORD, { role: 'member', team_id: team.id });
      const token = (await login(user.email).expect(200)).body.access_token as string;
      await patch(user.id, { disabled: true }).expect(200);
      await patch(user.id, { disabled: false }).expect(200);
      await expectRefusedEverywhere(token);
      const fresh = (await login(user.email).expect(200)).body.access_token as string;
      await expectAnswered(fresh);
    });
  });

  it('refuses the token of a deleted user on every route; a second delete is a 404', async () => {
    const { user, token } = await memberWithToken();
    await t.http.delete(`/api/v1/admin/users/${user.id}`).set('X-API-Key', API_KEY).expect(204);
    await expectRefusedEverywhere(token);
    const again = await t.http.delete(`/api/v1/admin/users/${user.id}`).set('X-API-Key', API_KEY).expect(404);
    expectErrorShape(again.body, 404);
  });

  it('refuses the old token after a role change; a fresh login carries the new role', async () => {
    const team = await createTeam(t.db);
    const other = await createTeam(t.db);
    await createJob(t.db, other.id);
    const user = await createLoginUser(t.db, PASSWORD, { role: 'member', team_id: team.id });
    const token = (await login(user.email).expect(200)).body.access_token as string;
    await expectAnswered(token);

    const res = await patch(user.id, { role: 'admin', team_id: null }).expect(200);
    expect(res.body).toMatchObject({ role: 'admin', team: null });
    await expectRefusedEverywhere(token);

    const fresh = (await login(user.email).expect(200)).body.access_token as string;
    const me = await t.http.get('/api/v1/auth/me').set('Authorization', bearer(fresh)).expect(200);
    expect(me.body).toMatchObject({ role: 'admin', team: null });
    // An admin sees every team's jobs.
    const jobs = await t.http.get(`/api/v1/jobs?team_id=${other.id}`).set('Authorization', bearer(fresh)).expect(200);
    expect(jobs.body.total).toBe(1);
  });

  it("moves a member to team B: the old token is refused, and the member never sees team A's data again", async () => {
    const teamA = await createTeam(t.db);
    const teamB = await createTeam(t.db);
    const jobA = await createJob(t.db, teamA.id);
    const jobB = await createJob(t.db, teamB.id);
    const user = await createLoginUser(t.db, PASSWORD, { role: 'member', team_id: teamA.id });
    const token = (await login(user.email).expect(200)).body.access_token as string;
    const before = await t.http.get('/api/v1/jobs').set('Authorization', bearer(token)).expect(200);
    expect(before.body.jobs.map((j: { job_id: string }) => j.job_id)).toEqual([jobA.job_id]);

    await patch(user.id, { team_id: teamB.id }).expect(200);
    await expectRefusedEverywhere(token);
    await t.http.get(`/api/v1/jobs/${jobA.job_id}`).set('Authorization', bearer(token)).expect(401);

    const fresh = (await login(user.email).expect(200)).body.access_token as string;
    const after = await t.http.get('/api/v1/jobs').set('Authorization', bearer(fresh)).expect(200);
    expect(after.body.jobs.map((j: { job_id: string }) => j.job_id)).toEqual([jobB.job_id]);
    await t.http.get(`/api/v1/jobs?team_id=${teamA.id}`).set('Authorization', bearer(fresh)).expect(403);
    const teams = await t.http.get('/api/v1/teams').set('Authorization', bearer(fresh)).expect(200);
    expect(teams.body.teams.map((team: { id: string }) => team.id)).toEqual([teamB.id]);
  });

  it('keeps tokens working after a change that changes nothing, the team id in either case', async () => {
    const { user, token, teamId } = await memberWithToken();
    await patch(user.id, { disabled: false, role: 'member', team_id: teamId }).expect(200);
    await patch(user.id, { team_id: teamId.toUpperCase() }).expect(200);
    await patch(user.id, {}).expect(200);
    await expectAnswered(token);
  });

  describe('claims', () => {
    let user: UserRow;
    let teamId: string;
    beforeAll(async () => {
      teamId = (await createTeam(t.db)).id;
      user = await createUser(t.db, { role: 'member', team_id: teamId });
    });
    const claims = (over: Record<string, unknown> = {}) => ({
      sub: user.id,
      email: user.email,
      role: 'member',
      team_id: teamId,
      ver: 0,
      iss: 'heliox',
      iat: now(),
      exp: now() + 600,
      ...over,
    });

    it('accepts a well-formed token (the control for the cases below)', async () => {
      await expectAnswered(signed(claims()));
    });

    it.each([
      ['no expiry', { exp: undefined }],
      ['a sub that is not a uuid', { sub: 'admin' }],
      ['a team_id that is not a uuid', { team_id: 'team-a' }],
      ['an unknown role', { role: 'owner' }],
      ['no token version', { ver: undefined }],
      ['an older token version', { ver: -1 }],
      ['no e-mail', { email: undefined }],
    ])('refuses a correctly signed token with %s on every route', async (_, over) => {
      await expectRefusedEverywhere(signed(claims(over)));
    });
  });

  describe('the users admin API', () => {
    it('lists users a page at a time, disabled ones included', async () => {
      const team = await createTeam(t.db);
      const user = await createUser(t.db, { role: 'member', team_id: team.id });
      await patch(user.id, { disabled: true }).expect(200);
      const all = await t.http.get('/api/v1/admin/users?limit=100').set('X-API-Key', API_KEY).expect(200);
      expect(all.body).toMatchObject({ skip: 0, limit: 100, total: expect.any(Number) });
      expect(all.body.users).toContainEqual({
        id: user.id,
        email: user.email,
        role: 'member',
        team: { id: team.id, name: team.name },
        disabled: true,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect(JSON.stringify(all.body)).not.toMatch(/password|token_version|\$2[aby]\$/);
      const page = await t.http.get('/api/v1/admin/users?skip=1&limit=1').set('X-API-Key', API_KEY).expect(200);
      expect(page.body.users).toHaveLength(1);
      expect(page.body.users[0].email).toBe(all.body.users[1].email);
      expect(page.body.has_more).toBe(all.body.total > 2);
      expectErrorShape(
        (await t.http.get('/api/v1/admin/users?limit=0').set('X-API-Key', API_KEY).expect(400)).body,
        400,
      );
    });

    it.each([
      ['a member without a team', { team_id: null }, 'team_id'],
      ['an admin with a team', { role: 'admin' }, 'team_id'],
      ['a team that does not exist', { team_id: '00000000-0000-4000-8000-000000000000' }, 'team_id'],
      ['an unknown role', { role: 'owner' }, 'role'],
      ['a team_id that is not a uuid', { team_id: 'team-a' }, 'team_id'],
      ['disabled that is not a boolean', { disabled: 'yes' }, 'disabled'],
    ])('refuses %s with a 400 naming the field, and changes nothing', async (_, body, field) => {
      const { user, token } = await memberWithToken();
      const res = await patch(user.id, body).expect(400);
      expectErrorShape(res.body, 400);
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      await expectAnswered(token);
    });

    it('answers 404 for an unknown id and 400 for an id that is not a uuid', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      expectErrorShape((await patch(unknown, { disabled: true }).expect(404)).body, 404);
      const bad = await patch('not-a-uuid', { disabled: true }).expect(400);
      expectErrorShape(bad.body, 400);
      expect(bad.body.details).toEqual([expect.objectContaining({ field: 'id' })]);
      await t.http.delete('/api/v1/admin/users/not-a-uuid').set('X-API-Key', API_KEY).expect(400);
      await t.http.delete(`/api/v1/admin/users/${unknown}`).set('X-API-Key', API_KEY).expect(404);
    });

    it('takes the API key, not a bearer token, even an admin one', async () => {
      const admin = await createUser(t.db, { role: 'admin' });
      const res = await t.http
        .get('/api/v1/admin/users')
        .set('Authorization', bearer(tokenFor(t, admin)))
        .expect(401);
      expect(res.body.message).toBe('A valid X-API-Key header is required');
      await t.http.patch(`/api/v1/admin/users/${admin.id}`).set('X-API-Key', 'wrong-key').send({}).expect(401);
      await t.http.delete(`/api/v1/admin/users/${admin.id}`).expect(401);
    });
  });
});
