import { Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { Permissions } from './built-ins';
import { CreatePermissionArgs } from './permission.inputs';
import { createPermission, listPermissions } from './permission.service';
import { PermissionView, toPermissionView } from './permission.types';

@Resolver()
export class PermissionResolver {
  @Authorized()
  @Query(() => [PermissionView], { description: 'Every permission that exists. Needs a valid token.' })
  async permissions(@Ctx() ctx: Context): Promise<PermissionView[]> {
    return (await listPermissions(ctx.em)).map(toPermissionView);
  }

  @Authorized(Permissions.addPermission)
  @Mutation(() => PermissionView, { description: 'Needs permissions.add_permission.' })
  async createPermission(@Args() args: CreatePermissionArgs, @Ctx() ctx: Context): Promise<PermissionView> {
    return toPermissionView(await createPermission(ctx.em, args));
  }
}
