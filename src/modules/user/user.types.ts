import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { Context } from '../../context';
import { Permissions } from '../permission/built-ins';
import type { User } from './user.entity';

const DAY_MS = 24 * 3600 * 1000;
const PRIVATE = 'Private: null unless the viewer is this user or holds users.view_user.';

@ObjectType('User', { simpleResolvers: true })
export class UserView {
  @Field(() => ID)
  id!: string;

  @Field()
  username!: string;

  @Field()
  firstName!: string;

  @Field()
  lastName!: string;

  @Field()
  dateJoined!: Date;

  @Field(() => Int, { description: 'Whole days since dateJoined.' })
  daysCount!: number;

  @Field()
  isActive!: boolean;

  @Field()
  isStaff!: boolean;

  @Field()
  isSuperuser!: boolean;

  @Field(() => String, { nullable: true, description: PRIVATE })
  email!: string | null;

  @Field(() => Date, { nullable: true, description: PRIVATE })
  lastLogin!: Date | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Private: whether the address was confirmed through a link mailed to it.',
  })
  emailVerified!: boolean | null;

  /** Not a field: whether the viewer may see the private fields (the resolved ones read it). */
  privateVisible!: boolean;
}

/** Who is looking: their id, and whether they hold users.view_user (see others' private fields). */
export interface UserViewer {
  id: string;
  viewsAllUsers?: boolean;
}

/**
 * The viewer as toUserView needs it. users.view_user is looked up (the request's permission set,
 * loaded once) only when someone other than the viewer is shown.
 */
export async function userViewer(ctx: Context, shown: Pick<User, 'id'>[]): Promise<UserViewer> {
  const { user } = await ctx.requireViewer();
  const others = shown.some((one) => one.id !== user.id);
  return { id: user.id, viewsAllUsers: others && (await ctx.permissions()).has(Permissions.viewUser) };
}

/** A private field resolved elsewhere (groups, permissions): loaded only when it may be seen. */
export async function privateField<T>(view: UserView, load: () => Promise<T>): Promise<T | null> {
  return view.privateVisible ? load() : null;
}

/**
 * What a viewer may see of a user. Private fields are decided here, once, from who is asking,
 * so no resolver can forget the rule. Self-views (me, login, register) pass the user as viewer.
 */
export function toUserView(user: User, viewer: UserViewer | null): UserView {
  const canSeePrivate = viewer !== null && (viewer.viewsAllUsers === true || viewer.id === user.id);
  return {
    id: user.id,
    username: user.username,
    firstName: user.firstName,
    lastName: user.lastName,
    dateJoined: user.dateJoined,
    daysCount: Math.max(0, Math.floor((Date.now() - user.dateJoined.getTime()) / DAY_MS)),
    isActive: user.isActive,
    isStaff: user.isStaff,
    isSuperuser: user.isSuperuser,
    email: canSeePrivate ? user.email : null,
    lastLogin: canSeePrivate ? user.lastLogin : null,
    privateVisible: canSeePrivate,
    emailVerified: canSeePrivate ? user.emailVerified : null,
  };
}

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;

  @Field({ description: 'Paging is forward only: true when the page was asked for after a cursor.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class UserEdge {
  @Field()
  cursor!: string;

  @Field(() => UserView)
  node!: UserView;
}

@ObjectType({
  simpleResolvers: true,
  description: 'Relay-style: both nodes and edges, so that stock client pagination helpers work.',
})
export class UserConnection {
  @Field(() => [UserView])
  nodes!: UserView[];

  @Field(() => [UserEdge])
  edges!: UserEdge[];

  @Field(() => Int, { description: 'Size of the whole filtered set, counted only when asked for.' })
  totalCount!: () => Promise<number>;

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
