import { adminAuth, createTeam, memberAuth, TeamRow } from './support/factories';
import { expectErrorShape, UUID } from './support/expectations';
import { createTestApp, TestApp } from './support/test-app';

/** Declared capacity: admins only, validated field by field, periods of one provider × GPU type never overlapping. */
describe('Capacity (POST/GET/PATCH/DELETE /capacity)', () => {
  let t: TestApp;
  let admin: string;
  let member: string;
  let owner: TeamRow;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTeam(t.db, { name: 'platform' });
    admin = (await adminAuth(t)).header;
    member = (await memberAuth(t, owner.id)).header;
  });
  afterAll(() => t.close());
  beforeEach(() => t.db.query(`DELETE FROM capacities`));

  const post = (body: object) => t.http.post('/api/v1/capacity').set('Authorization', admin).send(body);
  const h100 = (over: object = {}) => ({
    provider: 'aws',
    gpu_type: 'h100',
    gpu_count: 8,
    from: '2026-01-01',
    ...over,
  });

  it('declares a capacity, lower-casing provider and GPU type as ingestion does, and answers it', async () => {
    const res = await post(h100({ provider: ' AWS ', gpu_type: 'H100', owner_team_id: owner.id })).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(UUID),
      provider: 'aws',
      gpu_type: 'h100',
      gpu_count: 8,
      gpu_hours_per_day: 192,
      from: '2026-01-01',
      to: null,
      owner_team_id: owner.id,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const one = await t.http.get(`/api/v1/capacity/${res.body.id}`).set('Authorization', admin).expect(200);
    expect(one.body).toEqual(res.body);
  });

  it('lists capacities by provider, GPU type and first day, filtered and paged', async () => {
    await post(h100({ gpu_type: 'a100' })).expect(201);
    await post(h100({ from: '2026-03-01' })).expect(201);
    await post(h100({ to: '2026-02-28' })).expect(201);
    const all = await t.http.get('/api/v1/capacity').set('Authorization', admin).expect(200);
    expect(all.body.capacities.map((c: { gpu_type: string; from: string }) => `${c.gpu_type} ${c.from}`)).toEqual([
      'a100 2026-01-01',
      'h100 2026-01-01',
      'h100 2026-03-01',
    ]);
    expect(all.body).toMatchObject({ total: 3, skip: 0, limit: 50, has_more: false });
    const page = await t.http.get('/api/v1/capacity?gpu_type=H100&limit=1').set('Authorization', admin).expect(200);
    expect(page.body).toMatchObject({ total: 2, has_more: true, capacities: [{ from: '2026-01-01' }] });
  });

  it('refuses an overlapping period of the same provider and GPU type with a 409 naming the capacity it overlaps', async () => {
    const first = await post(h100({ to: '2026-03-31' })).expect(201);
    const res = await post(h100({ from: '2026-03-31', to: '2026-04-30' })).expect(409);
    expectErrorShape(res.body, 409);
    expect(res.body.message).toContain(first.body.id);
    expect(res.body.message).toContain('2026-01-01 to 2026-03-31');
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'from' })]);
    // The day after, another GPU type, another provider: no overlap.
    await post(h100({ from: '2026-04-01' })).expect(201);
    await post(h100({ gpu_type: 'a100', to: '2026-03-31' })).expect(201);
    await post(h100({ provider: 'gcp', to: '2026-03-31' })).expect(201);
  });

  it('treats a period without an end as running on forever', async () => {
    await post(h100({ from: '2026-06-01' })).expect(201);
    await post(h100({ from: '2030-01-01', to: '2030-01-31' })).expect(409);
    await post(h100({ from: '2026-01-01', to: '2026-05-31' })).expect(201);
  });

  it('keeps overlapping periods out of the database itself (exclusion constraint)', async () => {
    await post(h100({ to: '2026-01-31' })).expect(201);
    await expect(
      t.db.query(
        `INSERT INTO capacities (provider, gpu_type, gpu_count, from_date, to_date) VALUES ('aws', 'h100', 1, '2026-01-31', NULL)`,
      ),
    ).rejects.toMatchObject({ driverError: expect.objectContaining({ code: '23P01' }) });
  });

  it('changes a period, count or owner; null makes it open-ended or ownerless', async () => {
    const created = await post(h100({ to: '2026-01-31', owner_team_id: owner.id })).expect(201);
    const res = await t.http
      .patch(`/api/v1/capacity/${created.body.id}`)
      .set('Authorization', admin)
      .send({ gpu_count: 16, to: null, owner_team_id: null })
      .expect(200);
    expect(res.body).toMatchObject({
      gpu_count: 16,
      gpu_hours_per_day: 384,
      from: '2026-01-01',
      to: null,
      owner_team_id: null,
    });
  });

  it('refuses a change that would overlap another period, naming it', async () => {
    const january = await post(h100({ to: '2026-01-31' })).expect(201);
    const march = await post(h100({ from: '2026-03-01', to: '2026-03-31' })).expect(201);
    const res = await t.http
      .patch(`/api/v1/capacity/${march.body.id}`)
      .set('Authorization', admin)
      .send({ from: '2026-01-15' })
      .expect(409);
    expect(res.body.message).toContain(january.body.id);
    // Moving a period over its own old days is no clash.
    await t.http
      .patch(`/api/v1/capacity/${march.body.id}`)
      .set('Authorization', admin)
      .send({ from: '2026-02-01' })
      .expect(200);
  });

  it('removes a capacity', async () => {
    const created = await post(h100()).expect(201);
    await t.http.delete(`/api/v1/capacity/${created.body.id}`).set('Authorization', admin).expect(204);
    await t.http.get(`/api/v1/capacity/${created.body.id}`).set('Authorization', admin).expect(404);
    await t.http.delete(`/api/v1/capacity/${created.body.id}`).set('Authorization', admin).expect(404);
  });

  const badBodies: [string, object, string][] = [
    ['gpu_count 0', h100({ gpu_count: 0 }), 'gpu_count'],
    ['gpu_count negative', h100({ gpu_count: -1 }), 'gpu_count'],
    ['gpu_count as text', h100({ gpu_count: '8' }), 'gpu_count'],
    ['gpu_count too large', h100({ gpu_count: 1e9 }), 'gpu_count'],
    ['gpu_count with 7 decimals', h100({ gpu_count: 0.1234567 }), 'gpu_count'],
    ['no provider', { gpu_type: 'h100', gpu_count: 1, from: '2026-01-01' }, 'provider'],
    ['blank GPU type', h100({ gpu_type: '  ' }), 'gpu_type'],
    ['a GPU type of 65 characters', h100({ gpu_type: 'x'.repeat(65) }), 'gpu_type'],
    ['no from', { provider: 'aws', gpu_type: 'h100', gpu_count: 1 }, 'from'],
    ['from not a calendar day', h100({ from: '2026-02-30' }), 'from'],
    ['from before 2000', h100({ from: '1999-12-31' }), 'from'],
    ['to before from', h100({ from: '2026-02-01', to: '2026-01-31' }), 'to'],
    ['to not a date', h100({ to: 'soon' }), 'to'],
    ['owner not a uuid', h100({ owner_team_id: 'platform' }), 'owner_team_id'],
    ['an unknown field', h100({ region: 'us-east-1' }), 'region'],
  ];
  it.each(badBodies)('answers 400 naming the field for %s', async (_name, body, field) => {
    const res = await post(body).expect(400);
    expectErrorShape(res.body, 400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('says an empty or malformed `to` is not a date, rather than that it comes before `from`', async () => {
    for (const to of ['', '2026']) {
      const res = await post(h100({ from: '2026-01-01', to })).expect(400);
      const messages = res.body.details
        .filter((d: { field: string }) => d.field === 'to')
        .map((d: { message: string }) => d.message);
      expect(messages.length).toBeGreaterThan(0);
      expect(messages.join(' ')).not.toContain('on or after from');
    }
  });

  it('answers 400 naming owner_team_id when it names no team', async () => {
    const res = await post(h100({ owner_team_id: '00000000-0000-4000-8000-000000000000' })).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'owner_team_id' })]);
  });

  it('refuses to clear a field that cannot be empty, and a change that ends a period before it starts', async () => {
    const created = await post(h100({ from: '2026-02-01' })).expect(201);
    const patch = (body: object) =>
      t.http.patch(`/api/v1/capacity/${created.body.id}`).set('Authorization', admin).send(body).expect(400);
    expect((await patch({ provider: null })).body.details[0].field).toBe('provider');
    expect((await patch({ gpu_count: null })).body.details[0].field).toBe('gpu_count');
    expect((await patch({ from: null })).body.details[0].field).toBe('from');
    expect((await patch({ to: '2026-01-31' })).body.details[0].field).toBe('to');
  });

  it('answers 400 for an id that is not a uuid and 404 for one that names nothing', async () => {
    await t.http.get('/api/v1/capacity/not-a-uuid').set('Authorization', admin).expect(400);
    await t.http
      .patch('/api/v1/capacity/00000000-0000-4000-8000-000000000000')
      .set('Authorization', admin)
      .send({ gpu_count: 2 })
      .expect(404);
  });

  it('is for admins: a member gets 403 and an anonymous caller 401 on every route', async () => {
    const created = await post(h100()).expect(201);
    const id = created.body.id as string;
    await t.http
      .post('/api/v1/capacity')
      .set('Authorization', member)
      .send(h100({ gpu_type: 'a100' }))
      .expect(403);
    await t.http.get('/api/v1/capacity').set('Authorization', member).expect(403);
    await t.http.get(`/api/v1/capacity/${id}`).set('Authorization', member).expect(403);
    await t.http.patch(`/api/v1/capacity/${id}`).set('Authorization', member).send({ gpu_count: 1 }).expect(403);
    await t.http.delete(`/api/v1/capacity/${id}`).set('Authorization', member).expect(403);
    await t.http.get('/api/v1/capacity').expect(401);
  });
});
