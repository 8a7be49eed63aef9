import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { toUserView, UserView } from '../user/user.types';
import { deleteUser, setUserActive } from './admin.service';

/** Staff operations on other accounts. */
@Resolver()
export class AdminResolver {
  @Authorized()
  @Mutation(() => UserView, {
    description: 'Staff only: enable or disable an account; disabling revokes its sessions.',
  })
  async setUserActive(
    @Arg('id', () => ID) id: string,
    @Arg('active') active: boolean,
    @Ctx() ctx: Context,
  ): Promise<UserView> {
    const { user: viewer } = await ctx.requireViewer();
    const target = await setUserActive(ctx.em, viewer.id, id, active);
    ctx.sessionCache.forgetUser(target.id);
    return toUserView(target, { id: viewer.id, isStaff: true });
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description: 'Staff only (a superuser for another staff account): deletes a user and its sessions.',
  })
  async deleteUser(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    const { user: viewer } = await ctx.requireViewer();
    await deleteUser(ctx.em, viewer.id, id);
    ctx.sessionCache.forgetUser(id.toLowerCase());
    return true;
  }
}
