import { describeFailure } from './errors';

describe('Dashboard error words', () => {
  it.each([
    [400, 'The request was not accepted: start is required'],
    [401, 'Your session has ended. Sign in again.'],
    [403, 'You do not have access to this: start is required'],
    [404, 'Not found: start is required'],
    [413, 'The request is too large for the server: start is required'],
    [503, 'The service is unavailable right now (its database may be down). Try again shortly (request id r-1).'],
    [500, 'The server failed to answer (error 500) (request id r-1). Try again, or tell an operator.'],
    [418, 'Unexpected answer from the server (418): start is required'],
  ])('says what a %i means', (status, words) => {
    expect(describeFailure({ status, message: 'start is required', requestId: 'r-1' })).toBe(words);
  });

  it('says how long to wait after a 429, when the server said', () => {
    expect(describeFailure({ status: 429, retryAfterSeconds: 12 })).toBe('Too many requests. Try again in 12 s.');
    expect(describeFailure({ status: 429 })).toBe('Too many requests. Try again in a minute.');
  });
});
