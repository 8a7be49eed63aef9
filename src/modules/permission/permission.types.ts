import { Field, ID, ObjectType } from 'type-graphql';
import type { Group } from './group.entity';
import type { Permission } from './permission.entity';

@ObjectType('Permission', { simpleResolvers: true })
export class PermissionView {
  @Field()
  codename!: string;

  @Field()
  name!: string;
}

@ObjectType('Group', { simpleResolvers: true })
export class GroupView {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'Unique ignoring case, 1 to 150 characters.' })
  name!: string;

  /** Loaded only when asked for, batched across the groups of one response (MikroORM's dataloader). */
  @Field(() => [PermissionView])
  permissions!: () => Promise<PermissionView[]>;
}

export function toPermissionView(permission: Permission): PermissionView {
  return { codename: permission.codename, name: permission.name };
}

function byCodename(a: PermissionView, b: PermissionView): number {
  return a.codename < b.codename ? -1 : a.codename > b.codename ? 1 : 0;
}

export function toGroupView(group: Group): GroupView {
  return {
    id: group.id,
    name: group.name,
    permissions: async () => {
      const permissions = await group.permissions.load({ dataloader: true });
      return permissions.map(toPermissionView).sort(byCodename);
    },
  };
}
