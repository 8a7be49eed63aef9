import { EntityRepository, type FilterQuery } from '@mikro-orm/postgresql';
import { confusableSkeleton } from '../../lib/confusables';
import { loginNameKey } from '../../lib/identity';
import { LoginName } from './login-name.entity';
import type { User } from './user.entity';
import { UserStats } from './user-stats.entity';

// Above every character a username may contain, so `prefix || MAX` bounds a prefix range.
const MAX_CODE_POINT = '\u{10FFFF}';

/** The named queries on users. Each is shaped for an index of the users table. */
export class UserRepository extends EntityRepository<User> {
  /**
   * Which of a username and an email address are taken by another account than `exceptUserId`:
   * as a login name of theirs (a username or an address, folded alike), or, for the username,
   * as a look-alike of theirs (the same confusable skeleton).
   */
  async findTakenIdentity(
    identity: { username?: string; email?: string },
    exceptUserId: string | null,
  ): Promise<{ username: boolean; email: boolean }> {
    const usernameKey = identity.username === undefined ? null : loginNameKey(identity.username);
    const emailKey = identity.email === undefined ? null : loginNameKey(identity.email);
    const keys = [usernameKey, emailKey].filter((key): key is string => key !== null);
    const notMine = exceptUserId ? { user: { $ne: exceptUserId } } : {};
    const [names, lookAlikes] = await Promise.all([
      keys.length > 0 ? this.em.find(LoginName, { name: { $in: keys }, ...notMine }, { fields: ['name'] }) : [],
      usernameKey === null
        ? []
        : this.find(
            {
              usernameSkeleton: confusableSkeleton(usernameKey),
              ...(exceptUserId ? { id: { $ne: exceptUserId } } : {}),
            },
            { fields: ['id'] },
          ),
    ]);
    const taken = new Set(names.map((loginName) => loginName.name));
    return {
      username: usernameKey !== null && (taken.has(usernameKey) || lookAlikes.length > 0),
      email: emailKey !== null && taken.has(emailKey),
    };
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
