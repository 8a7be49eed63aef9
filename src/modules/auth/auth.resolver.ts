import { Arg, Authorized, Ctx, Int, Mutation, Resolver, UseMiddleware } from 'type-graphql';
import type { Context } from '../../context';
import { verificationOnRegister } from '../mail/mail.service';
import { toUserView } from '../user/user.types';
import { login, register } from './auth.service';
import { ThrottleRegistrations } from './auth.throttle';
import { LoginInput, RegisterInput } from './auth.inputs';
import { AuthPayload, RegisterPayload } from './auth.types';
import { invalidateSession, invalidateUserSessions } from './session.service';

@Resolver()
export class AuthResolver {
  @UseMiddleware(ThrottleRegistrations)
  @Mutation(() => RegisterPayload)
  async register(
    @Arg('input', () => RegisterInput) input: RegisterInput,
    @Ctx() ctx: Context,
  ): Promise<RegisterPayload> {
    const { user, token, expiresAt } = await register(ctx.em, input, {
      config: ctx.config,
      hasher: ctx.hasher,
      userAgent: ctx.request.userAgent,
      ip: ctx.request.ip,
      onCreated: verificationOnRegister(ctx),
      withSession: ctx.config.mail.emailVerification !== 'required',
    });
    ctx.mailer.wake();
    return { user: toUserView(user, user), token, expiresAt };
  }

  @Mutation(() => AuthPayload, {
    description: 'Wrong credentials, an unknown user and an inactive user all give the same UNAUTHENTICATED error.',
  })
  async login(@Arg('input', () => LoginInput) input: LoginInput, @Ctx() ctx: Context): Promise<AuthPayload> {
    const { user, token, expiresAt } = await login(ctx.em, input, {
      config: ctx.config,
      hasher: ctx.hasher,
      throttle: ctx.throttle,
      dummyPasswordHash: ctx.dummyPasswordHash,
      userAgent: ctx.request.userAgent,
      ip: ctx.request.ip,
    });
    // The session cap may have removed this user's oldest session.
    ctx.sessionCache.forgetUser(user.id);
    return { user: toUserView(user, user), token, expiresAt };
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Revokes the token that made this request.' })
  async logout(@Ctx() ctx: Context): Promise<boolean> {
    const viewer = await ctx.requireViewer();
    await invalidateSession(ctx.em, viewer.sessionId);
    ctx.sessionCache.forgetSession(viewer.sessionId);
    return true;
  }

  @Authorized()
  @Mutation(() => Int, { description: 'Revokes every session of the caller; returns how many.' })
  async logoutAll(@Ctx() ctx: Context): Promise<number> {
    const viewer = await ctx.requireViewer();
    const revoked = await invalidateUserSessions(ctx.em, viewer.user.id);
    ctx.sessionCache.forgetUser(viewer.user.id);
    return revoked;
  }
}
