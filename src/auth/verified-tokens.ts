import { TokenClaims } from './token-claims';

/** Far more tokens than one process sees in their lifetime; beyond it the oldest go first. */
const MAX_TOKENS = 10_000;

/**
 * Tokens whose signature, issuer, expiry and claims this process has checked, with their claims,
 * until they expire. A token is the same string each time its holder sends it, so checking the
 * signature again (an HMAC and two JSON parses) would only repeat an answer; what can change —
 * the user behind it — is still checked on every request (TokenUserCache). Keyed by the whole
 * token, signature included: a token that differs in one byte is checked afresh.
 */
export class VerifiedTokens {
  private readonly tokens = new Map<string, TokenClaims & { expiresAtMs: number }>();

  constructor(private readonly maxTokens = MAX_TOKENS) {}

  /** The claims of a token checked before and not expired yet. */
  get(token: string, nowMs = Date.now()): TokenClaims | undefined {
    const known = this.tokens.get(token);
    if (!known) return undefined;
    if (known.expiresAtMs <= nowMs) {
      this.tokens.delete(token);
      return undefined;
    }
    return known;
  }

  /** Remembers a token that passed every check, until its `exp` (seconds since the epoch). */
  remember(token: string, claims: TokenClaims, exp: number): void {
    if (this.tokens.size >= this.maxTokens) this.tokens.delete(this.tokens.keys().next().value!);
    this.tokens.set(token, { ...claims, expiresAtMs: exp * 1000 });
  }
}
