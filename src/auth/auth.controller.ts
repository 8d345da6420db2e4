import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorResponse } from '../common/errors/error-response';
import { LoginRateLimited } from '../rate-limits/rate-limits';
import { Authenticated, Public } from './access.decorators';
import { AuthService } from './auth.service';
import { LoginDto, TokenResponse } from './dto/login.dto';
import { CurrentUser, UserPrincipal } from './principal';
import { UserResponse } from './users/dto/user.response';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @LoginRateLimited()
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange an e-mail and password for a bearer token' })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOkResponse({ type: TokenResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiUnauthorizedResponse({ description: 'Incorrect e-mail or password', type: ErrorResponse })
  login(@Body() body: LoginDto): Promise<TokenResponse> {
    return this.auth.login(body.username, body.password);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'The caller' })
  @ApiOkResponse({ type: UserResponse })
  me(@CurrentUser() user: UserPrincipal): Promise<UserResponse> {
    return this.auth.me(user.id);
  }
}
