import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { User } from '../user/user.entity';
import { privateField, UserView } from '../user/user.types';
import { effectiveCodenames } from './permission.service';
import { GroupView, toGroupView } from './permission.types';

/** User.groups and User.permissions: private, loaded only when asked for and allowed. */
@Resolver(() => UserView)
export class UserAccessFieldsResolver {
  @FieldResolver(() => [GroupView], { nullable: true, description: 'Private: the groups the user belongs to.' })
  groups(@Root() user: UserView, @Ctx() ctx: Context): Promise<GroupView[] | null> {
    return privateField(user, async () => {
      // Batched across the users of one response by MikroORM's collection dataloader.
      const groups = await ctx.em.getReference(User, user.id).groups.load({ dataloader: true });
      return groups
        .getItems()
        .sort((a, b) => (a.nameCanonical < b.nameCanonical ? -1 : 1))
        .map(toGroupView);
    });
  }

  @FieldResolver(() => [String], {
    nullable: true,
    description:
      'Private: every permission codename the user holds (directly, through a group, or all of them for a superuser), sorted.',
  })
  permissions(@Root() user: UserView, @Ctx() ctx: Context): Promise<string[] | null> {
    return privateField(user, () => effectiveCodenames(ctx.em, user));
  }
}
