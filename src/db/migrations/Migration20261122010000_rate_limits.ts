import { Migration } from '@mikro-orm/migrations';

// Login and registration counters shared by every server instance (rate-limiter-flexible's
// PostgreSQL store layout; `expire` is epoch milliseconds).
export class Migration20261122010000_rate_limits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "rate_limits" (
        "key" varchar(255) not null primary key,
        "points" integer not null default 0,
        "expire" bigint null
      );`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "rate_limits";`);
  }
}
