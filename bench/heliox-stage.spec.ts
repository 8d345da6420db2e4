import { readFileSync } from 'node:fs';
import path from 'node:path';
import { productionNodeArgs } from './heliox-stage';
import { REPO_ROOT } from './processes';

describe('the API the benchmark starts', () => {
  it("runs with npm start's Node options, which the Dockerfile's CMD runs with too", () => {
    const args = productionNodeArgs();
    const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
    expect(JSON.parse(cmd![1])).toEqual(['node', ...args, 'dist/src/main.js']);
  });
});
