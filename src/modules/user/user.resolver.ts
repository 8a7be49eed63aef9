import { Arg, Authorized, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { encodeCursor, findUserById, listUsers } from './user.service';
import { toUserView, UserConnection, UserView } from './user.types';

@Resolver()
export class UserResolver {
  @Authorized()
  @Query(() => UserView, { description: 'The user behind the token. UNAUTHENTICATED without a valid token.' })
  async me(@Ctx() ctx: Context): Promise<UserView> {
    const { user } = await ctx.requireViewer();
    return toUserView(user, user);
  }

  @Authorized()
  @Query(() => UserView, {
    nullable: true,
    description: 'Any user by id, or null where there is none. Needs a valid token.',
  })
  async user(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<UserView | null> {
    const { user: viewer } = await ctx.requireViewer();
    const found = await findUserById(ctx.em, id);
    return found && toUserView(found, viewer);
  }

  @Authorized()
  @Query(() => UserConnection, {
    description:
      'Users ordered by username, paged by cursor; search matches a username prefix, ignoring case. first is 1..100. Needs a valid token.',
  })
  async users(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('search', () => String, { nullable: true }) search?: string | null,
  ): Promise<UserConnection> {
    const { user: viewer } = await ctx.requireViewer();
    const page = await listUsers(ctx.em, { first, after, search });
    const edges = page.users.map((user) => ({
      cursor: encodeCursor(user.usernameCanonical),
      node: toUserView(user, viewer),
    }));
    return {
      nodes: edges.map((edge) => edge.node),
      edges,
      totalCount: page.countTotal,
      pageInfo: {
        hasNextPage: page.hasNextPage,
        endCursor: edges.at(-1)?.cursor ?? null,
        hasPreviousPage: Boolean(after),
        startCursor: edges[0]?.cursor ?? null,
      },
    };
  }
}
