import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { badRequest, conflict, notFound } from '../../common/errors/domain-error';
import { Env } from '../../config/env';
import { Team } from '../../teams/team.entity';
import { TokenUserCache } from '../token-user-cache';
import { AdminUserResponse, UserResponse, UsersPage } from './dto/user.response';
import { PASSWORD_MAX_BYTES, PasswordHasher } from './password-hasher';
import { User, UserRole } from './user.entity';

/** What Heliox says about a user: never the hash. */
export type UserView = UserResponse;

export interface NewUser {
  email: string;
  password: string;
  role: UserRole;
  teamId: string | null;
}

/** A change of a user; a field left undefined stays as it is. */
export interface UserChange {
  role?: UserRole;
  teamId?: string | null;
  disabled?: boolean;
}

/** Who logged in: what a token is made of. */
export type Authenticated = Pick<User, 'id' | 'email' | 'role' | 'teamId' | 'tokenVersion'>;

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersService.name);
  /**
   * A real hash of a random password: an unknown e-mail is checked against it so that it costs
   * the same work as a wrong password, and the two cannot be told apart by timing.
   */
  private readonly dummyHash: Promise<string>;

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly tokenUsers: TokenUserCache,
    private readonly config: ConfigService<Env, true>,
    private readonly passwords: PasswordHasher,
  ) {
    this.dummyHash = passwords.hash(`no-such-user-${randomUUID()}`);
  }

  /** The admin of the configuration exists after boot; an existing account is left as it is. */
  async onApplicationBootstrap(): Promise<void> {
    const email = normaliseEmail(this.config.get('ADMIN_EMAIL', { infer: true }));
    if (await this.users.existsBy({ email })) return;
    const passwordHash = await this.passwords.hash(this.config.get('ADMIN_PASSWORD', { infer: true }));
    // ON CONFLICT: several replicas booting at once create it once.
    const result = await this.users
      .createQueryBuilder()
      .insert()
      .values({ email, passwordHash, role: 'admin' })
      .orIgnore()
      .returning('id')
      .execute();
    if ((result.raw as unknown[]).length) this.logger.log(`Created the admin user ${email}`);
  }

  /**
   * The user with these credentials, or null; takes one password verification whatever the outcome.
   * A disabled user is refused like a wrong password, so the answer does not tell them apart.
   */
  async authenticate(email: string, password: string): Promise<Authenticated | null> {
    const user = await this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: normaliseEmail(email) })
      .getOne();
    const matches = await this.passwords.verify(password, user?.passwordHash ?? (await this.dummyHash));
    if (!user || !matches || user.disabled) return null;
    if (this.passwords.needsUpgrade(user.passwordHash, password)) await this.upgradeHash(user, password);
    return { id: user.id, email: user.email, role: user.role, teamId: user.teamId, tokenVersion: user.tokenVersion };
  }

  /**
   * Replaces an older hash (bcrypt, or argon2id of weaker parameters) once the password is known
   * to be right. Only if the row still holds the hash just checked: a concurrent change wins.
   */
  private async upgradeHash(user: User, password: string): Promise<void> {
    const passwordHash = await this.passwords.hash(password);
    await this.users.update({ id: user.id, passwordHash: user.passwordHash }, { passwordHash });
  }

  async findView(id: string): Promise<UserView | null> {
    const user = await this.users.findOne({ where: { id }, relations: { team: true } });
    return user ? toView(user) : null;
  }

  /** Users by e-mail. */
  async list(skip: number, limit: number): Promise<UsersPage> {
    const [users, total] = await this.users.findAndCount({
      relations: { team: true },
      order: { email: 'ASC', id: 'ASC' },
      skip,
      take: limit,
    });
    return { users: users.map(toAdminView), total, skip, limit, has_more: skip + users.length < total };
  }

  async create(input: NewUser): Promise<UserView> {
    await this.checkRoleAndTeam(input.role, input.teamId, 'leave team_id out');
    if (Buffer.byteLength(input.password, 'utf8') > PASSWORD_MAX_BYTES) {
      throw badRequest(`password must be at most ${PASSWORD_MAX_BYTES} bytes long`, 'password');
    }
    const email = normaliseEmail(input.email);
    const passwordHash = await this.passwords.hash(input.password);
    // ON CONFLICT rather than catching the error: a taken e-mail is an answer, not a failure.
    const result = await this.users
      .createQueryBuilder()
      .insert()
      .values({ email, passwordHash, role: input.role, teamId: input.teamId })
      .orIgnore()
      .returning('id')
      .execute();
    const [row] = result.raw as { id: string }[];
    if (!row) throw conflict(`A user with e-mail ${email} already exists`, 'email');
    return (await this.findView(row.id))!;
  }

  /**
   * Changes role, team or `disabled`. Any real change raises the token version, so every token
   * issued before it is refused: at once in this process, within AUTH_USER_CACHE_SECONDS in others.
   */
  async update(id: string, change: UserChange): Promise<AdminUserResponse> {
    const changed = await this.users.manager.transaction(async (m) => {
      // Locked: of two edits at once the later reads what the earlier wrote, instead of writing
      // back what it read before (a role change undoing a disable sent at the same moment).
      const user = await m.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw notFound(`No user ${id}`);
      const role = change.role ?? user.role;
      const teamId = change.teamId === undefined ? user.teamId : change.teamId;
      const disabled = change.disabled ?? user.disabled;
      if (role !== user.role || teamId !== user.teamId)
        await this.checkRoleAndTeam(role, teamId, 'send team_id: null', m);
      if (role === user.role && teamId === user.teamId && disabled === user.disabled) return false;
      await m.update(User, { id }, { role, teamId, disabled, tokenVersion: () => '"token_version" + 1' });
      return true;
    });
    if (changed) this.tokenUsers.evict(id);
    const updated = await this.users.findOne({ where: { id }, relations: { team: true } });
    if (!updated) throw notFound(`No user ${id}`);
    return toAdminView(updated);
  }

  /** Deletes the user; its tokens are refused like those of a user that never existed. */
  async remove(id: string): Promise<void> {
    const { affected } = await this.users.delete({ id });
    this.tokenUsers.evict(id);
    if (!affected) throw notFound(`No user ${id}`);
  }

  /**
   * A member has a team that exists; an admin has none (`fix` says how to send that). Inside a
   * transaction the team is looked up on its connection: a second connection, taken while the
   * user's row is locked, let a dozen edits of one user hold the whole pool and wait on each other.
   */
  private async checkRoleAndTeam(
    role: UserRole,
    teamId: string | null,
    fix: string,
    m: EntityManager = this.users.manager,
  ): Promise<void> {
    if (role === 'member' && !teamId) throw badRequest('A member needs a team_id', 'team_id');
    if (role === 'admin' && teamId) throw badRequest(`An admin belongs to no team; ${fix}`, 'team_id');
    if (teamId && !(await m.existsBy(Team, { id: teamId }))) throw badRequest(`No team has id ${teamId}`, 'team_id');
  }
}

function toView(user: User): UserView {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    team: user.team ? { id: user.team.id, name: user.team.name } : null,
    created_at: user.createdAt.toISOString(),
  };
}

function toAdminView(user: User): AdminUserResponse {
  return { ...toView(user), disabled: user.disabled, updated_at: user.updatedAt.toISOString() };
}
