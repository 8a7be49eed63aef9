import { randomUUID } from 'node:crypto';
import { Collection, Entity, ManyToMany, PrimaryKey, Property } from '@mikro-orm/core';
import { GROUP_NAME_MAX_LENGTH } from '../../lib/access-names';
import type { User } from '../user/user.entity';
import { Permission } from './permission.entity';

/**
 * A named set of permissions that users join. "Unique ignoring case" is the unique index on
 * `nameCanonical` (as for usernames), so two concurrent creations cannot both win.
 */
@Entity({ tableName: 'groups' })
export class Group {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: GROUP_NAME_MAX_LENGTH })
  name!: string;

  @Property({ type: 'text', columnType: 'text collate "C"', unique: 'groups_name_canonical_key' })
  nameCanonical!: string;

  // Removing a group or a permission removes its pivot rows (the pivot's foreign keys cascade).
  @ManyToMany({ entity: () => Permission, owner: true, inversedBy: 'groups', pivotTable: 'groups_permissions' })
  permissions = new Collection<Permission>(this);

  @ManyToMany({ entity: 'User', mappedBy: 'groups' })
  users = new Collection<User>(this);
}
