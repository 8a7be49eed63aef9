import { Entity, JsonType, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A key that signs access tokens. Every instance reads this table, so all of them sign with and
 * publish the same keys. A key is published (JWKS) from its creation, signs from activatesAt,
 * and stops signing at retiredAt (the next key's activatesAt); it stays published until the last
 * token it signed has expired.
 */
@Entity({ tableName: 'signing_keys' })
export class SigningKey {
  [OptionalProps]?: 'createdAt' | 'retiredAt';

  /** The JWK thumbprint (RFC 7638): the `kid` in the tokens' header. */
  @PrimaryKey({ type: 'string', length: 64 })
  id!: string;

  @Property({ type: 'string', length: 16 })
  algorithm!: 'ES256' | 'EdDSA';

  /** The public JWK, as published. */
  @Property({ type: JsonType, columnType: 'jsonb' })
  publicJwk!: Record<string, unknown>;

  /** The private JWK: sealed with SECRET_KEY (privateKeyEncryption 'aes-256-gcm') or in clear ('none'). */
  @Property({ type: 'text', lazy: true })
  privateKey!: string;

  @Property({ type: 'string', length: 16 })
  privateKeyEncryption!: 'none' | 'aes-256-gcm';

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  activatesAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  retiredAt: Date | null = null;
}
