import { Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { Env } from '../config/env';
import { TokenResponse } from './dto/login.dto';
import { TokenClaims } from './token-claims';
import { UsersService, UserView } from './users/users.service';

@Injectable()
export class AuthService {
  private readonly expiresIn: number;

  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    config: ConfigService<Env, true>,
  ) {
    this.expiresIn = config.get('JWT_EXPIRES_IN', { infer: true });
  }

  /** One answer for an unknown e-mail, a wrong password and a disabled user: none reveals which accounts exist. */
  async login(email: string, password: string): Promise<TokenResponse> {
    const user = await this.users.authenticate(email, password);
    if (!user) throw new UnauthorizedException('Incorrect e-mail or password');
    const claims: TokenClaims = {
      sub: user.id,
      email: user.email,
      role: user.role,
      team_id: user.teamId,
      ver: user.tokenVersion,
    };
    return { access_token: await this.jwt.signAsync(claims), token_type: 'bearer', expires_in: this.expiresIn };
  }

  /** The caller as stored now; a token whose user has been removed no longer works. */
  async me(userId: string): Promise<UserView> {
    const user = await this.users.findView(userId);
    if (!user) throw new UnauthorizedException('The account of this token no longer exists');
    return user;
  }
}
