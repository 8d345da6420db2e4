import { HttpException } from '@nestjs/common';
import { decodeCursor, encodeCursor } from './jobs-cursor';

describe('jobs cursor', () => {
  const key = { startTime: '2026-01-03T04:05:06.123456Z', jobId: 'job with spaces/ünïcode' };

  it('round-trips a key in the order it was issued for', () => {
    expect(decodeCursor(encodeCursor('desc', key), 'desc')).toEqual(key);
  });

  it('round-trips the longest job id ingestion takes, 200 characters of two UTF-16 units each', () => {
    const longest = { ...key, jobId: '😀'.repeat(200) };
    expect(decodeCursor(encodeCursor('asc', longest), 'asc')).toEqual(longest);
  });

  it('is URL-safe text', () => {
    expect(encodeCursor('asc', key)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    ['not-base64-json'],
    [Buffer.from('{"o":"desc","t":"yesterday","j":"x"}').toString('base64url')],
    [Buffer.from('[]').toString('base64url')],
    ...[
      // Days and times that do not exist, and a year PostgreSQL does not have.
      '2026-02-30T00:00:00.000000Z',
      '2026-13-01T00:00:00.000000Z',
      '2026-01-01T24:00:00.000000Z',
      '2026-01-01T23:60:00.000000Z',
      '0000-01-01T00:00:00.000000Z',
    ].map((t) => [Buffer.from(JSON.stringify({ o: 'desc', t, j: 'job-1' })).toString('base64url')]),
    ...['', 'job\u0000x', '\ud800', 'j'.repeat(201)].map((j) => [
      Buffer.from(JSON.stringify({ o: 'desc', t: '2026-01-01T00:00:00.000000Z', j })).toString('base64url'),
    ]),
  ])('refuses %s with a 400 naming cursor', (cursor) => {
    try {
      decodeCursor(cursor, 'desc');
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(HttpException);
      expect((error as HttpException).getStatus()).toBe(400);
      expect((error as HttpException).getResponse()).toMatchObject({ details: [{ field: 'cursor' }] });
    }
  });

  it('refuses a cursor issued for the other order', () => {
    expect(() => decodeCursor(encodeCursor('asc', key), 'desc')).toThrow(/other sort order/);
  });
});
