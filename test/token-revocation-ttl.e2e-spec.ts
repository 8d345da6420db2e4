import { expectErrorShape } from './support/expectations';
import { createTeam, createUser, tokenFor, UserRow } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

/** The cache lifetime of this suite, seconds: short, so that a change made elsewhere shows quickly. */
const CACHE_SECONDS = 1;
const pastTheCache = () => new Promise((resolve) => setTimeout(resolve, CACHE_SECONDS * 1000 + 300));

/**
 * A change this process did not make (another replica, or SQL by hand) reaches it when its cache
 * entry runs out, AUTH_USER_CACHE_SECONDS at most.
 */
describe('Token revocation: a change made elsewhere', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ AUTH_USER_CACHE_SECONDS: String(CACHE_SECONDS) });
  });
  afterAll(() => t.close());

  const me = (token: string) => t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`);
  const jobs = (token: string) => t.http.get('/api/v1/jobs').set('Authorization', `Bearer ${token}`);

  async function cachedMember(): Promise<{ user: UserRow; token: string }> {
    const team = await createTeam(t.db);
    const user = await createUser(t.db, { role: 'member', team_id: team.id });
    const token = tokenFor(t, user);
    await jobs(token).expect(200);
    return { user, token };
  }

  it('refuses the token once the cache entry has run out after another process disabled the user', async () => {
    const { user, token } = await cachedMember();
    await t.db.query(`UPDATE users SET disabled = true, token_version = token_version + 1 WHERE id = $1`, [user.id]);
    await pastTheCache();
    expectErrorShape((await jobs(token).expect(401)).body, 401);
    await me(token).expect(401);
  });

  it('refuses the token of a user deleted by another process', async () => {
    const { user, token } = await cachedMember();
    await t.db.query(`DELETE FROM users WHERE id = $1`, [user.id]);
    await pastTheCache();
    await jobs(token).expect(401);
  });

  it('refuses the token of a member moved by SQL that forgot the token version', async () => {
    const { user, token } = await cachedMember();
    const other = await createTeam(t.db);
    await t.db.query(`UPDATE users SET team_id = $2 WHERE id = $1`, [user.id, other.id]);
    await pastTheCache();
    await jobs(token).expect(401);
  });

  it('refuses the token of a user disabled by SQL that forgot the token version', async () => {
    const { user, token } = await cachedMember();
    await t.db.query(`UPDATE users SET disabled = true WHERE id = $1`, [user.id]);
    await pastTheCache();
    await jobs(token).expect(401);
  });
});
