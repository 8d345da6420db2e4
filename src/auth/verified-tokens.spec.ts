import { TokenClaims } from './token-claims';
import { VerifiedTokens } from './verified-tokens';

const claims: TokenClaims = {
  sub: '5b0c4a1e-7d2f-4c3b-9a8e-1f2d3c4b5a60',
  email: 'ada@example.com',
  role: 'member',
  team_id: '8e1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b',
  ver: 3,
};
const EXP = 1_700_003_600;

describe('VerifiedTokens', () => {
  it('answers the claims of a remembered token until it expires', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('token-a', claims, EXP);
    expect(tokens.get('token-a', EXP * 1000 - 1)).toMatchObject(claims);
  });

  it('forgets a token at its expiry, so it is checked (and refused) again', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('token-a', claims, EXP);
    expect(tokens.get('token-a', EXP * 1000)).toBeUndefined();
    expect(tokens.get('token-a', EXP * 1000 - 1)).toBeUndefined();
  });

  it('knows only the exact string it verified', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('header.payload.signature', claims, EXP);
    expect(tokens.get('header.payload.signaturE', 0)).toBeUndefined();
  });

  it('drops the oldest token when full', () => {
    const tokens = new VerifiedTokens(2);
    tokens.remember('first', claims, EXP);
    tokens.remember('second', claims, EXP);
    tokens.remember('third', claims, EXP);
    expect(tokens.get('first', 0)).toBeUndefined();
    expect(tokens.get('second', 0)).toBeDefined();
    expect(tokens.get('third', 0)).toBeDefined();
  });
});
