import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { Permissions } from '../permission/built-ins';
import { toUserView, userViewer, UserView } from '../user/user.types';
import { UserAccessInput } from './user-access.inputs';
import { setUserAccess } from './user-access.service';

@Resolver()
export class UserAccessResolver {
  @Authorized(Permissions.changeUser)
  @Mutation(() => UserView, {
    description: "Needs users.change_user (isStaff: a superuser). Applies from the user's next request.",
  })
  async setUserAccess(@Arg('input') input: UserAccessInput, @Ctx() ctx: Context): Promise<UserView> {
    const { user: viewer } = await ctx.requireViewer();
    const target = await setUserAccess(ctx.em, viewer.id, await ctx.permissions(), input);
    // A cached session keeps the user's row, isStaff included.
    ctx.sessionCache.forgetUser(target.id);
    return toUserView(target, await userViewer(ctx, [target]));
  }
}
