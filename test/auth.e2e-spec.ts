import { JwtService } from '@nestjs/jwt';
import { createHmac } from 'node:crypto';
import { hash as bcryptHash } from 'bcrypt';
import { PasswordHasher } from '../src/auth/users/password-hasher';
import { expectErrorShape, UUID } from './support/expectations';
import { API_KEY, createLoginUser, createTeam, createUser, tokenFor } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

const SECRET = 'heliox-dev-jwt-secret-change-in-production';
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** A JWT built by hand, so a test can forge exactly the flaw it is about. */
function forge(header: object, payload: object, secret = SECRET, algorithm = 'sha256'): string {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  return `${unsigned}.${createHmac(algorithm, secret).update(unsigned).digest('base64url')}`;
}

describe('Auth: login, tokens, users', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Generous limits here; auth-rate-limit.e2e-spec.ts pins the throttling down.
    t = await createTestApp({ LOGIN_RATE_LIMIT: '1000' });
  });
  afterAll(() => t.close());

  const me = (token: string) => t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`);

  describe('login', () => {
    it('logs the configured admin in with a JSON body, created at boot', async () => {
      const res = await t.http
        .post('/api/v1/auth/login')
        .send({ username: 'admin@heliox.ai', password: 'admin123' })
        .expect(200);
      expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 3600 });
      const who = await me(res.body.access_token).expect(200);
      expect(who.body).toMatchObject({ email: 'admin@heliox.ai', role: 'admin', team: null });
    });

    it('logs in with a form-urlencoded body (OAuth2 password grant fields allowed)', async () => {
      const team = await createTeam(t.db, { name: 'vision' });
      const user = await createLoginUser(t.db, 's3cret-pass', { role: 'member', team_id: team.id });
      const res = await t.http
        .post('/api/v1/auth/login')
        .type('form')
        .send({ grant_type: 'password', username: user.email.toUpperCase(), password: 's3cret-pass' })
        .expect(200);
      const who = await me(res.body.access_token).expect(200);
      expect(who.body).toEqual({
        id: user.id,
        email: user.email,
        role: 'member',
        team: { id: team.id, name: 'vision' },
        created_at: expect.any(String),
      });
    });

    it('gives the same 401 for an unknown e-mail and a wrong password', async () => {
      const user = await createLoginUser(t.db, 'right-password', { role: 'admin' });
      const unknown = await t.http
        .post('/api/v1/auth/login')
        .send({ username: 'nobody@example.com', password: 'right-password' })
        .expect(401);
      const wrong = await t.http
        .post('/api/v1/auth/login')
        .send({ username: user.email, password: 'wrong-password' })
        .expect(401);
      expectErrorShape(unknown.body, 401);
      expect({ ...unknown.body, request_id: 'x' }).toEqual({ ...wrong.body, request_id: 'x' });
    });

    it('pays exactly one password verification of the same parameters for an unknown e-mail, a wrong password and a disabled user', async () => {
      // Counting verifications, not timing them: equal work is what makes the answers take equal
      // time, and a count does not depend on how busy the machine is.
      const user = await createLoginUser(t.db, 'right-password', { role: 'admin' });
      const disabled = await createLoginUser(t.db, 'right-password', { role: 'admin' });
      await t.db.query(`UPDATE users SET disabled = true WHERE id = $1`, [disabled.id]);
      const [{ password_hash: realHash }] = await t.db.query(`SELECT password_hash FROM users WHERE id = $1`, [
        user.id,
      ]);
      // "$argon2id$v=19$m=…,p=…,t=…$salt$hash": all but salt and hash is the work a check costs.
      const parametersOf = (hash: string) => hash.split('$').slice(0, 4).join('$');
      expect(parametersOf(realHash)).toMatch(/^\$argon2id\$v=19\$m=\d+,p=\d+,t=\d+$/);
      const verify = jest.spyOn(PasswordHasher.prototype, 'verify');
      try {
        for (const [username, password] of [
          ['ghost@example.com', 'wrong-password'],
          [user.email, 'wrong-password'],
          [disabled.email, 'right-password'],
        ]) {
          verify.mockClear();
          await t.http.post('/api/v1/auth/login').send({ username, password }).expect(401);
          expect(verify).toHaveBeenCalledTimes(1);
          const [, hash] = verify.mock.calls[0];
          expect(parametersOf(hash)).toBe(parametersOf(realHash));
        }
      } finally {
        verify.mockRestore();
      }
    });

    it('still logs in a user stored with a bcrypt hash, and replaces that hash with argon2id', async () => {
      const user = await createUser(t.db, { role: 'admin', password_hash: await bcryptHash('old-password', 12) });
      const stored = async () => {
        const [row] = await t.db.query<{ password_hash: string }[]>(`SELECT password_hash FROM users WHERE id = $1`, [
          user.id,
        ]);
        return row.password_hash;
      };
      expect(await stored()).toMatch(/^\$2b\$12\$/);

      await t.http.post('/api/v1/auth/login').send({ username: user.email, password: 'wrong-password' }).expect(401);
      expect(await stored()).toMatch(/^\$2b\$12\$/); // a failed attempt changes nothing

      await t.http.post('/api/v1/auth/login').send({ username: user.email, password: 'old-password' }).expect(200);
      expect(await stored()).toMatch(/^\$argon2id\$/);
      await t.http.post('/api/v1/auth/login').send({ username: user.email, password: 'old-password' }).expect(200);
      await t.http.post('/api/v1/auth/login').send({ username: user.email, password: 'wrong-password' }).expect(401);
    });

    it('keeps a bcrypt hash when a password over 72 bytes matched it, so the real password still logs in', async () => {
      // bcrypt compares the first 72 bytes: the real password with a typo past its end matches.
      const real = 'r'.repeat(72);
      const user = await createUser(t.db, { role: 'admin', password_hash: await bcryptHash(real, 12) });
      const login = (password: string) => t.http.post('/api/v1/auth/login').send({ username: user.email, password });

      await login(`${real}TYPO`).expect(200);
      await login(real).expect(200);
      const [row] = await t.db.query<{ password_hash: string }[]>(`SELECT password_hash FROM users WHERE id = $1`, [
        user.id,
      ]);
      expect(row.password_hash).toMatch(/^\$argon2id\$/); // upgraded by the login with the real password
      await login(real).expect(200);
      await login(`${real}TYPO`).expect(401);
    });

    it.each([
      [{ password: 'x' }, 'username'],
      [{ username: 'a@b.c' }, 'password'],
      [{ username: 'a@b.c', password: 'x', role: 'admin' }, 'role'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const res = await t.http.post('/api/v1/auth/login').send(body).expect(400);
      expectErrorShape(res.body, 400);
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });
  });

  describe('tokens', () => {
    const validClaims = () => ({
      sub: '00000000-0000-4000-8000-000000000001',
      email: 'a@b.c',
      role: 'admin',
      team_id: null,
      iss: 'heliox',
      iat: now(),
      exp: now() + 600,
    });

    it('accepts a token this app signed', async () => {
      const user = await createUser(t.db, { role: 'admin' });
      await me(tokenFor(t, user)).expect(200);
    });

    it('refuses no token at all', async () => {
      const res = await t.http.get('/api/v1/auth/me').expect(401);
      expectErrorShape(res.body, 401);
    });

    it('refuses alg "none"', async () => {
      const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(validClaims())}.`;
      expectErrorShape((await me(token).expect(401)).body, 401);
    });

    it('refuses another algorithm (HS512) even with the right secret', async () => {
      const token = forge({ alg: 'HS512', typ: 'JWT' }, validClaims(), SECRET, 'sha512');
      expectErrorShape((await me(token).expect(401)).body, 401);
    });

    it('refuses a wrong signature', async () => {
      const token = forge({ alg: 'HS256', typ: 'JWT' }, validClaims(), 'some-other-secret-of-enough-length');
      expectErrorShape((await me(token).expect(401)).body, 401);
    });

    it('refuses a changed payload (member promoting itself to admin)', async () => {
      const team = await createTeam(t.db);
      const member = await createUser(t.db, { role: 'member', team_id: team.id });
      const [header, , signature] = tokenFor(t, member).split('.');
      const claims = t.app.get(JwtService).decode(tokenFor(t, member));
      const tampered = `${header}.${b64({ ...claims, role: 'admin', team_id: null })}.${signature}`;
      expectErrorShape((await me(tampered).expect(401)).body, 401);
    });

    it('refuses an expired token', async () => {
      const token = forge({ alg: 'HS256', typ: 'JWT' }, { ...validClaims(), iat: now() - 7200, exp: now() - 3600 });
      expectErrorShape((await me(token).expect(401)).body, 401);
    });

    it('refuses a token from another issuer', async () => {
      const token = forge({ alg: 'HS256', typ: 'JWT' }, { ...validClaims(), iss: 'someone-else' });
      expectErrorShape((await me(token).expect(401)).body, 401);
    });

    it('refuses a valid token whose user no longer exists', async () => {
      const user = await createUser(t.db, { role: 'admin' });
      const token = tokenFor(t, user);
      await t.db.query(`DELETE FROM users WHERE id = $1`, [user.id]);
      expectErrorShape((await me(token).expect(401)).body, 401);
    });
  });

  describe('POST /admin/users', () => {
    const create = (body: object, key = API_KEY) => t.http.post('/api/v1/admin/users').set('X-API-Key', key).send(body);

    it('creates a member of a team who can then log in; the response carries no hash', async () => {
      const team = await createTeam(t.db, { name: 'nlp' });
      const res = await create({
        email: 'Ada@Example.com',
        password: 'analytical-engine',
        role: 'member',
        team_id: team.id,
      }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        email: 'ada@example.com',
        role: 'member',
        team: { id: team.id, name: 'nlp' },
        created_at: expect.any(String),
      });
      expect(JSON.stringify(res.body)).not.toMatch(/password|\$2[aby]\$/);
      await t.http
        .post('/api/v1/auth/login')
        .send({ username: 'ada@example.com', password: 'analytical-engine' })
        .expect(200);
    });

    it('creates an admin', async () => {
      const res = await create({ email: 'root2@example.com', password: 'long-enough', role: 'admin' }).expect(201);
      expect(res.body).toMatchObject({ role: 'admin', team: null });
    });

    it('answers 409 on a taken e-mail (whatever its case)', async () => {
      await create({ email: 'twice@example.com', password: 'long-enough', role: 'admin' }).expect(201);
      const res = await create({ email: 'TWICE@example.com', password: 'long-enough', role: 'admin' }).expect(409);
      expectErrorShape(res.body, 409);
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'email' })]);
    });

    it.each([
      [{ email: 'm1@example.com', password: 'long-enough', role: 'member' }, 'team_id'],
      [
        {
          email: 'm2@example.com',
          password: 'long-enough',
          role: 'member',
          team_id: '00000000-0000-4000-8000-000000000000',
        },
        'team_id',
      ],
      [{ email: 'not-an-email', password: 'long-enough', role: 'admin' }, 'email'],
      [{ email: 'm3@example.com', password: 'short', role: 'admin' }, 'password'],
      [{ email: 'm4@example.com', password: 'long-enough', role: 'owner' }, 'role'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const res = await create(body).expect(400);
      expectErrorShape(res.body, 400);
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it('refuses a wrong API key, and a bearer token in its place', async () => {
      expectErrorShape(
        (await create({ email: 'k@example.com', password: 'long-enough', role: 'admin' }, 'wrong-key').expect(401))
          .body,
        401,
      );
      const admin = await createUser(t.db, { role: 'admin' });
      const res = await t.http
        .post('/api/v1/admin/users')
        .set('Authorization', `Bearer ${tokenFor(t, admin)}`)
        .send({ email: 'k@example.com', password: 'long-enough', role: 'admin' })
        .expect(401);
      expectErrorShape(res.body, 401);
    });
  });
});
