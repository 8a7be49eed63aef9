import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver, UseMiddleware } from 'type-graphql';
import type { Context } from '../../context';
import { fieldErrorsOf, validatedByTheService, validateInput } from '../../validation';
import { ThrottleIdentityProbes } from '../auth/auth.throttle';
import { invalidateOwnSession, listUserSessions } from '../auth/session.service';
import { SessionView } from '../auth/session.types';
import { updateProfileWithMail } from '../mail/mail.service';
import { toUserView, UserView } from '../user/user.types';
import { changePassword, deleteAccount } from './account.service';
import { ChangePasswordInput, UpdateProfileInput } from './account.inputs';

/** What a signed-in user does to their own account. */
@Resolver()
export class AccountResolver {
  @Authorized()
  @Query(() => [SessionView], { description: "The caller's live sessions, newest first." })
  async sessions(@Ctx() ctx: Context): Promise<SessionView[]> {
    const viewer = await ctx.requireViewer();
    const sessions = await listUserSessions(ctx.em, viewer.user.id);
    return sessions.map((session) => ({
      id: session.id,
      createdAt: session.createdAt,
      expiresAt: session.expiresAt,
      lastUsedAt: session.lastUsedAt,
      userAgent: session.userAgent,
      current: session.id === viewer.sessionId,
    }));
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Revokes one of the caller's own sessions." })
  async revokeSession(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    const viewer = await ctx.requireViewer();
    const revoked = await invalidateOwnSession(ctx.em, viewer.user.id, id);
    if (revoked) ctx.sessionCache.forgetSession(id.toLowerCase());
    return revoked;
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Revokes the caller's other sessions; the current one stays valid." })
  async changePassword(
    @Arg('input', () => ChangePasswordInput, { validateFn: validatedByTheService }) input: ChangePasswordInput,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    const viewer = await ctx.requireViewer();
    const ruleProblems = fieldErrorsOf(await validateInput(input, ctx));
    await changePassword(ctx.em, viewer, input, ruleProblems, ctx);
    ctx.sessionCache.forgetUser(viewer.user.id);
    return true;
  }

  @Authorized()
  @UseMiddleware(ThrottleIdentityProbes)
  @Mutation(() => UserView)
  async updateProfile(
    @Arg('input', () => UpdateProfileInput) input: UpdateProfileInput,
    @Ctx() ctx: Context,
  ): Promise<UserView> {
    const viewer = await ctx.requireViewer();
    const user = await updateProfileWithMail(ctx.em, viewer.user, input, ctx);
    ctx.sessionCache.forgetUser(viewer.user.id);
    return toUserView(user, user);
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description: "Deletes the caller's account and all its sessions, after checking the password.",
  })
  async deleteAccount(@Arg('password') password: string, @Ctx() ctx: Context): Promise<boolean> {
    const viewer = await ctx.requireViewer();
    await deleteAccount(ctx.em, viewer.user.id, password, ctx);
    ctx.sessionCache.forgetUser(viewer.user.id);
    return true;
  }
}
