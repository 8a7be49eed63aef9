import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { toUserView, UserView } from '../user/user.types';
import { deleteUser, setUserActive } from './admin.service';

/** Staff operations on other accounts. */
@Resolver()
export class AdminResolver {
  @Mutation(() => UserView, {
    description: 'Staff only: enable or disable an account; disabling revokes its sessions.',
  })
  async setUserActive(
    @Arg('id', () => ID) id: string,
    @Arg('active') active: boolean,
    @Ctx() ctx: Context,
  ): Promise<UserView> {
    const { user: actor } = await ctx.requireViewer();
    return toUserView(await setUserActive(ctx.em, actor, id, active), actor);
  }

  @Mutation(() => Boolean, {
    description: 'Staff only (a superuser for another staff account): deletes a user and its sessions.',
  })
  async deleteUser(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    const { user: actor } = await ctx.requireViewer();
    await deleteUser(ctx.em, actor, id);
    return true;
  }
}
