import { readdirSync } from 'node:fs';
import { MIGRATIONS } from './index';

describe('migration list', () => {
  it('lists every migration file of the folder, in timestamp order', () => {
    const files = readdirSync(__dirname)
      .filter((f) => /^\d+-.+\.ts$/.test(f) && !f.endsWith('.spec.ts'))
      .sort();
    const listed = MIGRATIONS.map((m) => m.name.match(/(\d+)$/)![1]);
    expect(listed).toEqual(files.map((f) => f.split('-')[0]));
  });
});
