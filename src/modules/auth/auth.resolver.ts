import { Arg, Authorized, Ctx, Int, Mutation, Resolver, UseMiddleware } from 'type-graphql';
import type { Context } from '../../context';
import { unauthenticated, UnauthenticatedReason } from '../../errors';
import { verificationOnRegister } from '../mail/mail.service';
import { permissionCodenames } from '../permission/permission.service';
import type { User } from '../user/user.entity';
import { toUserView } from '../user/user.types';
import { accessTokenClaims, issueAccessToken, type IssuedAccessToken } from './access-token.service';
import { login, register } from './auth.service';
import { ThrottleRegistrations } from './auth.throttle';
import { LoginInput, RegisterInput } from './auth.inputs';
import { AuthPayload, RegisterPayload } from './auth.types';
import { refreshSession } from './session-rotation.service';
import { invalidateSession, invalidateUserSessions } from './session.service';

/** The `perms` claim: the user's permission codenames as of now (issue 13's model). */
async function accessTokenFor(ctx: Context, user: User, sessionId: string): Promise<IssuedAccessToken> {
  const perms = await permissionCodenames(ctx.em, user.id);
  return issueAccessToken(ctx.signingKeys, ctx.config, accessTokenClaims(user, sessionId, perms));
}

@Resolver()
export class AuthResolver {
  @UseMiddleware(ThrottleRegistrations)
  @Mutation(() => RegisterPayload)
  async register(
    @Arg('input', () => RegisterInput) input: RegisterInput,
    @Ctx() ctx: Context,
  ): Promise<RegisterPayload> {
    const { user, token, expiresAt, sessionId } = await register(ctx.em, input, {
      config: ctx.config,
      hasher: ctx.hasher,
      userAgent: ctx.request.userAgent,
      ip: ctx.request.ip,
      onCreated: verificationOnRegister(ctx),
      withSession: ctx.config.mail.emailVerification !== 'required',
    });
    ctx.mailer.wake();
    // No session (the address must be confirmed first): no access token either.
    const access =
      token && sessionId
        ? await accessTokenFor(ctx, user, sessionId)
        : { accessToken: null, accessTokenExpiresAt: null };
    return { user: toUserView(user, user), token, expiresAt, ...access };
  }

  @Mutation(() => AuthPayload, {
    description: 'Wrong credentials, an unknown user and an inactive user all give the same UNAUTHENTICATED error.',
  })
  async login(@Arg('input', () => LoginInput) input: LoginInput, @Ctx() ctx: Context): Promise<AuthPayload> {
    const { user, token, expiresAt, sessionId } = await login(ctx.em, input, {
      config: ctx.config,
      hasher: ctx.hasher,
      throttle: ctx.throttle,
      dummyPasswordHash: ctx.dummyPasswordHash,
      userAgent: ctx.request.userAgent,
      ip: ctx.request.ip,
      metrics: ctx.metrics,
    });
    // The session cap may have removed this user's oldest session.
    ctx.sessionCache.forgetUser(user.id);
    return { user: toUserView(user, user), token, expiresAt, ...(await accessTokenFor(ctx, user, sessionId)) };
  }

  @Mutation(() => AuthPayload, {
    description:
      'Exchanges a session token for a new token of the same session plus a new access token, and retires the old token. The retired token still works for TOKEN_ROTATION_GRACE_SECONDS (default 30) so that concurrent requests do not fail; presented after that, it revokes the whole session (reuse detection). UNAUTHENTICATED for an unknown, revoked or expired token.',
  })
  async refreshToken(@Arg('token', () => String) token: string, @Ctx() ctx: Context): Promise<AuthPayload> {
    const outcome = await refreshSession(ctx.em, token, ctx.config);
    if (outcome.kind === 'reused') {
      ctx.sessionCache.forgetSession(outcome.sessionId);
      ctx.logger.warn({ sessionId: outcome.sessionId }, 'retired session token reused: session revoked');
    }
    if (outcome.kind !== 'refreshed') throw unauthenticated(UnauthenticatedReason.INVALID_TOKEN);
    // The retired token's cache entry (if any) must not outlive the grace period.
    ctx.sessionCache.forgetSession(outcome.sessionId);
    const { user, token: newToken, expiresAt, sessionId } = outcome;
    return {
      user: toUserView(user, user),
      token: newToken,
      expiresAt,
      ...(await accessTokenFor(ctx, user, sessionId)),
    };
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
