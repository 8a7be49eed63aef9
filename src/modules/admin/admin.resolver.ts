import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { Permissions } from '../permission/built-ins';
import { toUserView, userViewer, UserView } from '../user/user.types';
import { deleteUser, setUserActive } from './admin.service';

/** Operations on other accounts, each behind the permission it needs. */
@Resolver()
export class AdminResolver {
  @Authorized(Permissions.changeUser)
  @Mutation(() => UserView, {
    description: 'Needs users.change_user: enable or disable an account; disabling revokes its sessions.',
  })
  async setUserActive(
    @Arg('id', () => ID) id: string,
    @Arg('active') active: boolean,
    @Ctx() ctx: Context,
  ): Promise<UserView> {
    const { user: viewer } = await ctx.requireViewer();
    const target = await setUserActive(ctx.em, viewer.id, id, active);
    ctx.sessionCache.forgetUser(target.id);
    return toUserView(target, await userViewer(ctx, [target]));
  }

  @Authorized(Permissions.deleteUser)
  @Mutation(() => Boolean, {
    description: 'Needs users.delete_user (a superuser for a staff account): deletes a user and its sessions.',
  })
  async deleteUser(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    const { user: viewer } = await ctx.requireViewer();
    await deleteUser(ctx.em, viewer.id, id);
    ctx.sessionCache.forgetUser(id.toLowerCase());
    return true;
  }
}
