import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { Permissions } from './built-ins';
import { createGroup, deleteGroup, listGroups, updateGroup } from './group.service';
import { GroupInput } from './permission.inputs';
import { GroupView, toGroupView } from './permission.types';

@Resolver()
export class GroupResolver {
  @Authorized(Permissions.viewGroup)
  @Query(() => [GroupView], { description: 'Every group. Needs groups.view_group.' })
  async groups(@Ctx() ctx: Context): Promise<GroupView[]> {
    return (await listGroups(ctx.em)).map(toGroupView);
  }

  @Authorized(Permissions.addGroup)
  @Mutation(() => GroupView, { description: 'Needs groups.add_group.' })
  async createGroup(@Arg('input') input: GroupInput, @Ctx() ctx: Context): Promise<GroupView> {
    return toGroupView(await createGroup(ctx.em, await ctx.permissions(), input));
  }

  @Authorized(Permissions.changeGroup)
  @Mutation(() => GroupView, { description: 'Needs groups.change_group.' })
  async updateGroup(
    @Arg('id', () => ID) id: string,
    @Arg('input') input: GroupInput,
    @Ctx() ctx: Context,
  ): Promise<GroupView> {
    return toGroupView(await updateGroup(ctx.em, await ctx.permissions(), id, input));
  }

  @Authorized(Permissions.deleteGroup)
  @Mutation(() => Boolean, { description: 'Needs groups.delete_group.' })
  async deleteGroup(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    await deleteGroup(ctx.em, id);
    return true;
  }
}
