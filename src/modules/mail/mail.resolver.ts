import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { fieldErrorsOf, validatedByTheService, validateInput } from '../../validation';
import { attachPasswordOwner } from '../user/user.rules';
import { ResetPasswordInput } from './mail.inputs';
import { requestPasswordReset, resendVerificationEmail, resetPassword, verifyEmail } from './mail.service';

/** Password reset and address confirmation: the operations whose proof is a mailed link. */
@Resolver()
export class MailResolver {
  @Mutation(() => Boolean, {
    description:
      'Always true, whether or not an account has this address; when one does, mails it a single-use link valid for PASSWORD_RESET_TTL_SECONDS (default 3600). Throttled per address and per client.',
  })
  async requestPasswordReset(@Arg('email') email: string, @Ctx() ctx: Context): Promise<boolean> {
    await requestPasswordReset(ctx.em, email, ctx.request.ip, ctx);
    return true;
  }

  @Mutation(() => Boolean, {
    description:
      'Sets a new password with the token from that mail and revokes every session of the account. BAD_USER_INPUT (fields.token) for an unknown, used or expired token.',
  })
  async resetPassword(
    @Arg('input', () => ResetPasswordInput, { validateFn: validatedByTheService }) input: ResetPasswordInput,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    const userId = await resetPassword(ctx.em, input, ctx.hasher, async (user) => {
      attachPasswordOwner(input, user);
      return fieldErrorsOf(await validateInput(input, ctx));
    });
    ctx.sessionCache.forgetUser(userId);
    return true;
  }

  @Mutation(() => Boolean, {
    description:
      'Confirms the address that the token was mailed to. BAD_USER_INPUT (fields.token) for an unknown, used or expired token.',
  })
  async verifyEmail(@Arg('token') token: string, @Ctx() ctx: Context): Promise<boolean> {
    const userId = await verifyEmail(ctx.em, token);
    ctx.sessionCache.forgetUser(userId);
    return true;
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      "Mails a new confirmation link to the caller's unconfirmed address. Throttled. False when the address is confirmed already.",
  })
  async resendVerificationEmail(@Ctx() ctx: Context): Promise<boolean> {
    const viewer = await ctx.requireViewer();
    return resendVerificationEmail(ctx.em, viewer, ctx);
  }
}
