import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { badRequest, conflict } from '../../common/errors/domain-error';
import { Env } from '../../config/env';
import { hashPassword, PASSWORD_MAX_BYTES, verifyPassword } from './password-hasher';
import { UserRole } from './user.entity';

/** What Heliox says about a user: never the hash. */
export interface UserView {
  id: string;
  email: string;
  role: UserRole;
  team: { id: string; name: string } | null;
  created_at: string;
}

export interface NewUser {
  email: string;
  password: string;
  role: UserRole;
  teamId: string | null;
}

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersService.name);
  /**
   * A real hash of a random password: an unknown e-mail is checked against it so that it costs
   * the same bcrypt work as a wrong password, and the two cannot be told apart by timing.
   */
  private readonly dummyHash = hashPassword(`no-such-user-${Math.random()}`);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: ConfigService<Env, true>,
  ) {}

  /** The admin of the configuration exists after boot; an existing account is left as it is. */
  async onApplicationBootstrap(): Promise<void> {
    const email = normaliseEmail(this.config.get('ADMIN_EMAIL', { infer: true }));
    const [existing] = await this.db.query(`SELECT 1 FROM users WHERE email = $1`, [email]);
    if (existing) return;
    const passwordHash = await hashPassword(this.config.get('ADMIN_PASSWORD', { infer: true }));
    // ON CONFLICT: several replicas booting at once create it once.
    const rows = await this.db.query(
      `INSERT INTO users (email, password_hash, role) VALUES ($1, $2, 'admin') ON CONFLICT (email) DO NOTHING RETURNING id`,
      [email, passwordHash],
    );
    if (rows.length) this.logger.log(`Created the admin user ${email}`);
  }

  /** The user with these credentials, or null; takes one bcrypt comparison whatever the outcome. */
  async authenticate(
    email: string,
    password: string,
  ): Promise<{ id: string; email: string; role: UserRole; teamId: string | null } | null> {
    const [user] = await this.db.query(`SELECT id, email, role, team_id, password_hash FROM users WHERE email = $1`, [
      normaliseEmail(email),
    ]);
    const matches = await verifyPassword(password, user?.password_hash ?? (await this.dummyHash));
    if (!user || !matches) return null;
    return { id: user.id, email: user.email, role: user.role, teamId: user.team_id };
  }

  async findView(id: string): Promise<UserView | null> {
    const [row] = await this.db.query(
      `SELECT u.id, u.email, u.role, u.created_at, t.id AS team_id, t.name AS team_name
         FROM users u LEFT JOIN teams t ON t.id = u.team_id
        WHERE u.id = $1`,
      [id],
    );
    return row ? toView(row) : null;
  }

  async create(input: NewUser): Promise<UserView> {
    if (input.role === 'member' && !input.teamId) throw badRequest('A member needs a team_id', 'team_id');
    if (input.role === 'admin' && input.teamId)
      throw badRequest('An admin belongs to no team; leave team_id out', 'team_id');
    if (Buffer.byteLength(input.password, 'utf8') > PASSWORD_MAX_BYTES) {
      throw badRequest(`password must be at most ${PASSWORD_MAX_BYTES} bytes long`, 'password');
    }
    if (input.teamId) {
      const [team] = await this.db.query(`SELECT 1 FROM teams WHERE id = $1`, [input.teamId]);
      if (!team) throw badRequest(`No team has id ${input.teamId}`, 'team_id');
    }
    const email = normaliseEmail(input.email);
    const passwordHash = await hashPassword(input.password);
    // ON CONFLICT rather than catching the error: a taken e-mail is an answer, not a failure.
    const [row] = await this.db.query(
      `INSERT INTO users (email, password_hash, role, team_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (email) DO NOTHING RETURNING id`,
      [email, passwordHash, input.role, input.teamId],
    );
    if (!row) throw conflict(`A user with e-mail ${email} already exists`, 'email');
    return (await this.findView(row.id))!;
  }
}

function toView(row: {
  id: string;
  email: string;
  role: UserRole;
  created_at: Date;
  team_id: string | null;
  team_name: string | null;
}): UserView {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    team: row.team_id ? { id: row.team_id, name: row.team_name ?? '' } : null,
    created_at: new Date(row.created_at).toISOString(),
  };
}
