import { EntityRepository, type FilterQuery } from '@mikro-orm/postgresql';
import type { User } from './user.entity';
import { UserStats } from './user-stats.entity';

// Above every character a username may contain, so `prefix || MAX` bounds a prefix range.
const MAX_CODE_POINT = '\u{10FFFF}';

/** The named queries on users. Each is shaped for an index of the users table. */
export class UserRepository extends EntityRepository<User> {
  /** Accounts holding a login name or address (unique indexes), other than `exceptUserId`. */
  findIdentityHolders(
    identity: { usernameCanonical?: string; emailCanonical?: string },
    exceptUserId: string | null,
  ): Promise<Pick<User, 'id' | 'usernameCanonical' | 'emailCanonical'>[]> {
    const holders: FilterQuery<User>[] = [];
    if (identity.usernameCanonical !== undefined) holders.push({ usernameCanonical: identity.usernameCanonical });
    if (identity.emailCanonical !== undefined) holders.push({ emailCanonical: identity.emailCanonical });
    if (holders.length === 0) return Promise.resolve([]);
    return this.find(
      { $or: holders, ...(exceptUserId ? { id: { $ne: exceptUserId } } : {}) },
      { fields: ['id', 'usernameCanonical', 'emailCanonical'], limit: 2 },
    );
  }

  /** What a login name can match: a username or an email address, password hash included. */
  findByLoginName(usernameCanonical: string, emailCanonical: string): Promise<User[]> {
    return this.find({ $or: [{ usernameCanonical }, { emailCanonical }] }, { populate: ['passwordHash'], limit: 2 });
  }

  /**
   * One keyset page on the unique canonical username: every page, however deep, is one index
   * range scan; the prefix search is a range on the same index, so `%` and `_` are plain text.
   */
  findPage(options: { limit: number; afterKey: string | null; prefix: string }): Promise<User[]> {
    return this.find(
      {
        $and: [
          this.prefixFilter(options.prefix),
          options.afterKey ? { usernameCanonical: { $gt: options.afterKey } } : {},
        ],
      },
      { orderBy: { usernameCanonical: 'asc' }, limit: options.limit },
    );
  }

  /** The exact count: kept by triggers for everyone, counted over the index range for a prefix. */
  async countByPrefix(prefix: string): Promise<number> {
    if (!prefix) {
      const stats = await this.em.findOneOrFail(UserStats, { id: true });
      return Number(stats.userCount);
    }
    return this.count(this.prefixFilter(prefix));
  }

  private prefixFilter(prefix: string): FilterQuery<User> {
    return prefix ? { usernameCanonical: { $gte: prefix, $lt: prefix + MAX_CODE_POINT } } : {};
  }
}
