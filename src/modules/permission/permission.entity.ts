import { Collection, Entity, ManyToMany, PrimaryKey, Property } from '@mikro-orm/core';
import { CODENAME_MAX_LENGTH, PERMISSION_NAME_MAX_LENGTH } from '../../lib/access-names';
import type { User } from '../user/user.entity';
import type { Group } from './group.entity';

/**
 * A right, named by its codename ("app.action"). The codename is the key: it is what tokens carry
 * and what other services check, and there is no operation that renames it.
 */
@Entity({ tableName: 'permissions' })
export class Permission {
  @PrimaryKey({ type: 'string', length: CODENAME_MAX_LENGTH })
  codename!: string;

  @Property({ type: 'string', length: PERMISSION_NAME_MAX_LENGTH })
  name!: string;

  // Inverse sides (named by string: the owners import this file), for queries from a permission.
  @ManyToMany({ entity: 'Group', mappedBy: 'permissions' })
  groups = new Collection<Group>(this);

  @ManyToMany({ entity: 'User', mappedBy: 'userPermissions' })
  users = new Collection<User>(this);
}
